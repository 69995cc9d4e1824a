/* SPDX-License-Identifier: ISC */
#include "stage.h"

#include <err.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fd.h"
#include "loop.h"
#include "sig.h"

/*
 * A read takes what a pipe holds at once (64 KiB by default); the writer
 * has room for the expansion a sink like procprint makes of it.
 */
#define IN_CAP	((size_t)64 * 1024)
#define OUT_CAP	((size_t)128 * 1024)

/*
 * Why consume() returned: no whole line is left in the input, the output
 * has no room for what one more record may make, or --strict stopped.
 */
enum consumed { NEED_INPUT, OUT_FULL, PAUSED, STOPPED };

void
stage_init(struct stage *st, const struct stage_ops *ops, void *ctx)
{
	memset(st, 0, sizeof(*st));
	st->ops = ops;
	st->ctx = ctx;
	st->deadline = LOOP_NEVER;
	st->nio = 1;
	badrec_init(&st->bad, &st->counts.bad);
	reader_init(&st->rd, 0, 0);
}

void
stage_option(struct stage *st, int ch, const char *arg, const char *help)
{
	switch (ch) {
	case OPT_STRICT:
		st->rd.strict = 1;
		break;
	case OPT_REJECTS:
		st->bad.path = arg;
		st->rd.rejects = 1;
		break;
	default:
		prog_option(ch, help);
	}
}

/*
 * Handles every whole line in the input while the output has room for
 * what one record may make.  A dead-letter file that cannot be written
 * stops the stage as --strict would, so that the good records read
 * before are still written out; finish() then exits 74.
 */
static enum consumed
consume(struct stage *st)
{
	struct reader_line l;
	uint64_t n;
	size_t took;
	int r;

	/*
	 * Under pipesup, output left from before (a write that took part
	 * of it) is all written, and its input released, before more is
	 * made: a crash then repeats at most one buffer of output.
	 */
	if (st->holding && wbuf_pending(&st->out) > 0)
		return OUT_FULL;
	for (;;) {
		if (rbuf_avail(&st->in) == 0)
			return NEED_INPUT;
		if (st->paused)
			return PAUSED;
		if (st->ops->canon != NULL &&
		    (st->rd.skipping | st->rd.failed) == 0 &&
		    (took = st->ops->canon(st, st->in.buf + st->in.start,
		    rbuf_avail(&st->in), &n)) > 0) {
			st->in.start += took;
			st->rd.lineno += n;
			st->counts.in += n;
			continue;
		}
		/* the rest of an overlong line makes no output */
		if (!st->rd.skipping &&
		    wbuf_reserve(&st->out, st->ops->maxout) == NULL)
			return OUT_FULL;
		switch (reader_next(&st->rd, &st->in, &l)) {
		case READER_MORE:
			return NEED_INPUT;
		case READER_STOP:
			return STOPPED;
		case READER_RECORD:
			if ((r = st->ops->record(st, l.v)) == REC_OK) {
				st->counts.in++;
				continue;
			}
			reader_refuse(&st->rd, &st->in, &l, (enum rec_status)r);
			/* FALLTHROUGH */
		case READER_BAD:
			badrec_line(&st->bad, st->name, st->rd.lineno, &l);
			break;
		case READER_REST:
			badrec_save(&st->bad, l.p, l.save);
			break;
		}
		if (reader_stopped(&st->rd) || st->bad.error != 0)
			return STOPPED;
	}
}

/*
 * Under pipesup, once all that was queued is written: consume the input
 * it was made from, so that a successor does not read it again.
 */
static void
release(struct stage *st)
{
	uint64_t off;

	off = held_offset(&st->held, &st->in);
	/* a successor must see an overlong line from its start, as bad */
	if (held_consume(&st->held, held_release_at(&st->held, off,
	    st->ops->keeps ? st->answered : off,
	    reader_line_start(&st->rd, &st->in))) == -1)
		err(EX_IOERR, "stdin");
}

/*
 * Writes what the reader takes now.  A stage whose records make no
 * output (maxout 0: the sinks that report figures) is done with its
 * input once it has read it, even while a report waits to be written,
 * so that no successor counts again what a report already counted.
 */
static void
flush(struct stage *st)
{
	run_flush(&st->run);
	if (st->holding && (wbuf_pending(&st->out) == 0 ||
	    st->ops->maxout == 0))
		release(st);
}

void
stage_write_out(struct stage *st)
{
	run_write_out(&st->run);
	if (st->holding)
		release(st);
}

void
stage_answered(struct stage *st)
{
	if (st->holding)
		st->answered = held_offset(&st->held, &st->in);
}

uint64_t
stage_offset(const struct stage *st)
{
	return st->holding ? held_offset(&st->held, &st->in) :
	    rbuf_offset(&st->in);
}

void
stage_answered_at(struct stage *st, uint64_t off)
{
	if (st->holding)
		st->answered = off;
}

size_t
stage_keep_max(const struct stage *st)
{
	return st->holding ? held_keep_max(&st->held) : SIZE_MAX;
}

/*
 * Asks the program's io_poll(), if any, to fill the nio slots at p;
 * returns the earlier deadline.
 */
static int64_t
io_poll(struct stage *st, struct pollfd *p, int64_t deadline)
{
	int64_t at;
	size_t k;

	for (k = 0; k < st->nio; k++) {
		p[k].fd = -1;
		p[k].events = 0;
		p[k].revents = 0;
	}
	if (st->ops->io_poll == NULL)
		return deadline;
	at = st->ops->io_poll(st, p, st->nio);
	return at < deadline ? at : deadline;
}

void
stage_io_wait(struct stage *st)
{
	struct pollfd *pfd = st->pfd;
	int64_t deadline;

	flush(st);
	pfd[0].fd = sig_fd();
	pfd[0].events = POLLIN;
	deadline = io_poll(st, &pfd[1], LOOP_NEVER);
	if (loop_wait(pfd, 1 + (int)st->nio, deadline) == -1)
		err(EX_OSERR, "poll");
	if (pfd[0].revents & POLLIN)
		run_signals(&st->run);
	st->ops->io(st, &pfd[1], st->nio);
}

void
stage_operands(struct stage *st, int n, char **files)
{
	st->files = files;
	st->nfiles = n;
}

/*
 * Opens the next operand that opens, as the input to read: returns 1, or
 * 0 when none is left.  A FIFO's open waits for a writer, as cat's does.
 */
static int
next_file(struct stage *st)
{
	const char *path;
	int fd;

	for (; st->nfiles > 0; st->files++, st->nfiles--) {
		path = st->files[0];
		if (strcmp(path, "-") == 0)
			fd = STDIN_FILENO;
		else if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
			warn("%s", path);
			st->noinput = 1;
			continue;
		}
		if (fd != STDIN_FILENO && fd_nonblock(fd) == -1)
			err(EX_IOERR, "%s", path);
		st->files++;
		st->nfiles--;
		st->name = fd == STDIN_FILENO ? NULL : path;
		st->rd.lineno = 0;
		st->in.fd = fd;
		st->in.eof = 0;
		return 1;
	}
	return 0;
}

/* The file read to its end: close it, unless it is standard input. */
static void
end_file(struct stage *st)
{
	if (st->in.fd != STDIN_FILENO && !st->holding &&
	    close(st->in.fd) == -1)
		err(EX_IOERR, "%s", st->name);
	st->in.fd = -1;
}

/*
 * Reads more, from the next file once one ends: the files are one
 * stream, as cat makes them (a last line without '\n' goes on in the
 * next file).
 */
static ssize_t
fill(struct stage *st)
{
	ssize_t n;

	for (;;) {
		n = st->holding ? held_fill(&st->held, &st->in) :
		    rbuf_fill(&st->in);
		if (n == -1 && st->name != NULL)
			err(EX_IOERR, "%s", st->name);
		if (n != 0 || st->nfiles == 0)
			return n;
		end_file(st);
		if (!next_file(st)) {
			st->in.eof = 1;
			return 0;
		}
	}
}

void
stage_write(struct stage *st, const void *p, size_t n)
{
	const char *s = p;
	size_t room, take;
	char *dst;

	while (n > 0) {
		room = st->out.cap - wbuf_pending(&st->out);
		if (room == 0) {
			stage_write_out(st);
			continue;
		}
		take = n < room ? n : room;
		dst = wbuf_reserve(&st->out, take);
		memcpy(dst, s, take);
		wbuf_commit(&st->out, take);
		s += take;
		n -= take;
	}
}

void
stage_printf(struct stage *st, const char *fmt, ...)
{
	char small[512], *big = NULL;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(small, sizeof(small), fmt, ap);
	va_end(ap);
	if (n < 0)
		err(EX_SOFTWARE, "vsnprintf");
	if ((size_t)n >= sizeof(small)) {
		if ((big = malloc((size_t)n + 1)) == NULL)
			err(EX_OSERR, NULL);
		va_start(ap, fmt);
		vsnprintf(big, (size_t)n + 1, fmt, ap);
		va_end(ap);
	}
	stage_write(st, big != NULL ? big : small, (size_t)n);
	free(big);
}

void
stage_emit(struct stage *st, int64_t v)
{
	char *p;

	while ((p = wbuf_reserve(&st->out, REC_FMT_MAX)) == NULL)
		stage_write_out(st);
	wbuf_commit(&st->out, rec_format(p, v));
	st->counts.out++;
}

static void
setup(struct stage *st)
{
	size_t outcap = OUT_CAP;
	int fd = STDIN_FILENO, only_stdin;

	/* pipesup holds standard input: when it is all that is read */
	only_stdin = st->nfiles == 0 ||
	    (st->nfiles == 1 && strcmp(st->files[0], "-") == 0);
	if (only_stdin)
		st->nfiles = 0;
	if (held_wanted(STDIN_FILENO) && only_stdin) {
		if (held_open(&st->held, STDIN_FILENO) == -1)
			warn("cannot hold stdin, reading it as it comes");
		else {
			st->holding = 1;
			fd = held_fd(&st->held);
			/*
			 * Input is consumed each time the output is all
			 * written: a crash repeats at most one write, which
			 * into a pipe is one splice of whole chunks.  One
			 * of PIPE_BUF cost twice the time of this one.
			 */
			if (st->ops->maxout <= PIPE_BUF)
				outcap = WBUF_SPLICE_MAX;
		}
	}
	if (rbuf_init(&st->in, fd, IN_CAP) == -1 ||
	    (st->pfd = reallocarray(NULL, 3 + st->nio,
	    sizeof(*st->pfd))) == NULL)
		err(EX_OSERR, NULL);
	if (!only_stdin && !next_file(st)) {
		st->in.fd = -1;
		st->in.eof = 1;		/* none opened: nothing to read */
	}
	badrec_open(&st->bad);
	if (fd_nonblock(STDIN_FILENO) == -1)
		err(EX_IOERR, "stdin");
	run_setup(&st->run, &st->out, outcap, st->ops->usr1 != NULL);
}

static int
finish(struct stage *st)
{
	/*
	 * --strict (or a dead-letter file that failed) skips a final
	 * report, which would pass for the whole stream's figures; but a
	 * stage with io() delivers in finish() what it has read, as
	 * stage_write_out() below writes out what is queued.
	 */
	if (st->ops->finish != NULL && (st->ops->io != NULL ||
	    (!st->rd.failed && st->bad.error == 0)))
		st->ops->finish(st);
	stage_write_out(st);
	stats_publish(&st->counts);
	if (reader_end(&st->rd))
		badrec_save(&st->bad, "\n", 1);
	badrec_close(&st->bad);
	badrec_summary(&st->bad, st->rd.failed);
	if (st->in.fd != -1)
		end_file(st);
	rbuf_free(&st->in);
	free(st->pfd);
	if (st->holding)
		held_close(&st->held);
	if (st->ioerr)
		exit(EX_IOERR);
	run_end(&st->run);
	if (st->noinput)
		return EX_NOINPUT;
	return st->counts.bad > 0 ? EX_DATAERR : 0;
}

int
stage_run(struct stage *st)
{
	struct pollfd *pfd;
	enum { SIG, IN, OUT, IO };
	enum consumed c;
	int64_t now, retry, deadline;
	int reading;

	setup(st);
	pfd = st->pfd;
	for (;;) {
		if ((c = consume(st)) == STOPPED)
			break;
		/* stopped by a signal, a part line left unread is dropped */
		reading = !st->in.eof && st->run.stopsig == 0;
		if (!reading && c == NEED_INPUT)
			break;
		/* nothing more to do until something is ready: write it all */
		flush(st);
		stats_publish(&st->counts);
		if (c == OUT_FULL && wbuf_pending(&st->out) == 0)
			continue;

		/* first: what the program writes there may pause it, or not */
		deadline = io_poll(st, &pfd[IO], st->deadline);
		if (c == PAUSED && !st->paused)
			continue;
		pfd[SIG].fd = sig_fd();
		pfd[SIG].events = POLLIN;
		pfd[IN].fd = -1;
		pfd[IN].events = POLLIN;
		if (reading && !st->paused && rbuf_room(&st->in) > 0 &&
		    wbuf_reserve(&st->out, st->ops->maxout) != NULL &&
		    !(st->holding && wbuf_pending(&st->out) > 0))
			pfd[IN].fd = st->holding ?
			    held_pollfd(&st->held) : st->in.fd;
		pfd[OUT].fd = wbuf_pending(&st->out) > 0 ? st->out.fd : -1;
		pfd[OUT].events = POLLOUT;
		retry = st->holding && pfd[IN].fd != -1 ?
		    held_deadline(&st->held) : LOOP_NEVER;
		if (retry < deadline)
			deadline = retry;
		if (loop_wait(pfd, 3 + (int)st->nio, deadline) == -1)
			err(EX_OSERR, "poll");

		if (pfd[SIG].revents & POLLIN)
			run_signals(&st->run);
		if (st->run.usr1) {
			st->run.usr1 = 0;
			st->ops->usr1(st);
		}
		if (st->deadline != LOOP_NEVER &&
		    (now = loop_now()) >= st->deadline) {
			st->deadline = LOOP_NEVER;
			st->ops->tick(st, now);
		}
		if (st->ops->io != NULL)
			st->ops->io(st, &pfd[IO], st->nio);
		if (pfd[IN].fd != -1 && (pfd[IN].revents & POLLIN ||
		    (retry != LOOP_NEVER && loop_now() >= retry)) &&
		    st->run.stopsig == 0 && fill(st) == -1)
			err(EX_IOERR, "stdin");
	}
	return finish(st);
}
