/* SPDX-License-Identifier: ISC */
#include "source.h"

#include <string.h>

#include "loop.h"
#include "prog.h"
#include "sig.h"

/*
 * Into a pipe a write takes at most WBUF_SPLICE_MAX (60 KiB) at once:
 * more would only be more memory, 64 KiB of RSS while the reader stalls.
 */
#define OUT_CAP	((size_t)64 * 1024)

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

	run_setup(&src->run, &src->out, OUT_CAP, 0);
	if (src->count > 0)
		stats_publish_total((uint64_t)src->count);
	start = loop_now();
	while (src->run.stopsig == 0 && made != (uint64_t)src->count) {
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
		run_flush(&src->run);
		stats_publish(&src->counts);
		if (wbuf_pending(&src->out) > 0)
			run_wait(&src->run, 1, LOOP_NEVER);
		else if (src->rate > 0 && made != (uint64_t)src->count &&
		    made == due(src, start)) {
			/* the next is due at start + made / rate, rounded up */
			next = start + (int64_t)((double)made * 1e9 / src->rate) + 1;
			run_wait(&src->run, 0, next);
		} else if (sig_pending())
			run_signals(&src->run);
	}

	/* every record made is written out, then the stop is honoured */
	run_write_out(&src->run);
	run_end(&src->run);
	return 0;
}
