#include "source.h"

#include <err.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "fd.h"
#include "loop.h"
#include "prog.h"
#include "sig.h"

#define OUT_CAP	(128 * 1024)

void
source_init(struct source *src)
{
	memset(src, 0, sizeof(*src));
	src->count = -1;
}

void
source_option(struct source *src, int ch, const char *arg, const char *help)
{
	switch (ch) {
	case 'n':
		src->count = prog_int64("--count", arg, 0, INT64_MAX);
		break;
	case 'r':
		src->rate = prog_rate("--rate", arg);
		break;
	default:
		prog_option(ch, help);
	}
}

static void
take_signals(struct source *src)
{
	int sig;

	while ((sig = sig_take()) != 0) {
		if (src->stopsig != 0)
			prog_die(sig);	/* the second one stops at once */
		src->stopsig = sig;
	}
}

/* Waits for any of: stdout writable (if asked), a signal, the deadline. */
static void
wait_for(struct source *src, int want_out, int64_t deadline)
{
	struct pollfd pfd[2];

	pfd[0].fd = sig_fd();
	pfd[0].events = POLLIN;
	pfd[1].fd = want_out ? src->out.fd : -1;
	pfd[1].events = POLLOUT;
	if (loop_wait(pfd, 2, deadline) == -1)
		err(EX_OSERR, "poll");
	if (pfd[0].revents & POLLIN)
		take_signals(src);
}

static void
flush(struct source *src)
{
	if (wbuf_flush(&src->out) == -1)
		prog_ioerr("stdout");
}

/* How many records are due by now: all of them without a rate. */
static uint64_t
due(const struct source *src, int64_t start)
{
	uint64_t limit = src->count >= 0 ? (uint64_t)src->count : UINT64_MAX;
	double n;

	if (src->rate == 0)
		return limit;
	/* record k is due at start + k / rate: converting truncates */
	n = (double)(loop_now() - start) * src->rate / 1e9 + 1;
	return n >= (double)limit ? limit : (uint64_t)n;
}

int
source_run(struct source *src)
{
	uint64_t made = 0, limit, n, room;
	int64_t start, next;
	char *dst;

	if (wbuf_init(&src->out, STDOUT_FILENO, OUT_CAP) == -1)
		err(EX_OSERR, NULL);
	if (fd_nonblock(STDOUT_FILENO) == -1)
		err(EX_IOERR, "stdout");
	prog_end_part_line();
	if (sig_catch(SIGINT) == -1 || sig_catch(SIGTERM) == -1)
		err(EX_OSERR, "sigaction");
	stats_attach();

	start = loop_now();
	while (src->stopsig == 0 && made != (uint64_t)src->count) {
		/*
		 * Fill the buffer to the brim: room for n records of the
		 * longest size leaves room for more of the usual size.
		 */
		limit = due(src, start);
		while (made < limit && (room = (src->out.cap -
		    wbuf_pending(&src->out)) / src->maxout) > 0) {
			n = limit - made < room ? limit - made : room;
			dst = wbuf_reserve(&src->out, n * src->maxout);
			wbuf_commit(&src->out, src->fill(src, dst, n));
			made += n;
		}
		src->counts.out = made;
		/* about to wait, or the buffer is full: write it all */
		flush(src);
		stats_publish(&src->counts);
		if (wbuf_pending(&src->out) > 0)
			wait_for(src, 1, LOOP_NEVER);
		else if (src->rate > 0 && made != (uint64_t)src->count &&
		    made == due(src, start)) {
			/* the next is due at start + made / rate, rounded up */
			next = start + (int64_t)((double)made * 1e9 / src->rate) + 1;
			wait_for(src, 0, next);
		} else if (sig_pending())
			take_signals(src);
	}

	/* every record made is written out, then the stop is honoured */
	while (wbuf_pending(&src->out) > 0) {
		flush(src);
		if (wbuf_pending(&src->out) > 0)
			wait_for(src, 1, LOOP_NEVER);
	}
	wbuf_free(&src->out);
	if (src->stopsig != 0)
		prog_die(src->stopsig);
	return 0;
}
