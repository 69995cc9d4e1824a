#include "stage.h"

#include <err.h>
#include <errno.h>
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
#define IN_CAP	(64 * 1024)
#define OUT_CAP	(128 * 1024)

enum consumed { DRAINED, OUT_FULL, STOPPED };

void
stage_init(struct stage *st, const struct stage_ops *ops, void *ctx)
{
	memset(st, 0, sizeof(*st));
	st->ops = ops;
	st->ctx = ctx;
	st->deadline = LOOP_NEVER;
	st->rejects_fd = -1;
}

void
stage_option(struct stage *st, int ch, const char *arg, const char *help)
{
	switch (ch) {
	case OPT_STRICT:
		st->strict = 1;
		break;
	case OPT_REJECTS:
		st->rejects = arg;
		break;
	default:
		prog_option(ch, help);
	}
}

static void
reject_save(struct stage *st, const char *p, size_t n)
{
	if (st->rejects_fd != -1 && badin_save(st->rejects_fd, p, n) == -1)
		err(EX_IOERR, "%s", st->rejects);
}

/* How a bad line ends, for the dead-letter file. */
enum ending { NEWLINE, END_OF_INPUT, CONTINUES };

/*
 * A bad line: warn (the first few), keep it verbatim in the dead-letter
 * file, with a newline where the input ended without one, and stop under
 * --strict.
 */
static void
bad_record(struct stage *st, enum rec_status why, const char *line,
    size_t n, enum ending ending)
{
	char excerpt[BADIN_EXCERPT_MAX];

	st->counts.bad++;
	if (st->counts.bad <= BADIN_SHOWN) {
		badin_excerpt(excerpt, line, n);
		warnx("line %ju: bad record \"%s\": %s", (uintmax_t)st->lineno,
		    excerpt, rec_strerror(why));
	}
	reject_save(st, line, n + (ending == NEWLINE));
	if (ending == END_OF_INPUT)
		reject_save(st, "\n", 1);
	if (st->strict)
		st->failed = 1;
}

/*
 * Takes every complete line out of the input buffer while the output has
 * room for what one record may make.  At end of input a last line without
 * '\n' counts as complete.
 */
static enum consumed
consume(struct stage *st)
{
	struct rbuf *in = &st->in;
	const char *p, *nl;
	size_t avail, len;
	int64_t v;
	int r;

	while ((avail = rbuf_avail(in)) > 0) {
		p = in->buf + in->start;
		if (st->skipping) {
			/* the rest of an overlong line: only to the rejects */
			nl = memchr(p, '\n', avail);
			len = nl != NULL ? (size_t)(nl - p) + 1 : avail;
			reject_save(st, p, len);
			in->start += len;
			if (nl != NULL)
				st->skipping = 0;
			continue;
		}
		if (wbuf_reserve(&st->out, st->ops->maxout) == NULL)
			return OUT_FULL;
		if ((len = rec_scan(p, &v)) > 0) {
			/* the common line, bare digits, parsed on the way */
			nl = p + --len;
			r = REC_OK;
		} else if ((nl = memchr(p, '\n', avail)) != NULL) {
			len = (size_t)(nl - p);
			/* a "\r" before the '\n' is not the line's own */
			if (len > REC_LINE_MAX && !(len == REC_LINE_MAX + 1 &&
			    p[len - 1] == '\r'))
				r = REC_LONG;
			else
				r = rec_parse(p, len, &v);
		} else if (avail > REC_LINE_MAX + 1) {
			/* too long already: report it, skip to its end */
			st->lineno++;
			bad_record(st, REC_LONG, p, avail, CONTINUES);
			st->skipping = 1;
			in->start += avail;
			if (st->failed)
				return STOPPED;
			continue;
		} else if (!in->eof)
			return DRAINED;
		else {
			len = avail;
			r = rec_parse(p, len, &v);
		}
		st->lineno++;
		in->start += len + (nl != NULL);
		if (r == REC_OK && (r = st->ops->record(st, v)) == REC_OK)
			st->counts.in++;
		else if (r != REC_BLANK) {
			bad_record(st, r, p, len,
			    nl != NULL ? NEWLINE : END_OF_INPUT);
			if (st->failed)
				return STOPPED;
		}
	}
	return DRAINED;
}

/*
 * The signals from the pipe: a stop, a second stop, or SIGUSR1, which is
 * answered by the main loop, never from inside a drain.
 */
static void
take_signals(struct stage *st)
{
	int sig;

	while ((sig = sig_take()) != 0) {
		if (sig == SIGUSR1) {
			st->usr1 = 1;
			continue;
		}
		if (st->stopsig != 0)
			prog_die(sig);	/* the second one stops at once */
		st->stopsig = sig;
	}
}

static void
flush(struct stage *st)
{
	if (wbuf_flush(&st->out) == -1)
		prog_ioerr("stdout");
}

void
stage_drain(struct stage *st)
{
	struct pollfd pfd[2];

	for (;;) {
		flush(st);
		if (wbuf_pending(&st->out) == 0)
			break;
		pfd[0].fd = st->out.fd;
		pfd[0].events = POLLOUT;
		pfd[1].fd = sig_fd();
		pfd[1].events = POLLIN;
		if (loop_wait(pfd, 2, LOOP_NEVER) == -1)
			err(EX_OSERR, "poll");
		if (pfd[1].revents & POLLIN)
			take_signals(st);
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
			stage_drain(st);
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
		stage_drain(st);
	wbuf_commit(&st->out, rec_format(p, v));
	st->counts.out++;
}

static void
setup(struct stage *st)
{
	if (rbuf_init(&st->in, STDIN_FILENO, IN_CAP) == -1 ||
	    wbuf_init(&st->out, STDOUT_FILENO, OUT_CAP) == -1)
		err(EX_OSERR, NULL);
	if (st->rejects != NULL &&
	    (st->rejects_fd = badin_open(st->rejects)) == -1)
		err(EX_IOERR, "%s", st->rejects);
	if (fd_nonblock(STDIN_FILENO) == -1)
		err(EX_IOERR, "stdin");
	if (fd_nonblock(STDOUT_FILENO) == -1)
		err(EX_IOERR, "stdout");
	prog_end_part_line();
	if (sig_catch(SIGINT) == -1 || sig_catch(SIGTERM) == -1 ||
	    (st->ops->usr1 != NULL && sig_catch(SIGUSR1) == -1))
		err(EX_OSERR, "sigaction");
	stats_attach();
}

static int
finish(struct stage *st)
{
	if (!st->failed && st->ops->finish != NULL)
		st->ops->finish(st);
	stage_drain(st);
	stats_publish(&st->counts);
	if (st->skipping)
		reject_save(st, "\n", 1);
	if (st->rejects_fd != -1 && close(st->rejects_fd) == -1)
		err(EX_IOERR, "%s", st->rejects);
	if (st->counts.bad > BADIN_SHOWN)
		warnx("%ju bad records, the first %d shown",
		    (uintmax_t)st->counts.bad, BADIN_SHOWN);
	else if (st->counts.bad > 0 && !st->failed)
		warnx("%ju bad record%s", (uintmax_t)st->counts.bad,
		    st->counts.bad == 1 ? "" : "s");
	rbuf_free(&st->in);
	wbuf_free(&st->out);
	if (st->stopsig != 0)
		prog_die(st->stopsig);
	return st->counts.bad > 0 ? EX_DATAERR : 0;
}

int
stage_run(struct stage *st)
{
	struct pollfd pfd[3];
	enum { SIG, IN, OUT };
	enum consumed c;
	int64_t now;
	int reading;

	setup(st);
	for (;;) {
		if ((c = consume(st)) == STOPPED)
			break;
		/* stopped by a signal, a part line left unread is dropped */
		reading = !st->in.eof && st->stopsig == 0;
		if (!reading && c == DRAINED)
			break;
		/* nothing more to do until something is ready: write it all */
		flush(st);
		stats_publish(&st->counts);
		if (c == OUT_FULL && wbuf_pending(&st->out) == 0)
			continue;

		pfd[SIG].fd = sig_fd();
		pfd[SIG].events = POLLIN;
		pfd[IN].fd = -1;
		pfd[IN].events = POLLIN;
		if (reading && rbuf_room(&st->in) > 0 &&
		    wbuf_reserve(&st->out, st->ops->maxout) != NULL)
			pfd[IN].fd = st->in.fd;
		pfd[OUT].fd = wbuf_pending(&st->out) > 0 ? st->out.fd : -1;
		pfd[OUT].events = POLLOUT;
		if (loop_wait(pfd, 3, st->deadline) == -1)
			err(EX_OSERR, "poll");

		if (pfd[SIG].revents & POLLIN)
			take_signals(st);
		if (st->usr1) {
			st->usr1 = 0;
			st->ops->usr1(st);
		}
		if (st->deadline != LOOP_NEVER &&
		    (now = loop_now()) >= st->deadline) {
			st->deadline = LOOP_NEVER;
			st->ops->tick(st, now);
		}
		/* POLLHUP too: read on to the end of input */
		if (pfd[IN].fd != -1 && pfd[IN].revents != 0 &&
		    st->stopsig == 0 && rbuf_fill(&st->in) == -1)
			err(EX_IOERR, "stdin");
	}
	return finish(st);
}
