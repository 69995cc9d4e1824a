/* SPDX-License-Identifier: ISC */
/*
 * reader: the reading half of the stage runtime without its I/O.  It
 * splits what an rbuf holds into lines, parses them, and keeps the
 * bookkeeping of the bad-input policy (sluice(7), BAD INPUT): line
 * numbers, overlong lines, what the dead-letter file gets, where --strict
 * stops.  A pure module: it never reads, prints or exits.  Each call
 * hands one event back, for stage.c (or a test) to act on; the caller
 * fills the rbuf however it likes, in reads of any size, and must get
 * the same events as from one read of the whole input.
 */
#ifndef SLUICE_READER_H
#define SLUICE_READER_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "record.h"

enum reader_ev {
	READER_MORE,	/* no whole line left: fill the rbuf, or end */
	READER_RECORD,	/* a good record: l->v */
	READER_BAD,	/* a bad line: l->why, and its dead-letter bytes */
	READER_REST,	/* more of an overlong line: dead-letter bytes only */
	READER_STOP	/* --strict met a bad line, now handed out whole */
};

/* How a line ends: for the dead-letter file, and how far it goes. */
enum reader_ending {
	READER_NEWLINE,
	READER_END_OF_INPUT,	/* the last line, without '\n' */
	READER_CONTINUES	/* overlong: the rest comes as READER_REST */
};

/*
 * What an event is about; it points into the rbuf, valid until a fill.
 * Of a READER_RECORD only p and v are set.
 */
struct reader_line {
	const char		*p;	/* the line's text (REST: the bytes) */
	size_t			 len;	/* without its '\n' */
	size_t			 save;	/* from p, for the dead-letter file */
	int			 add_nl; /* then a '\n' the input lacked */
	enum reader_ending	 ending;
	enum rec_status		 why;	/* READER_BAD */
	int64_t			 v;	/* READER_RECORD */
};

struct reader {
	uint64_t	lineno;		/* of the last line handed out */
	uint64_t	long_at;	/* where the skipped overlong line began */
	int		strict;		/* stop at the first bad line */
	int		rejects;	/* a dead-letter file gets bad lines */
	int		skipping;	/* inside an overlong line */
	int		failed;		/* --strict met a bad line */
};

void		reader_init(struct reader *, int strict, int rejects);

enum reader_ev	reader_next_slow(struct reader *, struct rbuf *,
		    struct reader_line *);

/*
 * Takes the next line (or piece of an overlong one) from in and says
 * what it is.  Inline for the common line, bare digits: one pass, no
 * call.  At in->eof a last line without '\n' is whole.
 */
static inline enum reader_ev
reader_next(struct reader *rd, struct rbuf *in, struct reader_line *l)
{
	const char *p = in->buf + in->start;
	size_t n;

	if ((rd->skipping | rd->failed) == 0 && (n = rec_scan(p, &l->v)) > 0) {
		in->start += n;
		rd->lineno++;
		l->p = p;	/* the rest, reader_refuse() finds */
		return READER_RECORD;
	}
	return reader_next_slow(rd, in, l);
}

/*
 * The record l that reader_next() just took from in is bad after all (the
 * stage's arithmetic overflowed: why is REC_OVERFLOW): makes l the
 * READER_BAD it is and returns READER_BAD.
 */
enum reader_ev	reader_refuse(struct reader *, const struct rbuf *in,
		    struct reader_line *, enum rec_status why);

/*
 * Has --strict stopped?  With a dead-letter file, not before the rest of
 * an overlong bad line is handed out, so that the file gets all of it,
 * whatever the sizes of the reads that brought it.
 */
static inline int
reader_stopped(const struct reader *rd)
{
	return rd->failed && !(rd->skipping && rd->rejects);
}

/*
 * The input offset (rbuf_offset) of the first byte a successor must read
 * again to see the line in progress whole: the start of an overlong line
 * being skipped, else all that was taken from in.
 */
static inline uint64_t
reader_line_start(const struct reader *rd, const struct rbuf *in)
{
	return rd->skipping ? rd->long_at : rbuf_offset(in);
}

/*
 * The input ends here (its end, or a stop): returns 1 when the dead-letter
 * file needs a '\n' to end the overlong line it got part of, else 0.
 */
int		reader_end(struct reader *);

#endif
