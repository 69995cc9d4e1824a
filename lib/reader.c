/* SPDX-License-Identifier: ISC */
#include "reader.h"

#include <string.h>

#define NO_LINE	(-1)

void
reader_init(struct reader *rd, int strict, int rejects)
{
	memset(rd, 0, sizeof(*rd));
	rd->strict = strict;
	rd->rejects = rejects;
}

/*
 * Finds the line at the head of the input and parses it, the common line
 * (bare digits) in the same pass.  Returns its rec_status and sets *l,
 * *size (what it takes of the input) and l->v for REC_OK; or NO_LINE
 * while no whole line is there yet.  A line already too long to wait for
 * its end comes as REC_LONG and READER_CONTINUES.
 */
static int
next_line(const struct rbuf *in, struct reader_line *l, size_t *size)
{
	const char *p = in->buf + in->start, *nl;
	size_t avail, n;

	l->p = p;
	l->ending = READER_NEWLINE;
	if ((n = rec_scan(p, &l->v)) > 0) {
		*size = n;
		l->len = n - 1;
		return REC_OK;
	}
	if ((avail = rbuf_avail(in)) == 0)
		return NO_LINE;
	if ((nl = memchr(p, '\n', avail)) != NULL) {
		l->len = (size_t)(nl - p);
		*size = l->len + 1;
	} else if (avail > REC_LINE_MAX + 1) {
		*size = l->len = avail;
		l->ending = READER_CONTINUES;
		return REC_LONG;
	} else if (in->eof) {
		*size = l->len = avail;
		l->ending = READER_END_OF_INPUT;
	} else
		return NO_LINE;
	/* a "\r" before the '\n' is not the line's own */
	if (l->len > REC_LINE_MAX && !(l->len == REC_LINE_MAX + 1 &&
	    p[l->len - 1] == '\r'))
		return REC_LONG;
	return rec_parse(p, l->len, &l->v);
}

/* The rest of an overlong line goes to the dead-letter file only. */
static enum reader_ev
rest(struct reader *rd, struct rbuf *in, struct reader_line *l)
{
	const char *p = in->buf + in->start, *nl;
	size_t n = rbuf_avail(in);

	if (n == 0)
		return READER_MORE;
	l->ending = READER_CONTINUES;
	if ((nl = memchr(p, '\n', n)) != NULL) {
		n = (size_t)(nl - p) + 1;
		l->ending = READER_NEWLINE;
		rd->skipping = 0;
	}
	l->p = p;
	l->len = n - (nl != NULL);
	l->save = n;
	l->add_nl = 0;
	in->start += n;
	return READER_REST;
}

/* A bad line: what the dead-letter file gets, and where --strict stops. */
static enum reader_ev
bad(struct reader *rd, struct reader_line *l, enum rec_status why)
{
	l->why = why;
	/* verbatim, with a newline where the input ended without one */
	l->save = l->len + (l->ending == READER_NEWLINE);
	l->add_nl = l->ending == READER_END_OF_INPUT;
	if (rd->strict)
		rd->failed = 1;
	return READER_BAD;
}

enum reader_ev
reader_next_slow(struct reader *rd, struct rbuf *in, struct reader_line *l)
{
	size_t size;
	int r;

	if (rd->skipping && !reader_stopped(rd))
		return rest(rd, in, l);
	if (rd->failed)
		return READER_STOP;
	/* blank lines are counted and skipped without an event */
	do {
		if ((r = next_line(in, l, &size)) == NO_LINE)
			return READER_MORE;
		rd->lineno++;
		in->start += size;
	} while (r == REC_BLANK);
	if (r == REC_OK)
		return READER_RECORD;
	if (l->ending == READER_CONTINUES) {
		rd->skipping = 1;
		rd->long_at = rbuf_offset(in) - size;
	}
	return bad(rd, l, (enum rec_status)r);
}

enum reader_ev
reader_refuse(struct reader *rd, const struct rbuf *in,
    struct reader_line *l, enum rec_status why)
{
	const char *end = in->buf + in->start;

	/* a record ends where the input now begins, at its '\n' if any */
	l->ending = end[-1] == '\n' ? READER_NEWLINE : READER_END_OF_INPUT;
	l->len = (size_t)(end - l->p) - (l->ending == READER_NEWLINE);
	return bad(rd, l, why);
}

int
reader_end(struct reader *rd)
{
	int nl = rd->skipping;

	rd->skipping = 0;
	return nl;
}
