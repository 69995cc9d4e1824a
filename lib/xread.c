/* SPDX-License-Identifier: ISC */
#include "xread.h"

#include <string.h>

#include "record.h"

static int
is_string(const redisReply *r)
{
	return r != NULL && (r->type == REDIS_REPLY_STRING ||
	    r->type == REDIS_REPLY_STATUS);
}

static int
is_array(const redisReply *r)
{
	return r != NULL && r->type == REDIS_REPLY_ARRAY;
}

int
xwalk_read(struct xwalk *w, const redisReply *r)
{
	const redisReply *s;

	w->list = NULL;
	w->next = 0;
	w->deleted = 0;
	if (r->type == REDIS_REPLY_NIL)
		return 0;
	/* one stream was asked for: [[key, entries]] */
	if (!is_array(r) || r->elements != 1)
		return -1;
	s = r->element[0];
	if (!is_array(s) || s->elements != 2 || !is_string(s->element[0]))
		return -1;
	if (s->element[1]->type == REDIS_REPLY_NIL)
		return 0;
	if (!is_array(s->element[1]))
		return -1;
	w->list = s->element[1];
	return 0;
}

int
xwalk_claim(struct xwalk *w, const redisReply *r, const char **cursor,
    size_t *len)
{
	w->list = NULL;
	w->next = 0;
	w->deleted = 0;
	/* Redis 6.2 answers [cursor, entries], 7 adds the deleted IDs */
	if (!is_array(r) || r->elements < 2 || r->elements > 3 ||
	    !is_string(r->element[0]) || !is_array(r->element[1]) ||
	    (r->elements == 3 && !is_array(r->element[2])))
		return -1;
	*cursor = r->element[0]->str;
	*len = r->element[0]->len;
	w->list = r->element[1];
	if (r->elements == 3)
		w->deleted = r->element[2]->elements;
	return 0;
}

int
xwalk_next(struct xwalk *w, struct xentry *e)
{
	const redisReply *r, *f;
	size_t k;

	if (w->list == NULL || w->next >= w->list->elements)
		return 0;
	r = w->list->element[w->next++];
	memset(e, 0, sizeof(*e));
	if (!is_array(r) || r->elements != 2 || !is_string(r->element[0]) ||
	    r->element[0]->len == 0 || r->element[0]->len >= XREAD_ID_MAX)
		return -1;
	e->id = r->element[0]->str;
	e->idlen = r->element[0]->len;
	f = r->element[1];
	if (!is_array(f)) {
		/* nil: deleted since it was delivered */
		e->gone = f != NULL && f->type == REDIS_REPLY_NIL;
		return 1;
	}
	for (k = 0; k + 1 < f->elements; k += 2)
		if (is_string(f->element[k]) && f->element[k]->len == 1 &&
		    f->element[k]->str[0] == 'v' &&
		    is_string(f->element[k + 1])) {
			e->v = f->element[k + 1]->str;
			e->vlen = f->element[k + 1]->len;
			break;
		}
	return 1;
}

int
xsplit_init(struct xsplit *x, size_t cap, int strict, int rejects)
{
	memset(x, 0, sizeof(*x));
	reader_init(&x->rd, strict, rejects);
	return rbuf_init(&x->in, -1, cap);
}

void
xsplit_free(struct xsplit *x)
{
	rbuf_free(&x->in);
}

void
xsplit_start(struct xsplit *x, const char *v, size_t n)
{
	int strict = x->rd.strict, rejects = x->rd.rejects;

	reader_init(&x->rd, strict, rejects);
	x->in.start = x->in.end = 0;
	x->in.buf[0] = '\0';
	x->in.eof = 0;
	x->v = v;
	x->len = n;
	x->off = 0;
}

enum reader_ev
xsplit_next(struct xsplit *x, struct reader_line *l)
{
	enum reader_ev ev;
	size_t n;
	char *dst;

	for (;;) {
		if ((ev = reader_next(&x->rd, &x->in, l)) != READER_MORE)
			return ev;
		/*
		 * The field is done.  With a dead-letter file, --strict has
		 * the reader hand out the rest of an overlong bad line before
		 * it stops; where that line ends the field, the stop is here.
		 */
		if (x->in.eof)
			return x->rd.failed ? READER_STOP : READER_MORE;
		dst = rbuf_space(&x->in);
		n = x->in.cap - x->in.end;
		if (n > x->len - x->off)
			n = x->len - x->off;
		memcpy(dst, x->v + x->off, n);
		x->off += n;
		rbuf_added(&x->in, n);	/* 0: the field's end */
	}
}
