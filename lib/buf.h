/* SPDX-License-Identifier: ISC */
/*
 * buf: a reader and a writer buffer over one descriptor each, blocking or
 * not.  Linear buffers compacted with memmove, so that a line in the
 * reader is always contiguous for memchr and a record is formatted
 * straight into the writer.
 *
 * Every call returns bytes moved (> 0), 0 at end of input, BUF_AGAIN when
 * the descriptor would block, or -1 with errno set.  EINTR is retried
 * here; EPIPE is returned like any other error, for prog_ioerr() to turn
 * into the quiet death the contract asks for.
 *
 * A writer into a pipe or FIFO puts in whole lines, in chunks of at most
 * PIPE_BUF bytes that each go in whole (sluice(7), RECORD FORMAT), so that a
 * writer killed at any moment leaves no part of a record in the pipe and
 * writers sharing a FIFO never tear each other's records.
 */
#ifndef SLUICE_BUF_H
#define SLUICE_BUF_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define BUF_AGAIN	(-2)

/*
 * The most one flush moves into a pipe in one call: 15 chunks of at most
 * PIPE_BUF, spliced together from the spill pipe (see wbuf_flush).
 */
#define WBUF_SPLICE_MAX	((size_t)15 * 4096)

struct rbuf {
	int	 fd;
	char	*buf;
	size_t	 cap;
	size_t	 start;		/* first unconsumed byte */
	size_t	 end;		/* one past the last byte read; a NUL is there */
	int	 eof;
	uint64_t base;		/* the input offset of buf[0] */
};

struct wbuf {
	int	 fd;
	int	 whole;		/* a pipe: whole lines, PIPE_BUF a chunk */
	int	 spill[2];	/* a pipe of our own, spliced into fd */
	char	*buf;
	size_t	 cap;
	size_t	 start;		/* first byte not yet in fd */
	size_t	 len;		/* one past the last byte queued */
	size_t	 spilled;	/* from start, copied into spill */
};

/*
 * Both return -1 with errno ENOMEM, or 0; free with *_free().  wbuf_init
 * sets whole when fd is a pipe or FIFO, and then opens the spill pipe
 * (close-on-exec) if it can.
 */
int	rbuf_init(struct rbuf *, int fd, size_t cap);
int	wbuf_init(struct wbuf *, int fd, size_t cap);
void	rbuf_free(struct rbuf *);
void	wbuf_free(struct wbuf *);

/*
 * Reads once into the free space after moving the unconsumed bytes to the
 * front.  Sets eof at end of input.  Asking with a full buffer is a bug:
 * consume first.  The byte after the data is always a NUL, so a scan for
 * digits stops there without checking the end.
 */
ssize_t	rbuf_fill(struct rbuf *);

/*
 * rbuf_fill() in two halves, for input that comes some other way than a
 * read of fd (a test's bytes): rbuf_space() moves the unconsumed bytes to
 * the front and returns where up to cap - end more may go; rbuf_added()
 * says that n of them are there, 0 meaning the end of input.
 */
char	*rbuf_space(struct rbuf *);
void	rbuf_added(struct rbuf *, size_t n);

static inline size_t
rbuf_avail(const struct rbuf *rb)
{
	return rb->end - rb->start;
}

/* The input offset of the first unconsumed byte: all consumed so far. */
static inline uint64_t
rbuf_offset(const struct rbuf *rb)
{
	return rb->base + rb->start;
}

/* Room left for a fill once the unconsumed bytes are moved to the front. */
static inline size_t
rbuf_room(const struct rbuf *rb)
{
	return rb->cap - rbuf_avail(rb);
}

/*
 * Writes what is queued until it is all gone or the descriptor would
 * block.  Returns 0 when the buffer is empty, BUF_AGAIN, or -1.  With
 * whole set, the bytes go in chunks that end at the last '\n' within
 * PIPE_BUF bytes, each atomic (written, or spliced from the spill pipe,
 * whole); a line longer than PIPE_BUF goes PIPE_BUF bytes at a time and
 * cannot be atomic, nor can a part line that is all that is left (a
 * report that filled the buffer in the middle of a line).  Bytes count
 * as pending until they are in fd.
 */
int	wbuf_flush(struct wbuf *);

/*
 * For a writer with nothing queued: writes the n (<= cap) bytes at p as
 * wbuf_flush() would have written them queued, straight from p, and
 * queues what fd does not take now.  It saves copying what goes at once
 * (proctee's branches, which take the same bytes from its input).
 * Returns as wbuf_flush(); after -1 too, what was not written is queued.
 */
int	wbuf_write(struct wbuf *, const char *p, size_t n);

static inline size_t
wbuf_pending(const struct wbuf *wb)
{
	return wb->len - wb->start;
}

char	*wbuf_reserve_slow(struct wbuf *, size_t n);

/*
 * Returns a pointer where at least n bytes may be written, moving the
 * queued bytes to the front if that makes the room, or NULL when the
 * buffer holds too much to make it: flush first.  Inline, for it is
 * called for every record.
 */
static inline char *
wbuf_reserve(struct wbuf *wb, size_t n)
{
	if (wb->cap - wb->len >= n)
		return wb->buf + wb->len;
	return wbuf_reserve_slow(wb, n);
}

/* Queues n bytes written at the pointer wbuf_reserve() gave. */
static inline void
wbuf_commit(struct wbuf *wb, size_t n)
{
	wb->len += n;
}

/* Queues n bytes; 0, or -1 when they do not fit (flush first). */
int	wbuf_put(struct wbuf *, const void *, size_t);

#endif
