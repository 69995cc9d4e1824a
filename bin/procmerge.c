/* SPDX-License-Identifier: ISC */
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
#include "held.h"
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

/*
 * Room for this many marks (below) and one call's more: once they wait
 * for the writer, the merge takes nothing until it has written past
 * the oldest (each call leaves at most one mark an input).
 */
#define MARKS_MIN	256

enum { SIG, OUT, IN0 };		/* the poll slots; input i is IN0 + i */

/*
 * Crash safety under pipesup (sluice(7), CRASH SAFETY): an input that is a
 * pipe is held (lib/held.c) and consumed only up to what the output
 * made of it has been written.  The output interleaves the inputs, so
 * each call of the merge leaves a mark for each input it took from: the
 * output offset where what it wrote ends, and that input's offset after
 * what it took.  Once the writer has written past a mark, its input is
 * answered up to the mark's offset, and consumed there (never beyond the
 * start of an overlong line in progress, which a successor must see
 * whole).  So a procmerge killed at any moment leaves its successor
 * every line whose output it had not written, and repeats at most the
 * output of one call of the merge, no more than one buffer of output.
 *
 * Unlike a stage that keeps a window (stage.c, held_release_at), it
 * never consumes input it has not answered, however much that is, so
 * no run of the merge can go past what the held pipe may keep and be
 * consumed as read; nor does it wait for input to write what it took,
 * so a pipe full of unanswered lines drains as the writer writes.  What
 * it reads ahead stays in the pipe: the pipe bounds it.
 */
struct mark {
	uint64_t	 out;		/* output offset its records end at */
	uint64_t	 off;		/* its input's offset after them */
	size_t		 in;
};

struct held_in {
	struct held	 h;
	int		 fd;		/* the held pipe, as opened */
	int		 on;		/* held: a pipe, under pipesup */
	uint64_t	 marked;	/* offset of its last mark */
	uint64_t	 done;		/* answered: its output is written */
};

struct procmerge {
	struct merge		 m;
	const char		**names;	/* each input's; NULL: stdin */
	struct pollfd		*pfd;
	struct held_in		*hin;		/* each input's, NULL: none held */
	struct mark		*marks;		/* a ring, oldest at head */
	size_t			 nmarks, head, maxmarks;
	uint64_t		 written;	/* output bytes in standard output */
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
 * Under pipesup (SLUICE_HELD=1), holds every input that is a pipe or
 * FIFO; regular files are read as they come.  An input that cannot be
 * held (a pipe too small that cannot be grown) is read as it comes too.
 */
static void
hold_inputs(struct procmerge *pm, const int *fds)
{
	struct held_in *hi;
	struct stat st;
	size_t i, held = 0, n = pm->m.n;

	if ((pm->hin = calloc(n, sizeof(*pm->hin))) == NULL ||
	    (pm->marks = reallocarray(NULL, MARKS_MIN + n,
	    sizeof(*pm->marks))) == NULL)
		err(EX_OSERR, NULL);
	pm->maxmarks = MARKS_MIN + n;
	for (i = 0; i < n; i++) {
		hi = &pm->hin[i];
		hi->fd = fds[i];
		if (fstat(fds[i], &st) == -1 || !S_ISFIFO(st.st_mode))
			continue;
		if (held_open(&hi->h, fds[i]) == -1) {
			warn("cannot hold %s, reading it as it comes",
			    pm->names[i] != NULL ? pm->names[i] : "stdin");
			continue;
		}
		hi->on = 1;
		pm->m.ins[i].in.fd = held_fd(&hi->h);
		held++;
	}
	if (held == 0) {
		free(pm->hin);
		free(pm->marks);
		pm->hin = NULL;
		pm->marks = NULL;
	}
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
	/*
	 * --lines does not hold its inputs: held, a line longer than an
	 * input's buffer stalled it after its first part (a known bug, not
	 * yet understood), and a stall is worse than what a crash loses.
	 */
	if (held_requested() && !pm->lines)
		hold_inputs(pm, fds);
	free(fds);
}

static int
held_on(const struct procmerge *pm, size_t i)
{
	return pm->hin != NULL && pm->hin[i].on;
}

/*
 * A held input stays open to its end (finish): what was read of it is
 * consumed as its output is written, after its end came too.
 */
static void
close_input(struct procmerge *pm, size_t i)
{
	struct rbuf *in = &pm->m.ins[i].in;

	if (held_on(pm, i)) {
		held_close(&pm->hin[i].h);
		pm->hin[i].on = 0;
		in->fd = pm->hin[i].fd;
	}
	if (in->fd != STDIN_FILENO && in->fd != -1)
		(void)close(in->fd);
	in->fd = -1;
}

/*
 * The writer wrote what was pending before (pending: the bytes queued
 * then): each input whose marks it passed is answered there, and
 * consumed up to that, but never past the start of a line in progress.
 */
static void
settle(struct procmerge *pm, size_t pending)
{
	struct merge_in *mi;
	struct held_in *hi;
	struct mark *k;
	size_t i;

	pm->written += pending - wbuf_pending(&pm->out);
	if (pm->hin == NULL)
		return;
	for (; pm->nmarks > 0; pm->nmarks--) {
		k = &pm->marks[pm->head];
		if (k->out > pm->written)
			break;
		if (k->off > pm->hin[k->in].done)
			pm->hin[k->in].done = k->off;
		if (++pm->head == pm->maxmarks)
			pm->head = 0;
	}
	for (i = 0; i < pm->m.n; i++) {
		if (!held_on(pm, i))
			continue;
		hi = &pm->hin[i];
		mi = &pm->m.ins[i];
		/*
		 * done for the offset: procmerge never consumes what it
		 * has not answered, so a crash loses nothing however much
		 * is unanswered; held_release_at() still steps over an
		 * overlong line too large to keep.
		 */
		if (held_consume(&hi->h, held_release_at(&hi->h, hi->done,
		    hi->done, reader_line_start(&mi->rd, &mi->in))) == -1)
			err(EX_IOERR, "%s", pm->names[i] != NULL ?
			    pm->names[i] : "stdin");
	}
}

/*
 * After a call of the merge: a mark for each held input it took from,
 * at the end of the output queued so far.
 */
static void
mark(struct procmerge *pm)
{
	struct held_in *hi;
	struct mark *k;
	uint64_t off;
	size_t i;

	if (pm->hin == NULL)
		return;
	for (i = 0; i < pm->m.n; i++) {
		hi = &pm->hin[i];
		if (!hi->on ||
		    (off = held_offset(&hi->h, &pm->m.ins[i].in)) == hi->marked)
			continue;
		k = &pm->marks[(pm->head + pm->nmarks++) % pm->maxmarks];
		k->out = pm->written + wbuf_pending(&pm->out);
		k->off = hi->marked = off;
		k->in = i;
	}
	/* what made no output (bad lines) is answered at once */
	settle(pm, wbuf_pending(&pm->out));
}

/*
 * Is the merge to wait for the writer before it takes more, because the
 * marks could not take one more call's?
 */
static int
marks_full(const struct procmerge *pm)
{
	return pm->hin != NULL && pm->nmarks + pm->m.n > pm->maxmarks;
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

	n = held_on(pm, i) ? held_fill(&pm->hin[i].h, in) : rbuf_fill(in);
	if (n > 0)
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
	if (!held_on(pm, i))
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
		if (marks_full(pm))
			return MERGE_FULL;
		ev = merge_next(&pm->m, &pm->out, &i, &l);
		mark(pm);
		switch (ev) {
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
	int64_t retry = LOOP_NEVER, now = 0;

	p[SIG].fd = sig_fd();
	p[SIG].events = POLLIN;
	p[OUT].fd = wbuf_pending(&pm->out) > 0 ? pm->out.fd : -1;
	p[OUT].events = POLLOUT;
	for (i = 0; i < n; i++) {
		p[IN0 + i].fd = -1;
		p[IN0 + i].events = POLLIN;
		if (!reading || !merge_wants(&pm->m, i))
			continue;
		if (!held_on(pm, i)) {
			p[IN0 + i].fd = pm->m.ins[i].in.fd;
			continue;
		}
		p[IN0 + i].fd = held_pollfd(&pm->hin[i].h);
		if (held_deadline(&pm->hin[i].h) < retry)
			retry = held_deadline(&pm->hin[i].h);
	}
	if (loop_wait(p, (int)(IN0 + n), retry < deadline ? retry :
	    deadline) == -1)
		err(EX_OSERR, "poll");
	if (p[SIG].revents & POLLIN)
		run_signals(&pm->run);
	if (retry != LOOP_NEVER)
		now = loop_now();
	for (i = 0; i < n && pm->run.stopsig == 0; i++)
		if (p[IN0 + i].fd != -1 && (p[IN0 + i].revents & POLLIN ||
		    (held_on(pm, i) && retry != LOOP_NEVER &&
		    now >= held_deadline(&pm->hin[i].h))))
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
	size_t pending;

	for (;;) {
		ev = take(pm);
		if (ev == MERGE_STOP || (ev == MERGE_IDLE &&
		    (merge_ended(&pm->m) || pm->run.stopsig != 0)))
			return;
		pending = wbuf_pending(&pm->out);
		run_flush(&pm->run);
		settle(pm, pending);
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
	size_t i, pending;
	char *nl;

	pending = wbuf_pending(&pm->out);
	/*
	 * A long line a stop cut short ends where it was cut.  Its part
	 * was queued in room for one byte more, which the '\n' takes; it
	 * is in no mark, so it is not counted in pending.
	 */
	if (pm->m.partial != MERGE_NONE &&
	    (nl = wbuf_reserve(&pm->out, 1)) != NULL) {
		*nl = '\n';
		wbuf_commit(&pm->out, 1);
	}
	run_write_out(&pm->run);
	settle(pm, pending);
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
	free(pm->hin);
	free(pm->marks);
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
	/*
	 * Held, a crash repeats at most one call of the merge's output:
	 * the 60 KiB a write splices, as every stage under pipesup.
	 */
	run_setup(&pm.run, &pm.out, pm.hin != NULL ? WBUF_SPLICE_MAX :
	    OUT_CAP, 0);
	merge_all(&pm);
	return finish(&pm);
}
