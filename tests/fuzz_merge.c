/* SPDX-License-Identifier: ISC */
/*
 * fuzz_merge: libFuzzer harness for lib/merge.c, procmerge's core.  The
 * input makes up to four inputs of lines (records in every lenient form,
 * bad lines, overlong ones, blank ones) and a schedule: which input gets
 * how many bytes next, whether a read would block, how much of the
 * output its reader takes when the writer is full.  The harness drives
 * merge_next() as bin/procmerge.c does and checks, against a reference
 * that splits each input whole:
 *
 * - every line written is a canonical record, and the records of each
 *   input come out all, once, whole and in their order (every record's
 *   value says which input it is from and which of its records it is, so
 *   a torn or misplaced one shows);
 * - each bad line is reported with its input and line number, and the
 *   dead-letter file holds each input's bad lines verbatim, in order and
 *   whole (a bad line starts with its input's letter);
 * - fairness: while an input has a good record ready at the head of its
 *   lines, the others write at most MERGE_QUANTUM records each before it
 *   writes one;
 * - --strict: the first bad line in the merged order stops everything,
 *   after the records before it; the dead-letter file gets that line.
 *
 * Input: 4 control bytes, then items up to a byte 0xff, then the schedule.
 *   c[0]  1 --strict, 2 no dead-letter file, 0x0c the number of inputs
 *         less 1, 0x10..0x80 input k's last line has no '\n' (bit 4 + k)
 *   c[1]  each rbuf's capacity, from REC_LINE_MAX + 2 up to 64 KiB
 *   c[2]  the writer's capacity, from REC_FMT_MAX up to 128 KiB
 *   c[3]  1 --lines: every line as it came (--strict and the dead-letter
 *         file are off); then each input's lines, blank, bad, overlong
 *         or good, must come out all, verbatim, whole and in order, the
 *         last given its '\n', however the writer's size cuts a long one
 *   item  a line for input b & 3 (of those there are): (b >> 2) & 15 is
 *         its kind (see add_line)
 *   schedule byte s, used in turn and again from the first: in each
 *         round of reads (when the merge is idle or an input ran dry,
 *         as procmerge polls), one for each input, s >> 2 the bytes it
 *         reads (0: a read that would block; see amount); when the
 *         writer is full, the bytes its reader takes
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer.h"
#include "buf.h"
#include "fuzz.h"
#include "merge.h"
#include "reader.h"
#include "record.h"

#define CTL		4
#define MAXIN		4
#define F_STRICT	0x01
#define F_NOREJ		0x02
#define BIG		((int64_t)1000000000000)	/* the "large" form */

/* A good record or a bad line, the reference's view of one input. */
struct item {
	int		 bad;
	uint64_t	 lineno;
	int64_t		 v;		/* good: its value */
	size_t		 off, len;	/* bad: its text in the data */
	size_t		 end;		/* offset after its line (and '\n') */
};

struct input {
	char		*d;		/* its data */
	size_t		 n, max;
	uint64_t	 records;	/* made so far, for the next value */
	struct item	*it;		/* the reference */
	size_t		 nit;
	size_t		 given;		/* bytes put in its rbuf */
	int		 eof_given;
	size_t		 taken;		/* items the merge has taken */
	size_t		 nout;		/* records seen in the output */
	size_t		 wait;		/* others' records while it waits */
};

struct run {
	struct input	*in;		/* nin of them */
	size_t		 nin;
	int		 flags;
	const uint8_t	*sched;
	size_t		 nsched, at;
	uint64_t	 seen;		/* bytes of the output checked */
	uint64_t	 drained;	/* bytes of it its reader took */
	char		*rej;		/* the dead-letter file */
	size_t		 nrej, maxrej;
	size_t		 nbad;		/* bad events */
	int		 lines;		/* --lines */
	char		*got;		/* --lines: the output its reader took */
	size_t		 ngot, maxgot;
};

GCC_LEAK_FP_BEGIN
MODEL static void
grow(char **p, size_t *max, size_t need)
{
	char *more;

	if (need <= *max)
		return;
	while (*max < need)
		*max = *max == 0 ? 4096 : 2 * *max;
	if ((more = realloc(*p, *max)) == NULL)
		abort();
	*p = more;
}
GCC_LEAK_FP_END

MODEL static void
put(struct input *in, const char *s, size_t n)
{
	grow(&in->d, &in->max, in->n + n + 1);
	memcpy(in->d + in->n, s, n);
	in->n += n;
}

/*
 * Appends a line of kind k to input i: 0-7 a good record in one of the
 * reader's lenient forms, 8-9 a short bad line, 10 an overlong one, 11 a
 * blank one, 12 a bad line with a NUL, 13-15 a bare record.  Its value
 * is 1 + its number times nin + i, so that it names its input and place;
 * a bad line begins with the letter of its input.
 */
MODEL static void
add_line(struct run *r, size_t i, unsigned k, unsigned arg)
{
	struct input *in = &r->in[i];
	char s[64], letter = (char)('a' + i);
	int64_t id = (int64_t)(in->records * r->nin + i + 1);
	size_t j, len;

	switch (k) {
	case 8:
	case 9:
		len = 1 + (arg & 7);
		for (j = 0; j < len; j++)
			put(in, j == 0 ? &letter : &"x.e "[j & 3], 1);
		break;
	case 10:
		len = REC_LINE_MAX + 1 + (arg & 3) * 700;
		for (j = 0; j < len; j++)
			put(in, &letter, 1);
		break;
	case 11:
		put(in, (arg & 1) ? " \t\r" : "", (arg & 1) ? 3 : 0);
		break;
	case 12:
		put(in, &letter, 1);
		put(in, "\0" "1", 2);
		break;
	default:
		in->records++;
		switch (k) {
		case 1:
			snprintf(s, sizeof(s), "+%jd", (intmax_t)id);
			break;
		case 2:
			snprintf(s, sizeof(s), "000%jd", (intmax_t)id);
			break;
		case 3:
			snprintf(s, sizeof(s), " \t%jd ", (intmax_t)id);
			break;
		case 4:
			snprintf(s, sizeof(s), "%jd\r", (intmax_t)id);
			break;
		case 5:
			snprintf(s, sizeof(s), "-%jd", (intmax_t)id);
			break;
		case 7:
			snprintf(s, sizeof(s), "%jd", (intmax_t)(id * BIG));
			break;
		default:
			snprintf(s, sizeof(s), "%jd", (intmax_t)id);
		}
		put(in, s, strlen(s));
	}
	put(in, "\n", 1);
}

/* Which input and which of its records a value written is. */
MODEL static void
identify(const struct run *r, int64_t v, size_t *i, uint64_t *nth)
{
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;

	if (u >= (uint64_t)BIG)
		u /= (uint64_t)BIG;
	CHECK(u >= 1);
	*i = (size_t)((u - 1) % r->nin);
	*nth = (u - 1) / r->nin;
}

/* The reference: each input split whole into its good and bad lines. */
MODEL static void
reference(struct input *in)
{
	size_t i, len, take, lines = 1;
	uint64_t lineno = 0;
	enum rec_status s;
	const char *nl;
	struct item *it;
	int64_t v = 0;

	for (i = 0; i < in->n; i++)
		lines += in->d[i] == '\n';
	if ((in->it = reallocarray(NULL, lines, sizeof(*in->it))) == NULL)
		abort();
	for (i = 0; i < in->n; i += take) {
		nl = memchr(in->d + i, '\n', in->n - i);
		len = nl != NULL ? (size_t)(nl - (in->d + i)) : in->n - i;
		take = len + (nl != NULL);
		lineno++;
		if (len > REC_LINE_MAX && !(len == REC_LINE_MAX + 1 &&
		    in->d[i + len - 1] == '\r'))
			s = REC_LONG;
		else
			s = rec_parse(in->d + i, len, &v);
		if (s == REC_BLANK)
			continue;
		CHECK(in->nit < lines);
		it = &in->it[in->nit++];
		it->bad = s != REC_OK;
		it->lineno = lineno;
		it->v = v;
		it->off = i;
		it->len = len;
		it->end = i + take;
	}
}

/* Is the next line of input i a whole good record, there to be taken? */
MODEL static int
ready(const struct input *in)
{
	const struct item *it;

	if (in->taken >= in->nit)
		return 0;
	it = &in->it[in->taken];
	return !it->bad && (it->end <= in->given - (in->given == in->n &&
	    !in->eof_given && in->d[in->n - 1] != '\n'));
}

/*
 * A record written from input i: every other input that had one ready
 * has waited one more, and none may wait longer than a turn of each.
 */
MODEL static void
written(struct run *r, size_t i, int64_t v)
{
	struct input *in = &r->in[i];
	size_t j;

	CHECK(in->taken < in->nit && !in->it[in->taken].bad &&
	    in->it[in->taken].v == v);
	in->taken++;
	in->wait = 0;
	for (j = 0; j < r->nin; j++) {
		if (j == i)
			continue;
		if (!ready(&r->in[j]))
			r->in[j].wait = 0;
		else
			CHECK(++r->in[j].wait <= (r->nin - 1) * MERGE_QUANTUM);
	}
}

/*
 * The lines the merge has just written, checked in their order, as they
 * come (whether an input waited depends on what it had been given then):
 * whole canonical records, each the next of its input's.
 */
MODEL static void
scan(struct run *r, const struct wbuf *out)
{
	const char *p = out->buf + out->start + (r->seen - r->drained);
	const char *end = out->buf + out->len, *nl;
	char canon[REC_FMT_MAX];
	uint64_t nth;
	size_t i;
	int64_t v;

	CHECK(r->seen >= r->drained && p <= end);
	/* a call writes whole lines only */
	CHECK(p == end || end[-1] == '\n');
	for (; p < end; p = nl + 1) {
		nl = memchr(p, '\n', (size_t)(end - p));
		CHECK(rec_parse(p, (size_t)(nl - p), &v) == REC_OK);
		CHECK(rec_format(canon, v) == (size_t)(nl - p) + 1 &&
		    memcmp(canon, p, (size_t)(nl - p) + 1) == 0);
		identify(r, v, &i, &nth);
		CHECK(nth == r->in[i].nout);
		r->in[i].nout++;
		written(r, i, v);
		r->seen += (uint64_t)(nl - p) + 1;
	}
}

/* The writer's reader takes up to k bytes. */
static void
drain(struct run *r, struct wbuf *out, size_t k)
{
	if (k > wbuf_pending(out))
		k = wbuf_pending(out);
	if (r->lines && k > 0) {
		grow(&r->got, &r->maxgot, r->ngot + k);
		memcpy(r->got + r->ngot, out->buf + out->start, k);
		r->ngot += k;
		r->seen += k;	/* checked at the end, whole */
	}
	out->start += k;
	r->drained += k;
	if (out->start == out->len)
		out->start = out->len = 0;
}

/* 0: nothing (would block); 1-40 bytes; then 64 B steps; 63: 64 KiB */
static size_t
amount(uint8_t s)
{
	unsigned k = s >> 2;

	if (k <= 40)
		return k;
	if (k == 63)
		return 65536;
	return (size_t)(k - 40) * 64;
}

static uint8_t
next_sched(struct run *r)
{
	uint8_t s;

	/* without a schedule: 7 bytes a read */
	if (r->nsched == 0)
		return 7 << 2;
	s = r->sched[r->at++ % r->nsched];
	return s;
}

/*
 * Gives input i what the schedule says, if it wants any: returns 1 when
 * something came (bytes, or the end).
 */
static int
give(struct run *r, struct merge *m, size_t i, size_t k)
{
	struct input *in = &r->in[i];
	struct rbuf *rb = &m->ins[i].in;
	size_t room;
	char *dst;

	if (k == 0 || !merge_wants(m, i))
		return 0;
	if (in->given == in->n) {
		(void)rbuf_space(rb);
		rbuf_added(rb, 0);
		in->eof_given = 1;
		return 1;
	}
	room = rb->cap - rbuf_avail(rb);
	/*
	 * A long input in tiny pieces only costs time: a line cut across
	 * pieces is just as cut in 256 of them.
	 */
	if (k < in->n / 256)
		k = in->n / 256;
	if (k > room)
		k = room;
	if (k > in->n - in->given)
		k = in->n - in->given;
	dst = rbuf_space(rb);
	memcpy(dst, in->d + in->given, k);
	rbuf_added(rb, k);
	in->given += k;
	m->ins[i].fresh = 1;
	return 1;
}

/*
 * One round of reads, as after a poll: each input reads what the schedule
 * says.  Returns 1 when one brought something.
 */
static int
round_of_reads(struct run *r, struct merge *m)
{
	size_t i;
	int got = 0;

	for (i = 0; i < r->nin; i++)
		got |= give(r, m, i, amount(next_sched(r)));
	return got;
}

/* Rounds until one brings something; 0 when no input can take any. */
static int
feed(struct run *r, struct merge *m)
{
	size_t tries, i;

	for (tries = 0; tries < r->nsched + 8; tries++)
		if (round_of_reads(r, m))
			return 1;
	for (i = 0; i < r->nin; i++)
		if (give(r, m, i, 1))
			return 1;
	return 0;
}

MODEL static void
check_rbufs(const struct merge *m)
{
	size_t i;

	for (i = 0; i < m->n; i++) {
		const struct rbuf *rb = &m->ins[i].in;

		CHECK(rb->start <= rb->end && rb->end <= rb->cap);
		CHECK(rb->buf[rb->end] == '\0');
	}
}

/* A bad line from input i: the next of its bad lines, by the reference. */
MODEL static void
bad_event(struct run *r, size_t i, const struct merge *m,
    const struct reader_line *l)
{
	struct input *in = &r->in[i];
	const struct item *it;

	CHECK(in->taken < in->nit);
	it = &in->it[in->taken++];
	CHECK(it->bad && m->ins[i].rd.lineno == it->lineno);
	/* an overlong line comes in pieces: this is its first */
	CHECK(l->ending == READER_CONTINUES ? l->len <= it->len :
	    l->len == it->len);
	CHECK(memcmp(l->p, in->d + it->off, l->len) == 0);
	in->wait = 0;
	r->nbad++;
}

MODEL static void
save(struct run *r, const char *p, size_t n)
{
	grow(&r->rej, &r->maxrej, r->nrej + n);
	memcpy(r->rej + r->nrej, p, n);
	r->nrej += n;
}

/* The dead-letter file: each input's bad lines, verbatim and whole. */
MODEL static void
check_rejects(const struct run *r, int strict)
{
	size_t at = 0, i, len, next[MAXIN] = { 0 };
	const struct item *it;
	const char *nl;

	while (at < r->nrej) {
		nl = memchr(r->rej + at, '\n', r->nrej - at);
		CHECK(nl != NULL);
		len = (size_t)(nl - (r->rej + at));
		CHECK(len > 0);
		i = (size_t)(r->rej[at] - 'a');
		CHECK(i < r->nin);
		/* the input's next bad line */
		while (next[i] < r->in[i].nit && !r->in[i].it[next[i]].bad)
			next[i]++;
		CHECK(next[i] < r->in[i].nit);
		it = &r->in[i].it[next[i]++];
		CHECK(it->len == len && memcmp(r->in[i].d + it->off,
		    r->rej + at, len) == 0);
		at += len + 1;
	}
	if (strict)
		return;
	for (i = 0; i < r->nin; i++) {
		while (next[i] < r->in[i].nit && !r->in[i].it[next[i]].bad)
			next[i]++;
		CHECK(next[i] == r->in[i].nit);
	}
}

/*
 * --lines: the output, line by line, is every input's lines interleaved,
 * each verbatim and whole.  A line names its input: a record by its
 * value, a bad or overlong line by its first letter; blank lines, which
 * name none, are only counted.
 */
MODEL static void
check_lines(const struct run *r, const struct merge *m)
{
	size_t at = 0, len, i, k, next[MAXIN] = { 0 }, blank = 0, eblank = 0;
	size_t want = 0;
	const char *p, *nl, *q;
	enum rec_status st;
	uint64_t nth;
	int64_t v;

	while (at < r->ngot) {
		p = r->got + at;
		nl = memchr(p, '\n', r->ngot - at);
		CHECK(nl != NULL);
		len = (size_t)(nl - p);
		st = len > REC_LINE_MAX ? REC_LONG : rec_parse(p, len, &v);
		at += len + 1;
		if (st == REC_BLANK) {
			blank++;
			continue;
		}
		if (st == REC_OK)
			identify(r, v, &i, &nth);
		else
			i = (size_t)(unsigned char)(p[0] - 'a');
		CHECK(i < r->nin);
		/* input i's next line that is not blank: this one */
		for (;;) {
			CHECK(next[i] < r->in[i].n);
			q = r->in[i].d + next[i];
			nl = memchr(q, '\n', r->in[i].n - next[i]);
			k = nl != NULL ? (size_t)(nl - q) : r->in[i].n - next[i];
			next[i] += k + (nl != NULL);
			if (k > REC_LINE_MAX || rec_parse(q, k, &v) != REC_BLANK)
				break;
		}
		CHECK(k == len && memcmp(q, p, len) == 0);
	}
	/* every line of every input: the rest are blank, and as many */
	for (i = 0; i < r->nin; i++) {
		for (at = 0; at < r->in[i].n; at += k + 1) {
			q = r->in[i].d + at;
			nl = memchr(q, '\n', r->in[i].n - at);
			k = nl != NULL ? (size_t)(nl - q) : r->in[i].n - at;
			want++;
			if (k > REC_LINE_MAX || rec_parse(q, k, &v) != REC_BLANK)
				CHECK(at < next[i]);
			else
				eblank++;
		}
		CHECK(m->ins[i].records <= want);
	}
	CHECK(blank == eblank && m->records == want);
	for (i = 0, k = 0; i < r->nin; i++)
		k += m->ins[i].records;
	CHECK(k == want);
}

static void
run_merge(struct run *r, size_t rcap, size_t wcap)
{
	struct reader_line l;
	struct merge m;
	struct wbuf out;
	enum merge_ev ev;
	size_t i, which;
	int strict = r->flags & F_STRICT, rejects = !(r->flags & F_NOREJ);

	if (r->lines)
		strict = rejects = 0;
	if (merge_init(&m, r->nin, rcap, strict, rejects) == -1)
		abort();
	m.lines = r->lines;
	memset(&out, 0, sizeof(out));
	out.fd = -1;
	out.spill[0] = out.spill[1] = -1;
	out.cap = wcap;
	if ((out.buf = malloc(wcap)) == NULL)
		abort();
	for (;;) {
		ev = merge_next(&m, &out, &which, &l);
		check_rbufs(&m);
		CHECK(out.start <= out.len && out.len <= out.cap);
		if (!r->lines)
			scan(r, &out);
		else
			CHECK(ev != MERGE_BAD && ev != MERGE_REST &&
			    ev != MERGE_STOP);
		if (ev == MERGE_STOP)
			break;
		switch (ev) {
		case MERGE_BAD:
			CHECK(which < r->nin);
			bad_event(r, which, &m, &l);
			save(r, l.p, l.save);
			if (l.add_nl)
				save(r, "\n", 1);
			continue;
		case MERGE_REST:
			CHECK(which < r->nin && l.save > 0);
			r->in[which].wait = 0;
			save(r, l.p, l.save);
			continue;
		case MERGE_FULL:
			CHECK(wbuf_pending(&out) > 0);
			drain(r, &out, amount(next_sched(r)) + 1);
			continue;
		case MERGE_DRY:
			CHECK(which < r->nin && !m.ins[which].in.eof);
			(void)round_of_reads(r, &m);
			continue;
		case MERGE_IDLE:
			if (m.failed == MERGE_NONE && merge_ended(&m))
				break;
			/* nothing is waiting: every line written is out */
			drain(r, &out, wbuf_pending(&out));
			CHECK(feed(r, &m));
			continue;
		default:
			CHECK(!"an event that does not exist");
		}
		break;
	}
	drain(r, &out, wbuf_pending(&out));
	CHECK(r->seen == r->drained);
	if (r->lines) {
		check_lines(r, &m);
		free(out.buf);
		merge_free(&m);
		return;
	}
	if (ev == MERGE_STOP) {
		CHECK(strict && r->nbad == 1 && m.failed == which);
		/* the records before its bad line, all of them */
		CHECK(r->in[which].taken > 0 &&
		    r->in[which].it[r->in[which].taken - 1].bad);
	} else {
		for (i = 0; i < r->nin; i++)
			CHECK(r->in[i].taken == r->in[i].nit &&
			    r->in[i].given == r->in[i].n);
		CHECK(!strict || r->nbad == 0);
	}
	if (rejects)
		check_rejects(r, strict);
	for (i = 0; i < r->nin; i++)
		CHECK(m.ins[i].records == r->in[i].nout);
	free(out.buf);
	merge_free(&m);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct run r;
	size_t i, rcap, wcap;
	const uint8_t *p, *end;
	unsigned c1, c2;

	if (size < CTL)
		return 0;
	memset(&r, 0, sizeof(r));
	r.flags = data[0];
	r.nin = 1 + ((data[0] >> 2) & 3);
	if ((r.in = calloc(r.nin, sizeof(*r.in))) == NULL)
		abort();
	c1 = data[1];
	c2 = data[2];
	r.lines = data[3] & 1;
	rcap = c1 == 255 ? 65536 : REC_LINE_MAX + 2 + c1 * c1;
	wcap = c2 == 255 ? 131072 : REC_FMT_MAX + c2 * c2;
	end = data + size;
	for (p = data + CTL; p < end && *p != 0xff; p++)
		add_line(&r, (*p & 3) % r.nin, (*p >> 2) & 15,
		    p + 1 < end ? p[1] : 0);
	if (p < end) {
		r.sched = p + 1;
		r.nsched = (size_t)(end - p - 1);
	}
	for (i = 0; i < r.nin; i++) {
		/* a last line without its '\n' */
		if ((data[0] >> (4 + i)) & 1 && r.in[i].n > 0)
			r.in[i].n--;
		reference(&r.in[i]);
	}
	run_merge(&r, rcap, wcap);
	for (i = 0; i < r.nin; i++) {
		free(r.in[i].d);
		free(r.in[i].it);
	}
	free(r.in);
	free(r.rej);
	free(r.got);
	return 0;
}
