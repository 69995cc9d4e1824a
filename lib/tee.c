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

/* Branch b has no room for one more record: it takes none for a while. */
static void
check_full(struct tee *t, struct tee_branch *b)
{
	if (b->out.cap - wbuf_pending(&b->out) < TEE_REC_MAX) {
		b->full = 1;
		t->full++;
	}
}

size_t
tee_put(struct tee *t, const char *rec, size_t n)
{
	struct tee_branch *b;
	char *p;
	size_t k;

	for (k = 0; k < t->n; k++) {
		b = &t->b[k];
		if (b->gone)
			continue;
		if (b->full) {
			b->dropped++;
			continue;
		}
		/* not full: there is room for one record */
		p = wbuf_reserve(&b->out, n);
		memcpy(p, rec, n);
		wbuf_commit(&b->out, n);
		b->queued++;
		check_full(t, b);
	}
	return t->full;
}

size_t
tee_put_lines(struct tee *t, const char *p, size_t n, uint64_t records)
{
	struct tee_branch *b;
	const char *end;
	uint64_t took;
	size_t k, room, len;
	char *dst;

	for (k = 0; k < t->n; k++) {
		b = &t->b[k];
		if (b->gone)
			continue;
		if (b->full) {
			b->dropped += records;
			continue;
		}
		room = b->out.cap - wbuf_pending(&b->out);
		len = n;
		took = records;
		if (room < n) {
			/* whole lines only: the rest is dropped, and it is full */
			end = memrchr(p, '\n', room);
			len = end != NULL ? (size_t)(end - p) + 1 : 0;
			took = records_in(p, len);
			b->dropped += records - took;
			b->full = 1;
			t->full++;
		}
		dst = wbuf_reserve(&b->out, len);
		memcpy(dst, p, len);
		wbuf_commit(&b->out, len);
		b->queued += took;
		if (!b->full)
			check_full(t, b);
	}
	return t->full;
}

size_t
tee_room(const struct tee *t)
{
	size_t k, room, least = SIZE_MAX;

	for (k = 0; k < t->n; k++) {
		if (t->b[k].gone || t->b[k].full)
			continue;
		room = t->b[k].out.cap - wbuf_pending(&t->b[k].out);
		if (room < least)
			least = room;
	}
	return least;
}


int
tee_flush(struct tee *t, size_t k)
{
	struct tee_branch *b = &t->b[k];
	int r, saved;

	if (b->gone)
		return 0;
	if ((r = wbuf_flush(&b->out)) == -1) {
		saved = errno;
		b->lost = records_in(b->out.buf + b->out.start,
		    wbuf_pending(&b->out));
		b->gone = 1;
		t->live--;
		if (b->full) {
			b->full = 0;
			t->full--;
		}
		wbuf_free(&b->out);
		if (b->own) {
			(void)close(b->out.fd);
			b->own = 0;
		}
		errno = saved;
		return -1;
	}
	if (b->full && wbuf_pending(&b->out) <= b->out.cap / 2) {
		b->full = 0;
		t->full--;
	}
	return r;
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
