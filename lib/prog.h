/* SPDX-License-Identifier: ISC */
/*
 * prog: the program's side of the contract: start-up checks, usage errors,
 * --help and --version, and every way out (exit codes, the quiet death by
 * SIGPIPE, the death by a stop signal) with the descriptor flags put back.
 * This and stage/source, the runtimes built on it, are the only parts of
 * lib/ that print or exit; the modules below them return errors.
 */
#ifndef SLUICE_PROG_H
#define SLUICE_PROG_H

#include <getopt.h>
#include <stdint.h>
#include <sysexits.h>

/*
 * pipesup tells each stage its name (as its messages show it) in this
 * variable, for what a stage names after itself: redissrc's consumer.
 */
#define PROG_STAGE_ENV	"SLUICE_STAGE"

/* getopt_long values of the options every program has. */
enum {
	OPT_HELP = 'h',
	OPT_VERSION = 0x100,
	OPT_STRICT,
	OPT_REJECTS,
	OPT_PROGRAM		/* the first value free for a program */
};

#define PROG_LONGOPTS \
	{ "help",	no_argument,	NULL,	OPT_HELP }, \
	{ "version",	no_argument,	NULL,	OPT_VERSION }

/*
 * Call first in main, before anything is read: exits 74 ("PROG: stdout:
 * Bad file descriptor") if stdout is closed, reopens a closed stdin
 * (which then reads as empty) or stderr on /dev/null, makes stderr write
 * each line in one write, ignores SIGPIPE (EPIPE is handled in
 * prog_ioerr) and restores descriptor flags at exit.
 */
void	prog_init(int argc, char **argv);

/*
 * As prog_init(), for a program that writes nothing on stdout
 * (redissink): a closed stdout is reopened on /dev/null too, and only
 * --help and --version, which would write there, exit 74.
 */
void	prog_init_nostdout(int argc, char **argv);

/*
 * The default case of every getopt loop: handles --help (prints help to
 * stdout, exits 0), --version, and getopt's '?' (exits 64 after getopt's
 * own line); any other ch is an option the program forgot (exits 64).
 */
void	prog_option(int ch, const char *help) __attribute__((__noreturn__));

/* After the options: exits 64 if any argument is left (optind < argc). */
void	prog_no_operands(int argc, char *argv[]);

/* Prints "PROG: message" and a pointer to --help; exits 64. */
void	prog_usage(const char *fmt, ...)
	    __attribute__((__format__(__printf__, 1, 2), __noreturn__));

/* Option value parsers: each exits 64 naming the option and the value. */
int64_t	prog_int64(const char *opt, const char *arg, int64_t min, int64_t max);
double	prog_rate(const char *opt, const char *arg);
int64_t	prog_duration(const char *opt, const char *arg);
int64_t	prog_size(const char *opt, const char *arg, int64_t min, int64_t max);

/*
 * How often a report is made (--every, --stats): a duration of at least
 * PROG_INTERVAL_MIN, for a shorter one only spins a core.
 */
#define PROG_INTERVAL_MIN	((int64_t)10 * 1000 * 1000)	/* ns: 10 ms */
int64_t	prog_interval(const char *opt, const char *arg);

/*
 * After a failed read or write of what: a closed reader (EPIPE) ends the
 * program quietly by SIGPIPE, as yes and cat end; anything else is
 * reported and exits 74.
 */
void	prog_ioerr(const char *what) __attribute__((__noreturn__));

/*
 * Before a runtime's first write: if stdout is a regular file that ends
 * in part of a line where our lines would go, ends that line and warns
 * (fd_end_part_line); exits 74 if that fails.
 */
void	prog_end_part_line(void);

/* Restores descriptor flags and dies by sig, so the parent sees it. */
void	prog_die(int sig) __attribute__((__noreturn__));

#endif
