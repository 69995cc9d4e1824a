/* SPDX-License-Identifier: ISC */
/*
 * xread: what redissrc gets from the server, taken apart.  The answers of
 * XREADGROUP and XAUTOCLAIM are nested arrays; xwalk hands out their
 * entries one at a time (an ID, and the field "v" if the entry has one),
 * checking the shape of every level, for the answer comes from a server
 * that may be anything that speaks the protocol.  xsplit then cuts one
 * field into records under the bad-input policy, with the same reader
 * the stages read their input with: a field holds one record, or several
 * joined by newlines (redissink --batch), with or without a last newline.
 * A pure module: never prints or exits.
 */
#ifndef SLUICE_XREAD_H
#define SLUICE_XREAD_H

#include <stddef.h>

#include <hiredis.h>

#include "buf.h"
#include "reader.h"

/* An ID holds two 64-bit numbers: "18446744073709551615-18446744073709551615" */
#define XREAD_ID_MAX	48

struct xentry {
	const char	*id;
	size_t		 idlen;
	const char	*v;	/* NULL: the entry has no field v, or is gone */
	size_t		 vlen;
	int		 gone;	/* deleted since it was delivered */
};

struct xwalk {
	const redisReply *list;	/* the entries' array; NULL: none */
	size_t		  next;
	size_t		  deleted; /* XAUTOCLAIM: pending IDs gone, dropped */
};

/*
 * The entries of XREADGROUP's answer for one stream (nil: none came).
 * Returns 0, or -1 when the answer does not have that shape.
 */
int	xwalk_read(struct xwalk *, const redisReply *);

/*
 * The entries of XAUTOCLAIM's answer (Redis 7: cursor, entries, deleted
 * IDs), and in *cursor and *len the start of the next call ("0-0" when
 * the pass is over).  How many pending entries it found deleted from
 * the stream (and dropped from the pending list itself) is in
 * w->deleted.  Returns 0, or -1 for another shape.
 */
int	xwalk_claim(struct xwalk *, const redisReply *, const char **cursor,
	    size_t *len);

/*
 * The next entry: returns 1, 0 when there is none left, or -1 when the
 * entry does not have the shape of one (no ID); the walk goes on after
 * it either way.  An entry that was deleted after it was delivered has
 * fields nil: gone is set, v is NULL.
 */
int	xwalk_next(struct xwalk *, struct xentry *);

/* Cuts one field into lines for the reader, in pieces of the rbuf's size. */
struct xsplit {
	struct reader	 rd;
	struct rbuf	 in;
	const char	*v;
	size_t		 len;
	size_t		 off;
};

/* cap: the rbuf's size, at least REC_LINE_MAX + 2. Returns 0 or -1. */
int	xsplit_init(struct xsplit *, size_t cap, int strict, int rejects);
void	xsplit_free(struct xsplit *);

/* Starts on the field v of n bytes; line numbers count from 1 again. */
void	xsplit_start(struct xsplit *, const char *v, size_t n);

/*
 * The next event of the field, as reader_next() gives them; READER_MORE
 * means the field is done, READER_STOP that --strict stopped in it (at
 * its end too, when a bad line ended it).  l points into the rbuf until the next call.
 */
enum reader_ev	xsplit_next(struct xsplit *, struct reader_line *l);

#endif
