/* SPDX-License-Identifier: ISC */
/*
 * tee: one stream copied into several outputs (proctee's branches), each
 * with a bounded buffer of its own.  A record goes whole into every
 * branch that has room for it, after writing out what the branch takes
 * now when that makes the room.  A branch that cannot take one more
 * record is full, and takes none until half of its buffer has drained
 * (so that a slow branch costs a memmove of at most half a buffer per
 * half buffer it takes, not one per write).  The caller either waits
 * while a branch is full, or lets it drop records, which are counted.  A
 * branch whose write fails (its reader went away: EPIPE) is gone and
 * takes nothing more; the records it had queued and not written are
 * counted as lost.
 *
 * A pure module: returns -1 with errno set, never prints or exits.
 */
#ifndef SLUICE_TEE_H
#define SLUICE_TEE_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "record.h"

/* The longest record tee_put() takes: a formatted one. */
#define TEE_REC_MAX	REC_FMT_MAX

/* The least buffer a branch may have: one atomic chunk into a pipe. */
#define TEE_CAP_MIN	((size_t)4096)

struct tee_branch {
	const char	*name;		/* the caller's, not copied */
	struct wbuf	 out;		/* whole lines into a pipe (buf.h) */
	int		 own;		/* tee_close() closes out.fd */
	int		 full;		/* takes nothing until half drained */
	int		 gone;		/* takes nothing ever again */
	int		 error;		/* the errno that made it gone */
	int		 told;		/* the caller's: it has said so */
	uint64_t	 queued;	/* records put into out */
	uint64_t	 dropped;	/* records it was full for */
	uint64_t	 lost;		/* of queued, never written: it went */
	uint64_t	 done;		/* the caller's: input written up to */
};

struct tee {
	struct tee_branch	*b;
	size_t			 n;	/* branches added */
	size_t			 max;
	size_t			 cap;	/* each branch's buffer */
	size_t			 live;	/* branches not gone */
	size_t			 full;	/* branches full now */
};

/*
 * Room for max branches of cap (>= TEE_CAP_MIN) bytes each.  Returns 0,
 * or -1 with errno ENOMEM.
 */
int	tee_init(struct tee *, size_t max, size_t cap);

/*
 * Adds a branch writing to fd (non-blocking or not: the caller's
 * choice), named name for the caller's messages; with own set,
 * tee_close() closes fd.  Returns 0, or -1 with errno (ENOMEM, or ENOSPC
 * when max branches are there).
 */
int	tee_add(struct tee *, const char *name, int fd, int own);

/*
 * Queues the n (<= TEE_REC_MAX) bytes of one record into every live
 * branch that is not full, counting it as dropped by those that are, or
 * that become full for want of room for it.  Returns how many branches
 * are full now: a caller that waits for them puts nothing more until
 * that is 0, and then nothing is ever dropped.  A write made on the way
 * may make a branch gone.
 */
size_t	tee_put(struct tee *, const char *rec, size_t n);

/*
 * The same for the n bytes at p, whole lines that are as many records as
 * records says (canon_span() found them): a live branch that is not full
 * takes them all if it can, writing out as it goes; else the whole lines
 * that fit, and drops the rest and is full.  A caller that waits for
 * full branches gives at most tee_room(n) bytes, which every such branch
 * takes whole.
 */
size_t	tee_put_lines(struct tee *, const char *p, size_t n, uint64_t records);

/*
 * The least room, up to n, that the live branches that are not full
 * have, once each with less than n has written out what it takes now.
 */
size_t	tee_room(struct tee *, size_t n);

/*
 * Writes what branch k takes now.  Returns 0 when it has written all it
 * had (or is gone), BUF_AGAIN when its descriptor would block, or -1 with
 * errno when a write failed: the branch is gone from now on (its buffer
 * freed, its descriptor closed if own), error says why and lost counts
 * the records it held.
 */
int	tee_flush(struct tee *, size_t k);

/* Bytes branch k holds, not yet written (0 once it is gone). */
static inline size_t
tee_pending(const struct tee *t, size_t k)
{
	return t->b[k].gone ? 0 : wbuf_pending(&t->b[k].out);
}

/*
 * Closes branch k's descriptor if it is its own and still open: 0, or -1
 * with errno when close() reports an error (of a write to a file).
 */
int	tee_close(struct tee *, size_t k);

/* Frees every branch's buffer; closes nothing. */
void	tee_free(struct tee *);

#endif
