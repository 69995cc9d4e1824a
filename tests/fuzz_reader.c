/* SPDX-License-Identifier: ISC */
/*
 * fuzz_reader: libFuzzer harness for the reader runtime (lib/reader.c over
 * lib/buf.c, and the crash-safe path of lib/held.c).  It feeds the input
 * to the reader in reads of the sizes the input asks for and checks that
 * the reader gives what one read of the whole input gives, by a reference
 * written from sluice(7), BAD INPUT (split at '\n', rec_parse each line):
 * the same records in order, the same bad lines (line number, reason,
 * excerpt), the same dead-letter bytes, the same end.
 *
 * The held path runs in-process through a real pipe that stands for the
 * one pipesup holds: the harness writes the input into it in chunks,
 * held_fill() reads it with tee, and the harness consumes it where
 * held_release_at() says, as stage.c does after each write-out.  At a
 * point the input chooses, the reader "crashes" (its held state is
 * dropped without a goodbye) and a successor opens the same pipe: it must
 * read exactly what the reference reads from the bytes left unconsumed,
 * which must start at a line (nothing lost, nothing torn).  A pipe is
 * the only way to run tee and splice for real; the bookkeeping alone
 * would test the arithmetic and not the kernel's view of it.
 *
 * Input: 8 control bytes, then the data.
 *   c[0]  1 --strict, 2 refuse every record whose value is 3 mod 8 (as a
 *         stage's arithmetic may), 4 held path, 8 keeps (answers come
 *         every c[2] records), 0x30 the data repeated 1 to 4 times (to make
 *         overlong lines from a short input), 0x40 no dead-letter file
 *         (--strict then stops in the middle of an overlong line), 0x80
 *         the held pipe at 1 page, which held_open() must grow to the
 *         4 it needs (held_keep_max() is then 0)
 *   c[1]  the rbuf's capacity, from REC_LINE_MAX + 2 (the least that
 *         works) up to 64 KiB
 *   c[2]  held with keeps: answer every c[2] records (0: never)
 *   c[3]  held: crash after c[3] events (0: never)
 *   c[4..7]  read sizes, in turn (see read_size: 127 is a read that
 *         would block; at least a 1024th of the data, a 128th on the
 *         held path)
 */
#define _GNU_SOURCE		/* pipe2, F_SETPIPE_SZ */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analyzer.h"
#include "badin.h"
#include "buf.h"
#include "fuzz.h"
#include "held.h"
#include "reader.h"
#include "record.h"

#define CTL		8
#define F_STRICT	0x01
#define F_REFUSE	0x02
#define F_HELD		0x04
#define F_KEEPS		0x08
#define F_NOREJ		0x40
#define F_SMALL		0x80

static int	with_rejects;	/* this input's run has a dead-letter file */

enum kind { RECORD, BAD };

struct event {
	enum kind	 kind;
	uint64_t	 lineno;
	int64_t		 v;
	enum rec_status	 why;
	char		 excerpt[BADIN_EXCERPT_MAX];
};

/* What a reader made of the input, the reference's or the real one's. */
struct result {
	struct event	*ev;
	size_t		 nev, maxev;
	char		*rej;		/* the dead-letter bytes */
	size_t		 nrej, maxrej;
	int		 stopped;	/* --strict stopped */
};

MODEL static void
result_init(struct result *r, size_t len)
{
	memset(r, 0, sizeof(*r));
	/* a bad line gets at most one '\n' more than it had */
	r->maxrej = 2 * len + 1;
	if ((r->rej = malloc(r->maxrej)) == NULL)
		abort();
}

GCC_LEAK_FP_BEGIN
MODEL static struct event *
new_event(struct result *r)
{
	struct event *more;

	if (r->nev == r->maxev) {
		r->maxev = r->maxev == 0 ? 64 : 2 * r->maxev;
		if ((more = reallocarray(r->ev, r->maxev,
		    sizeof(*r->ev))) == NULL)
			abort();
		r->ev = more;
	}
	return &r->ev[r->nev++];
}
GCC_LEAK_FP_END

static void
result_free(struct result *r)
{
	free(r->ev);
	free(r->rej);
}

MODEL static void
add_record(struct result *r, uint64_t lineno, int64_t v)
{
	struct event *e = new_event(r);

	e->kind = RECORD;
	e->lineno = lineno;
	e->v = v;
}

MODEL static void
add_bad(struct result *r, uint64_t lineno, enum rec_status why,
    const char *p, size_t len)
{
	struct event *e = new_event(r);

	CHECK(why != REC_OK && why != REC_BLANK);
	e->kind = BAD;
	e->lineno = lineno;
	e->why = why;
	badin_excerpt(e->excerpt, p, len);
	CHECK(strlen(e->excerpt) < BADIN_EXCERPT_MAX);
}

MODEL static void
add_rej(struct result *r, const char *p, size_t n)
{
	CHECK(r->nrej + n <= r->maxrej);
	memcpy(r->rej + r->nrej, p, n);
	r->nrej += n;
}

/* The stage's record function: refuses some values when asked to. */
static int
refused(int flags, int64_t v)
{
	return (flags & F_REFUSE) && ((uint64_t)v & 7) == 3;
}

/*
 * The reference: the whole input at once, one rule at a time.  A line
 * is longer than REC_LINE_MAX without a "\r" before its '\n'.
 */
MODEL static void
reference(const char *d, size_t n, int flags, struct result *r)
{
	size_t i = 0, len, take;
	uint64_t lineno = 0;
	const char *nl;
	enum rec_status s;
	int64_t v = 0;

	while (i < n) {
		nl = memchr(d + i, '\n', n - i);
		len = nl != NULL ? (size_t)(nl - (d + i)) : n - i;
		take = len + (nl != NULL);
		lineno++;
		if (len > REC_LINE_MAX && !(len == REC_LINE_MAX + 1 &&
		    d[i + len - 1] == '\r'))
			s = REC_LONG;
		else
			s = rec_parse(d + i, len, &v);
		if (s == REC_OK && refused(flags, v))
			s = REC_OVERFLOW;
		if (s == REC_OK)
			add_record(r, lineno, v);
		else if (s != REC_BLANK) {
			add_bad(r, lineno, s, d + i, len);
			add_rej(r, d + i, len);
			add_rej(r, "\n", 1);
			if (flags & F_STRICT) {
				r->stopped = 1;
				return;
			}
		}
		i += take;
	}
}

/*
 * 0..126: 1 to 127 bytes; 127: none, a read that would block; 128..254:
 * 64 B steps to 8 KiB; 255: 64 KiB
 */
static size_t
read_size(uint8_t c)
{
	if (c < 127)
		return (size_t)c + 1;
	if (c == 127)
		return 0;
	if (c < 255)
		return (size_t)(c - 127) * 64;
	return 65536;
}

/* The rbuf must hold a line of REC_LINE_MAX, its "\r\n" and one more. */
static size_t
capacity(uint8_t c)
{
	if (c == 255)
		return 65536;
	return REC_LINE_MAX + 2 + (size_t)c * c;
}

/* One run of the reader over the data. */
struct run {
	const uint8_t	*ctl;
	const char	*d;
	size_t		 n;
	int		 flags;
	size_t		 nread;		/* read sizes used so far */
	struct result	*res;
	struct reader	 rd;
	struct rbuf	 in;
	uint64_t	 records;	/* accepted, for keeps' answers */
};

static size_t
next_size(struct run *ru, size_t most_reads)
{
	size_t k = read_size(ru->ctl[4 + ru->nread++ % 4]);

	/*
	 * A long input in tiny reads only costs time (a system call or
	 * a memmove each): lines split across reads are just as split in
	 * most_reads of them.
	 */
	if (k > 0 && k < ru->n / most_reads)
		k = ru->n / most_reads;
	return k;
}

/*
 * Acts on one event as stage.c does; returns 0 at READER_MORE or
 * READER_STOP, 1 for more events.
 */
static int
take(struct run *ru, enum reader_ev ev, struct reader_line *l)
{
	struct result *r = ru->res;

	switch (ev) {
	case READER_MORE:
		return 0;
	case READER_STOP:
		CHECK(ru->rd.failed);
		r->stopped = 1;
		return 0;
	case READER_RECORD:
		if (!refused(ru->flags, l->v)) {
			add_record(r, ru->rd.lineno, l->v);
			ru->records++;
			return 1;
		}
		CHECK(reader_refuse(&ru->rd, &ru->in, l, REC_OVERFLOW) ==
		    READER_BAD);
		/* FALLTHROUGH */
	case READER_BAD:
		CHECK(l->ending == READER_CONTINUES ? l->len > REC_LINE_MAX + 1
		    && l->save == l->len && !l->add_nl && ru->rd.skipping :
		    l->save == l->len + (l->ending == READER_NEWLINE));
		add_bad(r, ru->rd.lineno, l->why, l->p, l->len);
		add_rej(r, l->p, l->save);
		if (l->add_nl)
			add_rej(r, "\n", 1);
		return 1;
	case READER_REST:
		CHECK(l->save > 0 && !l->add_nl);
		add_rej(r, l->p, l->save);
		return 1;
	}
	CHECK(!"an event that does not exist");
	return 0;
}

/*
 * The input ended, or --strict stopped (which it may do at the end of
 * input, in the middle of an overlong line, without a READER_STOP).
 */
static void
end(struct run *ru)
{
	if (reader_end(&ru->rd))
		add_rej(ru->res, "\n", 1);
	ru->res->stopped = ru->rd.failed;
}

/* The invariants of a reader's rbuf between events. */
MODEL static void
check_rbuf(const struct rbuf *in, size_t given)
{
	CHECK(in->start <= in->end && in->end <= in->cap);
	CHECK(in->buf[in->end] == '\0');
	CHECK(rbuf_offset(in) + rbuf_avail(in) == given);
}

/* The input in reads of the chosen sizes, from memory. */
static void
run_plain(struct run *ru, size_t cap)
{
	struct reader_line l;
	size_t pos = 0, k, room;
	enum reader_ev ev;
	int blocked = 0;
	char *dst;

	if (rbuf_init(&ru->in, -1, cap) == -1)
		abort();
	reader_init(&ru->rd, ru->flags & F_STRICT, !(ru->flags & F_NOREJ));
	for (;;) {
		while (take(ru, ev = reader_next(&ru->rd, &ru->in, &l), &l))
			check_rbuf(&ru->in, pos);
		if (ev == READER_STOP || ru->in.eof)
			break;
		/* a reader that wants more must have room for it */
		room = ru->in.cap - rbuf_avail(&ru->in);
		CHECK(room > 0);
		k = next_size(ru, 1024);
		/*
		 * A read that would block: rbuf_fill() has compacted the
		 * buffer all the same, and the reader must find its NUL
		 * after the data there.  Never twice in a row.
		 */
		if (k == 0 && !blocked) {
			(void)rbuf_space(&ru->in);
			blocked = 1;
			check_rbuf(&ru->in, pos);
			continue;
		}
		blocked = 0;
		if (k == 0)
			k = 1;
		if (k > room)
			k = room;
		if (k > ru->n - pos)
			k = ru->n - pos;
		dst = rbuf_space(&ru->in);
		memcpy(dst, ru->d + pos, k);
		rbuf_added(&ru->in, k);
		pos += k;
		check_rbuf(&ru->in, pos);
	}
	CHECK(ru->res->stopped || (pos == ru->n && rbuf_avail(&ru->in) == 0));
	end(ru);
	rbuf_free(&ru->in);
}

MODEL static void
compare(const struct result *a, const struct result *b)
{
	size_t i;

	CHECK(a->nev == b->nev);
	for (i = 0; i < a->nev; i++) {
		const struct event *x = &a->ev[i], *y = &b->ev[i];

		CHECK(x->kind == y->kind && x->lineno == y->lineno);
		if (x->kind == RECORD)
			CHECK(x->v == y->v);
		else
			CHECK(x->why == y->why &&
			    strcmp(x->excerpt, y->excerpt) == 0);
	}
	/* without a dead-letter file, what it would get does not matter */
	if (with_rejects)
		CHECK(a->nrej == b->nrej &&
		    memcmp(a->rej, b->rej, a->nrej) == 0);
	CHECK(a->stopped == b->stopped);
}

/* Is every event of a, and every dead-letter byte, the same in b? */
MODEL static void
compare_prefix(const struct result *a, const struct result *b)
{
	struct result head = *b;

	CHECK(a->nev <= b->nev && a->nrej <= b->nrej);
	head.nev = a->nev;
	head.nrej = a->nrej;
	head.stopped = a->stopped;
	compare(a, &head);
}

/* The held path ---------------------------------------------------- */

struct pipe_run {
	int		 fd[2];		/* the pipe pipesup would hold */
	size_t		 written;	/* of the data, into fd[1] */
	struct held	 h;
	uint64_t	 answered;	/* offset, for keeps */
};

static int
start_holding(struct run *ru, struct pipe_run *pr, size_t cap)
{
	if (held_open(&pr->h, pr->fd[0]) == -1)
		return -1;
	if (rbuf_init(&ru->in, held_fd(&pr->h), cap) == -1)
		abort();
	reader_init(&ru->rd, ru->flags & F_STRICT, !(ru->flags & F_NOREJ));
	pr->answered = 0;
	ru->records = 0;
	return 0;
}

static void
stop_holding(struct run *ru, struct pipe_run *pr)
{
	rbuf_free(&ru->in);
	held_close(&pr->h);
}

/* Is off where a line of the data begins? */
MODEL static int
line_start(const struct run *ru, size_t off)
{
	return off == 0 || off == ru->n || ru->d[off - 1] == '\n';
}

/* As stage.c's release(): consume what is answered, then check it. */
static void
release(struct run *ru, struct pipe_run *pr, uint64_t base)
{
	uint64_t off = held_offset(&pr->h, &ru->in), done, want, before;

	want = (ru->flags & F_KEEPS) ? pr->answered : off;
	done = held_release_at(&pr->h, off, want,
	    reader_line_start(&ru->rd, &ru->in));
	if (want > reader_line_start(&ru->rd, &ru->in))
		want = reader_line_start(&ru->rd, &ru->in);
	before = pr->h.consumed;
	CHECK(held_consume(&pr->h, done) == 0);
	CHECK(done <= off && pr->h.consumed == (done > before ? done :
	    before));
	/*
	 * What is consumed ends where a line begins, so that a successor
	 * reads whole lines, unless it held back too much to keep.
	 */
	CHECK(done <= before || line_start(ru, base + done) ||
	    (done == off && off - want > held_keep_max(&pr->h)));
}

/* Writes the next chunk of the data into the held pipe, what fits of it. */
static void
feed(struct run *ru, struct pipe_run *pr)
{
	size_t k = next_size(ru, 128);
	ssize_t w;

	/* nothing written, but never for ever: the same as one byte */
	if (k == 0)
		k = 1;
	if (pr->fd[1] == -1)
		return;
	if (k > ru->n - pr->written)
		k = ru->n - pr->written;
	if (k > 0 && (w = write(pr->fd[1], ru->d + pr->written, k)) == -1) {
		CHECK(errno == EAGAIN);
		return;
	}
	if (k > 0)
		pr->written += (size_t)w;
	if (pr->written == ru->n) {
		close(pr->fd[1]);
		pr->fd[1] = -1;
	}
}

/*
 * Runs the reader on the held pipe until the end, a --strict stop or the
 * crash.  Returns 1 when it crashed.
 */
static int
run_held_until(struct run *ru, struct pipe_run *pr, uint64_t base,
    size_t crash_at, size_t *events)
{
	struct reader_line l;
	enum reader_ev ev;
	ssize_t n;
	int idle = 0;

	for (;;) {
		for (;;) {
			ev = reader_next(&ru->rd, &ru->in, &l);
			if (crash_at != 0 && ++*events == crash_at)
				return 1;
			if (!take(ru, ev, &l))
				break;
			if (ev == READER_RECORD && ru->ctl[2] != 0 &&
			    ru->records % ru->ctl[2] == 0 &&
			    !refused(ru->flags, l.v))
				pr->answered = held_offset(&pr->h, &ru->in);
			CHECK(held_offset(&pr->h, &ru->in) ==
			    rbuf_offset(&ru->in));
		}
		release(ru, pr, base);
		if (ev == READER_STOP || ru->in.eof)
			return 0;
		CHECK(rbuf_room(&ru->in) > 0);
		feed(ru, pr);
		n = held_fill(&pr->h, &ru->in);
		CHECK(n != -1);
		CHECK(ru->in.buf[ru->in.end] == '\0');
		if (n == BUF_AGAIN) {
			/*
			 * Nothing new although all is written, or the pipe
			 * full and nothing consumed: the stage would wait
			 * for ever.
			 */
			CHECK(++idle < 64);
		} else
			idle = 0;
	}
}

static void
run_held(struct run *ru, size_t cap, const struct result *ref)
{
	struct pipe_run pr;
	struct result after;
	uint64_t base;
	size_t events = 0;
	int crashed;

	memset(&pr, 0, sizeof(pr));
	if (pipe2(pr.fd, O_CLOEXEC) == -1 ||
	    fcntl(pr.fd[1], F_SETFL, O_NONBLOCK) == -1)
		abort();
	if ((ru->flags & F_SMALL) && fcntl(pr.fd[0], F_SETPIPE_SZ, 4096) == -1)
		abort();
	if (start_holding(ru, &pr, cap) == -1)
		abort();
	crashed = run_held_until(ru, &pr, 0, ru->ctl[3], &events);
	if (!crashed) {
		end(ru);
		stop_holding(ru, &pr);
		compare(ru->res, ref);
		goto out;
	}
	/* killed: what it did is a part of what the whole input gives */
	compare_prefix(ru->res, ref);
	base = pr.h.consumed;
	stop_holding(ru, &pr);

	/* the successor reads what is left, as if it were all there is */
	result_init(&after, ru->n - base);
	reference(ru->d + base, ru->n - base, ru->flags, &after);
	result_free(ru->res);
	result_init(ru->res, ru->n);
	if (start_holding(ru, &pr, cap) == -1)
		abort();
	CHECK(run_held_until(ru, &pr, base, 0, &events) == 0);
	end(ru);
	stop_holding(ru, &pr);
	compare(ru->res, &after);
	result_free(&after);
out:
	if (pr.fd[1] != -1)
		close(pr.fd[1]);
	close(pr.fd[0]);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct result ref, got;
	struct run ru;
	size_t rep, i, n;
	char *d;

	if (size < CTL)
		return 0;
	memset(&ru, 0, sizeof(ru));
	ru.ctl = data;
	ru.flags = data[0];
	with_rejects = !(ru.flags & F_NOREJ);
	rep = 1 + ((data[0] >> 4) & 3);
	n = (size - CTL) * rep;
	if ((d = malloc(n + 1)) == NULL)
		abort();
	for (i = 0; i < rep; i++)
		memcpy(d + i * (size - CTL), data + CTL, size - CTL);
	ru.d = d;
	ru.n = n;

	result_init(&ref, n);
	reference(d, n, ru.flags, &ref);
	result_init(&got, n);
	ru.res = &got;
	if (ru.flags & F_HELD)
		run_held(&ru, capacity(data[1]), &ref);
	else {
		run_plain(&ru, capacity(data[1]));
		compare(&got, &ref);
	}
	result_free(&ref);
	result_free(&got);
	free(d);
	return 0;
}
