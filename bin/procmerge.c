/*
 * procmerge: a processor that merges several streams of records into one,
 * whole records only, taking turns between the inputs that have records
 * ready.  lib/merge.c decides what to write; this is its I/O.
 */
#include <sys/stat.h>

#include <err.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "badrec.h"
#include "fd.h"
#include "loop.h"
#include "merge.h"
#include "run.h"
#include "sig.h"
#include "stage.h"	/* the reader's options and their help */

static const char help[] =
"usage: procmerge [--strict] [--rejects file] [file ...]\n"
"       procmerge --lines [file ...]\n"
"Write the records of every file (\"-\": standard input; none: standard\n"
"input alone) as one stream, whole records only, each file's in order,\n"
"taking turns between the files that have records ready.\n"
"\n"
"      --lines         any lines, each copied whole as it came (text)\n"
STAGE_HELP
"\n"
"Example: procmerge <(randsrc --seed 1) <(randsrc --seed 2) | procprint\n";

/*
 * A read takes what a pipe holds at once; the writer has room for a turn
 * of every input many times over.
 */
#define IN_CAP	((size_t)64 * 1024)
#define OUT_CAP	((size_t)128 * 1024)

enum { SIG, OUT, IN0 };		/* the poll slots; input i is IN0 + i */

struct procmerge {
	struct merge		 m;
	const char		**names;	/* each input's; NULL: stdin */
	struct pollfd		*pfd;
	struct wbuf		 out;
	struct run		 run;
	struct badrec		 bad;
	struct stats_counts	 counts;
	int			 strict;
	int			 lines;		/* --lines */
	int			 noinput;	/* a file could not be opened */
	int			 ioerr;		/* one could not be read */
};

/*
 * Two inputs on one pipe, FIFO or other stream, or "-" twice, would each
 * read a part of it and tear its records between them.  A regular file
 * opened twice is two inputs, each with an offset of its own.
 */
static void
refuse_same(const struct procmerge *pm, const int *fds)
{
	struct stat *st;
	size_t i, j, n = pm->m.n;

	if (n < 2)
		return;
	if ((st = reallocarray(NULL, n, sizeof(*st))) == NULL)
		err(EX_OSERR, NULL);
	for (i = 0; i < n; i++) {
		if (fstat(fds[i], &st[i]) == -1)
			err(EX_IOERR, "%s", pm->names[i] ? pm->names[i] : "stdin");
		for (j = 0; j < i; j++)
			if (fds[j] == fds[i] || (!S_ISREG(st[i].st_mode) &&
			    st[j].st_dev == st[i].st_dev &&
			    st[j].st_ino == st[i].st_ino))
				prog_usage("%s and %s are the same input: its "
				    "records would be torn between two readers",
				    pm->names[j] ? pm->names[j] : "-",
				    pm->names[i] ? pm->names[i] : "-");
	}
	free(st);
}

/*
 * Opens every operand at once, without waiting: a FIFO opened before its
 * writer polls as neither readable nor ended (on Linux) until a writer
 * writes or comes and goes, so it is an input with nothing ready yet,
 * where a blocking open would hold up every other input.  A file that
 * cannot be opened is reported and skipped.
 */
static void
open_inputs(struct procmerge *pm, int argc, char **files)
{
	size_t j, k = 0, n = argc > 0 ? (size_t)argc : 1;
	int i, fd, *fds;

	if ((fds = reallocarray(NULL, n, sizeof(*fds))) == NULL ||
	    (pm->names = reallocarray(NULL, n, sizeof(*pm->names))) == NULL)
		err(EX_OSERR, NULL);
	if (argc == 0) {
		fds[k] = STDIN_FILENO;
		pm->names[k++] = NULL;
	}
	for (i = 0; i < argc; i++) {
		if (strcmp(files[i], "-") == 0)
			fd = STDIN_FILENO;
		else if ((fd = open(files[i], O_RDONLY | O_NONBLOCK |
		    O_CLOEXEC)) == -1) {
			warn("%s", files[i]);
			pm->noinput = 1;
			continue;
		}
		fds[k] = fd;
		pm->names[k++] = fd == STDIN_FILENO ? NULL : files[i];
	}
	if (merge_init(&pm->m, k, IN_CAP, pm->strict,
	    pm->bad.path != NULL) == -1 ||
	    (pm->pfd = reallocarray(NULL, IN0 + k, sizeof(*pm->pfd))) == NULL)
		err(EX_OSERR, NULL);
	pm->m.lines = pm->lines;
	refuse_same(pm, fds);
	for (j = 0; j < k; j++) {
		pm->m.ins[j].in.fd = fds[j];
		if (fds[j] == STDIN_FILENO && fd_nonblock(STDIN_FILENO) == -1)
			err(EX_IOERR, "stdin");
	}
	free(fds);
}

static void
close_input(struct procmerge *pm, size_t i)
{
	struct rbuf *in = &pm->m.ins[i].in;

	if (in->fd != STDIN_FILENO && in->fd != -1)
		(void)close(in->fd);
	in->fd = -1;
}

/*
 * Reads input i once.  At its end it is closed; after a read error too,
 * reported, where its last whole line ends: a part line cut short is no
 * record.
 */
static void
fill(struct procmerge *pm, size_t i)
{
	struct merge_in *mi = &pm->m.ins[i];
	struct rbuf *in = &mi->in;
	ssize_t n;

	if ((n = rbuf_fill(in)) > 0)
		mi->fresh = 1;
	if (n > 0 || n == BUF_AGAIN)
		return;
	if (n == -1) {
		warn("%s", pm->names[i] != NULL ? pm->names[i] : "stdin");
		pm->ioerr = 1;
		while (in->end > in->start && in->buf[in->end - 1] != '\n')
			in->end--;
		in->buf[in->end] = '\0';
		in->eof = 1;
	}
	close_input(pm, i);
}

/* Takes what the inputs hold until the merge needs I/O (or stops). */
static enum merge_ev
take(struct procmerge *pm)
{
	struct reader_line l;
	enum merge_ev ev;
	size_t i;

	for (;;) {
		switch (ev = merge_next(&pm->m, &pm->out, &i, &l)) {
		case MERGE_BAD:
			badrec_line(&pm->bad, pm->names[i],
			    pm->m.ins[i].rd.lineno, &l);
			break;
		case MERGE_REST:
			badrec_save(&pm->bad, l.p, l.save);
			break;
		default:
			return ev;
		}
		/* a dead-letter file that cannot be written stops it all */
		if (pm->bad.error != 0)
			return MERGE_STOP;
	}
}

static void
publish(struct procmerge *pm)
{
	pm->counts.in = pm->counts.out = pm->m.records;
	stats_publish(&pm->counts);
}

/*
 * Waits for a signal, room in standard output while something is queued,
 * or, when reading, an input ready, no later than deadline; then reads
 * every input that is ready once, so that each gets its turn.
 */
static void
wait_and_read(struct procmerge *pm, int reading, int64_t deadline)
{
	struct pollfd *p = pm->pfd;
	size_t i, n = pm->m.n;

	p[SIG].fd = sig_fd();
	p[SIG].events = POLLIN;
	p[OUT].fd = wbuf_pending(&pm->out) > 0 ? pm->out.fd : -1;
	p[OUT].events = POLLOUT;
	for (i = 0; i < n; i++) {
		p[IN0 + i].fd = reading && merge_wants(&pm->m, i) ?
		    pm->m.ins[i].in.fd : -1;
		p[IN0 + i].events = POLLIN;
	}
	if (loop_wait(p, (int)(IN0 + n), deadline) == -1)
		err(EX_OSERR, "poll");
	if (p[SIG].revents & POLLIN)
		run_signals(&pm->run);
	for (i = 0; i < n && pm->run.stopsig == 0; i++)
		if (p[IN0 + i].fd != -1 && p[IN0 + i].revents & POLLIN)
			fill(pm, i);
}

/*
 * The loop: merge what is there, write it out whenever nothing more is
 * ready (records never wait for another input), read what is ready;
 * until every input has ended, --strict stops, or a stop signal came
 * (then the whole records already read are still written).  A full
 * writer stops the reading of every input.
 */
static void
merge_all(struct procmerge *pm)
{
	enum merge_ev ev;

	for (;;) {
		ev = take(pm);
		if (ev == MERGE_STOP || (ev == MERGE_IDLE &&
		    (merge_ended(&pm->m) || pm->run.stopsig != 0)))
			return;
		run_flush(&pm->run);
		publish(pm);
		if (ev == MERGE_FULL && wbuf_pending(&pm->out) == 0)
			continue;
		/* an input ran dry: look for more of each without waiting */
		wait_and_read(pm, ev != MERGE_FULL,
		    ev == MERGE_DRY ? 0 : LOOP_NEVER);
	}
}

static int
finish(struct procmerge *pm)
{
	size_t i;
	char *nl;

	/*
	 * A long line a stop cut short ends where it was cut.  Its part
	 * was queued in room for one byte more, which the '\n' takes.
	 */
	if (pm->m.partial != MERGE_NONE &&
	    (nl = wbuf_reserve(&pm->out, 1)) != NULL) {
		*nl = '\n';
		wbuf_commit(&pm->out, 1);
	}
	run_write_out(&pm->run);
	publish(pm);
	for (i = 0; i < pm->m.n; i++) {
		if (reader_end(&pm->m.ins[i].rd))
			badrec_save(&pm->bad, "\n", 1);
		close_input(pm, i);
	}
	badrec_close(&pm->bad);
	badrec_summary(&pm->bad, pm->m.failed != MERGE_NONE);
	merge_free(&pm->m);
	free(pm->names);
	free(pm->pfd);
	run_end(&pm->run);
	if (pm->ioerr)
		return EX_IOERR;
	if (pm->noinput)
		return EX_NOINPUT;
	return pm->counts.bad > 0 ? EX_DATAERR : 0;
}

int
main(int argc, char *argv[])
{
	enum { OPT_LINES = OPT_PROGRAM };
	static const struct option longopts[] = {
		{ "lines",	no_argument,	NULL,	OPT_LINES },
		STAGE_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct procmerge pm;
	int ch;

	prog_init(argc, argv);
	memset(&pm, 0, sizeof(pm));
	badrec_init(&pm.bad, &pm.counts.bad);
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case OPT_STRICT:
			pm.strict = 1;
			break;
		case OPT_REJECTS:
			pm.bad.path = optarg;
			break;
		case OPT_LINES:
			pm.lines = 1;
			break;
		default:
			prog_option(ch, help);
		}
	}
	if (pm.lines && (pm.strict || pm.bad.path != NULL))
		prog_usage("--lines copies every line: it has no bad records "
		    "for --strict or --rejects");
	open_inputs(&pm, argc - optind, argv + optind);
	badrec_open(&pm.bad);
	run_setup(&pm.run, &pm.out, OUT_CAP, 0);
	merge_all(&pm);
	return finish(&pm);
}
