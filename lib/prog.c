/* SPDX-License-Identifier: ISC */
#include "prog.h"

#include <err.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fd.h"
#include "opt.h"
#include "sig.h"

#ifndef SLUICE_VERSION
#define SLUICE_VERSION "unknown"
#endif

static int sigpipe_ignored;
static int stdout_closed;	/* at start: /dev/null holds its place */

/*
 * stderr's buffer.  Unbuffered, glibc's warnx writes "PROG: ", the
 * message and the '\n' in three writes, and two stages' lines interleave
 * mid-line; line-buffered, each line is one write, atomic on a pipe up to
 * PIPE_BUF bytes.  A longer line is cut where the buffer fills.
 */
static char errbuf[BUFSIZ];

/* What a closed stdout says, as a write to it would (coreutils' seq). */
static void
stdout_closed_exit(void)
{
	errno = EBADF;
	err(EX_IOERR, "stdout");
}

static void
init(char **argv, int needs_stdout)
{
	struct sigaction old;
	int closed;

	/* getopt names argv[0] in its messages: make it the name we use */
	argv[0] = (char *)getprogname();
	/*
	 * /dev/null takes a closed descriptor's place first, so that
	 * nothing opened later (a --rejects file, a socket) becomes our
	 * stdout; a closed stdin then reads as empty, and a closed stderr
	 * swallows what we had nowhere to say.
	 */
	if ((closed = fd_std_open()) == -1)
		_exit(EX_OSERR);
	stdout_closed = closed & 1 << STDOUT_FILENO;
	(void)setvbuf(stderr, errbuf, _IOLBF, sizeof(errbuf));
	/* records written into /dev/null would be lost without a word */
	if (stdout_closed && needs_stdout)
		stdout_closed_exit();
	if (atexit(fd_restore) != 0)
		errx(EX_OSERR, "atexit failed");
	if (sigaction(SIGPIPE, NULL, &old) == 0 && old.sa_handler == SIG_IGN)
		sigpipe_ignored = 1;
	signal(SIGPIPE, SIG_IGN);
}

void
prog_init(int argc, char **argv)
{
	(void)argc;
	init(argv, 1);
}

void
prog_init_nostdout(int argc, char **argv)
{
	(void)argc;
	init(argv, 0);
}

void
prog_option(int ch, const char *help)
{
	switch (ch) {
	case OPT_HELP:
	case OPT_VERSION:
		if (stdout_closed)
			stdout_closed_exit();
	}
	switch (ch) {
	case OPT_HELP:
		fputs(help, stdout);
		if (fflush(stdout) == EOF)
			err(EX_IOERR, "stdout");
		exit(0);
	case OPT_VERSION:
		/* as coreutils says it: the version, then the licence */
		printf("%s (sluice) %s\n"
		    "License ISC: <https://opensource.org/licenses/ISC>.\n"
		    "This is free software: you are free to change and "
		    "redistribute it.\n"
		    "There is NO WARRANTY, to the extent permitted by law.\n",
		    getprogname(), SLUICE_VERSION);
		if (fflush(stdout) == EOF)
			err(EX_IOERR, "stdout");
		exit(0);
	case '?':
	case ':':
		/* getopt has said what was wrong */
		fprintf(stderr, "Try '%s --help' for more information.\n",
		    getprogname());
		exit(EX_USAGE);
	}
	prog_usage("unexpected option");
}

void
prog_no_operands(int argc, char *argv[])
{
	if (optind < argc)
		prog_usage("unexpected argument \"%s\"", argv[optind]);
}

void
prog_usage(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarnx(fmt, ap);
	va_end(ap);
	fprintf(stderr, "Try '%s --help' for more information.\n",
	    getprogname());
	exit(EX_USAGE);
}

int64_t
prog_int64(const char *opt, const char *arg, int64_t min, int64_t max)
{
	const char *errstr;
	int64_t v;

	if (opt_int64(arg, min, max, &v, &errstr) == -1)
		prog_usage("%s: \"%s\" is %s", opt, arg, errstr);
	return v;
}

double
prog_rate(const char *opt, const char *arg)
{
	const char *errstr;
	double v;

	if (opt_rate(arg, &v, &errstr) == -1)
		prog_usage("%s: \"%s\" is %s", opt, arg, errstr);
	return v;
}

int64_t
prog_duration(const char *opt, const char *arg)
{
	const char *errstr;
	int64_t v;

	if (opt_duration(arg, &v, &errstr) == -1)
		prog_usage("%s: \"%s\" is %s", opt, arg, errstr);
	return v;
}

int64_t
prog_size(const char *opt, const char *arg, int64_t min, int64_t max)
{
	const char *errstr;
	int64_t v;

	if (opt_size(arg, min, max, &v, &errstr) == -1)
		prog_usage("%s: \"%s\" is %s", opt, arg, errstr);
	return v;
}

int64_t
prog_interval(const char *opt, const char *arg)
{
	int64_t v = prog_duration(opt, arg);

	if (v < PROG_INTERVAL_MIN)
		prog_usage("%s: \"%s\" is too short: the least is 10ms", opt,
		    arg);
	return v;
}

void
prog_ioerr(const char *what)
{
	if (errno == EPIPE) {
		if (!sigpipe_ignored)
			prog_die(SIGPIPE);
		/*
		 * Whoever started us chose to ignore SIGPIPE; honour that
		 * and end as quietly, with the status a shell would show.
		 */
		exit(128 + SIGPIPE);
	}
	err(EX_IOERR, "%s", what);
}

void
prog_end_part_line(void)
{
	int r;

	if ((r = fd_end_part_line(STDOUT_FILENO)) == -1)
		err(EX_IOERR, "stdout");
	/* the line ended is someone's part line, maybe a record's prefix */
	if (r == 1)
		warnx("stdout ended in part of a line; ended it");
}

void
prog_die(int sig)
{
	fd_restore();
	sig_raise_default(sig);
	_exit(128 + sig);
}
