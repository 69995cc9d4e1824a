/* SPDX-License-Identifier: ISC */
#define _GNU_SOURCE		/* memrchr */
#include "tee.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int
tee_init(struct tee *t, size_t max, size_t cap)
{
	memset(t, 0, sizeof(*t));
	if ((t->b = calloc(max, sizeof(*t->b))) == NULL)
		return -1;
	t->max = max;
	t->cap = cap < TEE_CAP_MIN ? TEE_CAP_MIN : cap;
	return 0;
}

int
tee_add(struct tee *t, const char *name, int fd, int own)
{
	struct tee_branch *b;

	if (t->n == t->max) {
		errno = ENOSPC;
		return -1;
	}
	b = &t->b[t->n];
	memset(b, 0, sizeof(*b));
	if (wbuf_init(&b->out, fd, t->cap) == -1)
		return -1;
	b->name = name;
	b->own = own;
	t->n++;
	t->live++;
	return 0;
}

/* The records in the n bytes at p: the lines, each ended by '\n'. */
static uint64_t
records_in(const char *p, size_t n)
{
	const char *end = p + n, *q;
	uint64_t c = 0;

	while ((q = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		c++;
		p = q + 1;
	}
	return c;
}

static void
set_full(struct tee *t, struct tee_branch *b, int full)
{
	if (b->full != full) {
		b->full = full;
		if (full)
			t->full++;
		else
			t->full--;
	}
}

static size_t
room(const struct tee_branch *b)
{
	return b->gone ? 0 : b->out.cap - wbuf_pending(&b->out);
}

/* A write to b failed with errno: it is gone with what it held. */
static void
gone(struct tee *t, struct tee_branch *b)
{
	b->error = errno;
	b->lost = records_in(b->out.buf + b->out.start,
	    wbuf_pending(&b->out));
	set_full(t, b, 0);
	b->gone = 1;
	t->live--;
	wbuf_free(&b->out);
	if (b->own) {
		(void)close(b->out.fd);
		b->own = 0;
	}
	errno = b->error;
}

int
tee_flush(struct tee *t, size_t k)
{
	struct tee_branch *b = &t->b[k];
	int r;

	if (b->gone)
		return 0;
	if ((r = wbuf_flush(&b->out)) == -1) {
		gone(t, b);
		return -1;
	}
	if (b->full && wbuf_pending(&b->out) <= b->out.cap / 2)
		set_full(t, b, 0);
	return r;
}

/* Branch k's room for need bytes, made by writing out if it has less. */
static size_t
make_room(struct tee *t, size_t k, size_t need)
{
	if (room(&t->b[k]) < need)
		(void)tee_flush(t, k);
	return room(&t->b[k]);
}

/*
 * Branch k cannot take one more record even after a write: it is full
 * (unless that write found it gone: a gone branch is never full, or a
 * caller that waits for full branches would wait for ever).
 */
static void
check_full(struct tee *t, size_t k)
{
	if (make_room(t, k, TEE_REC_MAX) < TEE_REC_MAX && !t->b[k].gone)
		set_full(t, &t->b[k], 1);
}

static void
copy(struct tee_branch *b, const char *p, size_t n)
{
	char *dst = wbuf_reserve(&b->out, n);

	memcpy(dst, p, n);
	wbuf_commit(&b->out, n);
}

size_t
tee_put(struct tee *t, const char *rec, size_t n)
{
	struct tee_branch *b;
	size_t k;

	for (k = 0; k < t->n; k++) {
		b = &t->b[k];
		if (b->gone)
			continue;
		if (b->full) {
			b->dropped++;
			continue;
		}
		/* not full: room for one record, which check_full keeps */
		copy(b, rec, n);
		b->queued++;
		check_full(t, k);
	}
	return t->full;
}

size_t
tee_put_lines(struct tee *t, const char *p, size_t n, uint64_t records)
{
	struct tee_branch *b;
	const char *q, *end;
	uint64_t left, c;
	size_t k, rem, len, r;

	for (k = 0; k < t->n; k++) {
		b = &t->b[k];
		if (b->gone)
			continue;
		if (b->full) {
			b->dropped += records;
			continue;
		}
		if (wbuf_pending(&b->out) == 0 && n <= b->out.cap) {
			/* from the input as it is: no copy of what goes now */
			b->queued += records;
			if (wbuf_write(&b->out, p, n) == -1)
				gone(t, b);
			else
				check_full(t, k);
			continue;
		}
		for (q = p, rem = n, left = records; rem > 0; ) {
			if ((r = make_room(t, k, rem)) >= rem)
				len = rem;
			else if (b->gone)
				break;
			else {
				/* whole lines only */
				end = memrchr(q, '\n', r);
				len = end != NULL ? (size_t)(end - q) + 1 : 0;
			}
			if (len == 0) {
				/* nothing more goes in now: the rest is lost */
				b->dropped += left;
				set_full(t, b, 1);
				break;
			}
			copy(b, q, len);
			c = len == rem ? left : records_in(q, len);
			b->queued += c;
			left -= c;
			q += len;
			rem -= len;
		}
		if (!b->full)
			check_full(t, k);
	}
	return t->full;
}

size_t
tee_room(struct tee *t, size_t n)
{
	size_t k, r, least = n;

	for (k = 0; k < t->n; k++) {
		if (t->b[k].gone || t->b[k].full)
			continue;
		r = make_room(t, k, least);
		if (!t->b[k].gone && r < least)
			least = r;
	}
	return least;
}

int
tee_close(struct tee *t, size_t k)
{
	struct tee_branch *b = &t->b[k];

	if (!b->own)
		return 0;
	b->own = 0;
	return close(b->out.fd);
}

void
tee_free(struct tee *t)
{
	size_t k;

	for (k = 0; k < t->n; k++)
		wbuf_free(&t->b[k].out);
	free(t->b);
	t->b = NULL;
	t->n = 0;
}
