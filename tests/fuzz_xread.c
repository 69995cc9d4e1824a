/* SPDX-License-Identifier: ISC */
/*
 * fuzz_xread: libFuzzer harness for what redissrc does with the server's
 * answers (lib/xread.c over hiredis's protocol reader and lib/reader.c).
 * The input is the bytes a server sends: hiredis parses them into
 * answers, which the harness walks as XREADGROUP's or XAUTOCLAIM's, as
 * the control byte says.  Any answer at all must be walked without a
 * crash, every entry handed out must lie inside the answer, and each
 * field must be cut into the records and bad lines a reference makes of
 * it, one rule at a time (sluice(7), BAD INPUT), whatever the size of the
 * reader's buffer.
 *
 * Input: 2 control bytes, then the protocol bytes.
 *   c[0]  1 the answers are XAUTOCLAIM's, 2 --strict, 4 a dead-letter file
 *   c[1]  the reader's buffer: REC_LINE_MAX + 2 + c[1] * 64 bytes
 */
#include <stdint.h>
#include <string.h>

#include <hiredis.h>

#include "fuzz.h"
#include "reader.h"
#include "record.h"
#include "xread.h"

#define F_CLAIM		1
#define F_STRICT	2
#define F_REJECTS	4

/* What the reference and the split make of one field. */
struct tally {
	uint64_t	records;
	uint64_t	bad;
	uint64_t	sum;	/* of the records, wrapping: their values */
	int		stopped;
};

/* The reference: the field at once, split at '\n', each line parsed. */
MODEL static void
reference(const char *d, size_t n, int strict, struct tally *t)
{
	size_t i = 0, len;
	const char *nl;
	enum rec_status s;
	int64_t v = 0;

	memset(t, 0, sizeof(*t));
	while (i < n) {
		nl = memchr(d + i, '\n', n - i);
		len = nl != NULL ? (size_t)(nl - (d + i)) : n - i;
		if (len > REC_LINE_MAX && !(len == REC_LINE_MAX + 1 &&
		    d[i + len - 1] == '\r'))
			s = REC_LONG;
		else
			s = rec_parse(d + i, len, &v);
		if (s == REC_OK) {
			t->records++;
			t->sum += (uint64_t)v;
		} else if (s != REC_BLANK) {
			t->bad++;
			if (strict) {
				t->stopped = 1;
				return;
			}
		}
		i += len + (nl != NULL);
	}
}

static void
split(struct xsplit *x, const char *v, size_t n, struct tally *t)
{
	struct reader_line l;
	enum reader_ev ev;

	memset(t, 0, sizeof(*t));
	xsplit_start(x, v, n);
	while ((ev = xsplit_next(x, &l)) != READER_MORE) {
		switch (ev) {
		case READER_RECORD:
			t->records++;
			t->sum += (uint64_t)l.v;
			break;
		case READER_BAD:
			t->bad++;
			CHECK(l.p >= x->in.buf && l.p + l.len <=
			    x->in.buf + x->in.end);
			break;
		case READER_STOP:
			t->stopped = 1;
			return;
		default:
			break;
		}
	}
}

/* Does [p, p + n) lie within one of the answer's strings? */
MODEL static int
inside(const redisReply *r, const char *p, size_t n)
{
	size_t k;

	if (r->type == REDIS_REPLY_ARRAY) {
		for (k = 0; k < r->elements; k++)
			if (inside(r->element[k], p, n))
				return 1;
		return 0;
	}
	return r->str != NULL && p >= r->str && p + n <= r->str + r->len;
}

static void
walk(const redisReply *rep, int flags, struct xsplit *x)
{
	struct tally got, want;
	struct xentry e;
	struct xwalk w;
	const char *cursor;
	size_t len;
	int r;

	if (flags & F_CLAIM)
		r = xwalk_claim(&w, rep, &cursor, &len);
	else
		r = xwalk_read(&w, rep);
	if (r == -1)
		return;
	if (flags & F_CLAIM)
		CHECK(inside(rep, cursor, len));
	while ((r = xwalk_next(&w, &e)) != 0) {
		if (r == -1)
			continue;
		CHECK(e.id != NULL && e.idlen > 0 && e.idlen < XREAD_ID_MAX);
		CHECK(inside(rep, e.id, e.idlen));
		if (e.v == NULL)
			continue;
		CHECK(inside(rep, e.v, e.vlen) || e.vlen == 0);
		split(x, e.v, e.vlen, &got);
		reference(e.v, e.vlen, flags & F_STRICT, &want);
		CHECK(got.records == want.records);
		CHECK(got.sum == want.sum);
		CHECK(got.bad == want.bad);
		CHECK(got.stopped == want.stopped);
	}
}

/*
 * hiredis 0.14 believes the length an array's header declares and
 * allocates room for it at once: "*2000000000" asks for 16 GB, which
 * fails (the connection then drops with "Out of memory") or, here, trips
 * libFuzzer's memory limit.  That is hiredis's to fix (1.0 caps it), not
 * ours: inputs that declare more than any input can hold are skipped.
 */
MODEL static int
too_big(const uint8_t *p, size_t n)
{
	size_t i;
	uint64_t v;

	for (i = 0; i < n; i++) {
		if (p[i] != '*' && p[i] != '$')
			continue;
		for (v = 0; i + 1 < n && p[i + 1] >= '0' && p[i + 1] <= '9';
		    i++)
			if ((v = v * 10 + (p[i + 1] - '0')) > 65536)
				return 1;
	}
	return 0;
}

int	LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xsplit x;
	redisReader *rd;
	void *rep;
	int flags;

	if (size < 2 || too_big(data + 2, size - 2))
		return 0;
	flags = data[0];
	if (xsplit_init(&x, REC_LINE_MAX + 2 + (size_t)data[1] * 64,
	    flags & F_STRICT, flags & F_REJECTS) == -1)
		return 0;
	if ((rd = redisReaderCreate()) == NULL) {
		xsplit_free(&x);
		return 0;
	}
	if (redisReaderFeed(rd, (const char *)data + 2, size - 2) == REDIS_OK)
		while (redisReaderGetReply(rd, &rep) == REDIS_OK &&
		    rep != NULL) {
			walk(rep, flags, &x);
			freeReplyObject(rep);
		}
	redisReaderFree(rd);
	xsplit_free(&x);
	return 0;
}
