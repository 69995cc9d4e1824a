/* SPDX-License-Identifier: ISC */
/*
 * held: input that outlives its reader (sluice(7), CRASH SAFETY).
 * Under pipesup a stage's standard input is a pipe that pipesup
 * holds open, so bytes left in it survive the stage and its restarted
 * successor reads them.  held reads ahead without consuming: tee(2)
 * copies the pipe's unconsumed bytes into a private pipe, which the stage
 * reads; the stage then consumes, with splice(2) to /dev/null, only the
 * bytes whose output it has written.  A stage killed at any moment leaves
 * its successor every line it had not answered, whole.
 *
 * Offsets count the bytes of the held pipe from where this process began
 * to read it.  A pure module: returns -1 with errno set, never prints or
 * exits.  Linux only (tee, splice, epoll).
 */
#ifndef SLUICE_HELD_H
#define SLUICE_HELD_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "buf.h"

/* pipesup sets it to 1 when it holds the stage's standard input */
#define HELD_ENV	"SLUICE_HELD"

struct held {
	int		 in;		/* the held pipe */
	int		 priv[2];	/* the private pipe tee fills */
	int		 ep;		/* epoll: new bytes in the held pipe */
	int		 null;		/* /dev/null, where consumed bytes go */
	size_t		 size;		/* the held pipe's capacity */
	uint64_t	 peeked;	/* offset of the first byte not copied */
	uint64_t	 consumed;	/* offset of the first byte not consumed */
	size_t		 queued;	/* bytes in the private pipe, not read */
	int		 hup;		/* no writer was left at the last peek */
	int64_t		 retry_at;	/* peek then even if no edge came */
	int64_t		 backoff;	/* ns to the next retry */
};

/*
 * Is the variable set to 1, and fd a pipe or FIFO?  Removes the variable
 * either way, so that the stage's own children do not inherit it.
 */
int	held_wanted(int fd);

/*
 * Is the variable set to 1?  Removes it, as held_wanted() does.  For a
 * stage whose held inputs are operands (/dev/fd/N), not standard input:
 * it asks once, then holds each input that is a pipe or FIFO.
 */
int	held_requested(void);

/*
 * Starts holding fd: the private pipe, the epoll descriptor, /dev/null;
 * a pipe of fewer than 4 pages is grown to 4, or not held (see
 * HELD_PIPE_MIN in held.c).  Returns 0, or -1 with errno (nothing is
 * left open).  The reader reads
 * the private pipe: held_fd() gives its read end, non-blocking.
 */
int	held_open(struct held *, int fd);
void	held_close(struct held *);

static inline int
held_fd(const struct held *h)
{
	return h->priv[0];
}

/*
 * The descriptor to poll for POLLIN before held_fill(): the private pipe
 * while it holds bytes, else the epoll descriptor, readable once per new
 * write to the held pipe.  (The held pipe itself polls readable as long as
 * a part line sits there unconsumed: polling it would spin.)  Once no
 * writer is left, no write will wake the epoll descriptor, and the held
 * pipe, which then polls readable for good, is what to poll.
 */
static inline int
held_pollfd(const struct held *h)
{
	if (h->queued > 0)
		return h->priv[0];
	return h->hup ? h->in : h->ep;
}

/*
 * When to call held_fill() even if held_pollfd() stays quiet (LOOP_NEVER:
 * never).  A writer that blocks in the middle of a large write (cat) while
 * the pipe is not empty wakes no reader, not even edge-triggered epoll,
 * until its write ends; with a part line left unconsumed the pipe is never
 * empty.  So unless the pipe was empty when last looked at, the reader
 * looks again after a pause that starts at 50 us after news and doubles
 * up to 100 ms while none comes.  Writers whose writes end (every stage's
 * do, non-blocking) wake it at once.
 */
static inline int64_t
held_deadline(const struct held *h)
{
	return h->retry_at;
}

/*
 * Reads into rb (which reads held_fd()) what is new in the held pipe, as
 * rbuf_fill() does: returns the bytes read, 0 at the end of input (no
 * writer left and every byte seen; rb->eof is set), BUF_AGAIN when
 * nothing is new, or -1.
 */
ssize_t	held_fill(struct held *, struct rbuf *rb);

/* The offset of rb's first unconsumed byte: what the reader has taken. */
static inline uint64_t
held_offset(const struct held *h, const struct rbuf *rb)
{
	return h->peeked - h->queued - rbuf_avail(rb);
}

/*
 * The most input a reader may hold back unconsumed beyond what it has
 * answered (a window whose output is not made yet).  A full pipe holds
 * more than half its size when its writers write at most PIPE_BUF at a
 * time, as every stage does: a write that does not fit the last page
 * starts a new one.  Holding back more, with a part line on top, could
 * fill the pipe and stop its writer while the reader waits for more:
 * both would wait for ever.
 */
size_t	held_keep_max(const struct held *);

/*
 * How far to consume (for held_consume) a reader that has taken the input
 * up to off (held_offset), whose output made from it is written up to
 * done, and whose successor must read again from keep (the start of a
 * line in progress, reader_line_start) to see it whole: the lesser of
 * done and keep, unless that holds back more than held_keep_max(), when
 * it is off: a window or a line too large to keep is consumed as it is
 * read, so that a crash loses the window (never doubles it) and a
 * successor reads the rest of the line as a line of its own.
 */
uint64_t	held_release_at(const struct held *, uint64_t off, uint64_t done,
		    uint64_t keep);

/*
 * Consumes the held pipe up to offset off (at most held_offset()): those
 * bytes are gone for a successor.  Returns 0 or -1.
 */
int	held_consume(struct held *, uint64_t off);

#endif
