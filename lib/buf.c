/* SPDX-License-Identifier: ISC */
#define _GNU_SOURCE		/* pipe2, splice */
#include "buf.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/*
 * The spill pipe is full at 16 chunks (a default pipe has 16 page slots,
 * a chunk takes one): topping it up stops short of a write that would
 * only find it full.  With a smaller pipe, EAGAIN ends the top-up.
 */
#define SPILL_FULL	WBUF_SPLICE_MAX

int
rbuf_init(struct rbuf *rb, int fd, size_t cap)
{
	memset(rb, 0, sizeof(*rb));
	if ((rb->buf = malloc(cap + 1)) == NULL)
		return -1;
	rb->buf[0] = '\0';
	rb->fd = fd;
	rb->cap = cap;
	return 0;
}

int
wbuf_init(struct wbuf *wb, int fd, size_t cap)
{
	struct stat st;

	memset(wb, 0, sizeof(*wb));
	if ((wb->buf = malloc(cap)) == NULL)
		return -1;
	wb->fd = fd;
	wb->cap = cap;
	wb->spill[0] = wb->spill[1] = -1;
	if (fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode)) {
		wb->whole = 1;
		/* without it, chunks are written straight to fd */
		if (pipe2(wb->spill, O_CLOEXEC | O_NONBLOCK) == -1)
			wb->spill[0] = wb->spill[1] = -1;
	}
	return 0;
}

void
rbuf_free(struct rbuf *rb)
{
	free(rb->buf);
	rb->buf = NULL;
}

static void
spill_close(struct wbuf *wb)
{
	if (wb->spill[0] != -1) {
		(void)close(wb->spill[0]);
		(void)close(wb->spill[1]);
	}
	wb->spill[0] = wb->spill[1] = -1;
	wb->spilled = 0;
}

void
wbuf_free(struct wbuf *wb)
{
	spill_close(wb);
	free(wb->buf);
	wb->buf = NULL;
}

char *
rbuf_space(struct rbuf *rb)
{
	if (rb->start > 0) {
		memmove(rb->buf, rb->buf + rb->start, rbuf_avail(rb));
		rb->base += rb->start;
		rb->end -= rb->start;
		rb->start = 0;
		rb->buf[rb->end] = '\0';
	}
	return rb->buf + rb->end;
}

void
rbuf_added(struct rbuf *rb, size_t n)
{
	rb->end += n;
	rb->buf[rb->end] = '\0';
	if (n == 0)
		rb->eof = 1;
}

ssize_t
rbuf_fill(struct rbuf *rb)
{
	char *dst = rbuf_space(rb);
	ssize_t n;

	if (rb->end == rb->cap) {
		errno = ENOBUFS;
		return -1;
	}
	do
		n = read(rb->fd, dst, rb->cap - rb->end);
	while (n == -1 && errno == EINTR);
	if (n == -1)
		return errno == EAGAIN || errno == EWOULDBLOCK ? BUF_AGAIN : -1;
	rbuf_added(rb, (size_t)n);
	return n;
}

/*
 * How many of the len > PIPE_BUF bytes at p one atomic write takes: the
 * whole lines that fit in PIPE_BUF, else PIPE_BUF bytes of a longer line.
 *
 * A write of at most PIPE_BUF bytes into a pipe is all or nothing; a
 * longer one that meets a nearly full pipe is cut at any byte (a page
 * boundary of the data on Linux).  Writing only what the pipe has room
 * for (FIONREAD against F_GETPIPE_SZ) would not do: Linux counts room in
 * page slots, and a partly read or partly filled page takes a whole slot,
 * so free bytes do not say what fits, and another writer may take the
 * room in between.
 */
static size_t
whole_lines(const char *p)
{
	size_t n;

	/* records are short: the last '\n' is a few bytes back */
	for (n = PIPE_BUF; n > 0; n--)
		if (p[n - 1] == '\n')
			return n;
	return PIPE_BUF;
}

static size_t
chunk(const struct wbuf *wb, size_t off)
{
	size_t len = wb->len - off;

	return len > PIPE_BUF ? whole_lines(wb->buf + off) : len;
}

static int
flush_straight(struct wbuf *wb)
{
	size_t len;
	ssize_t n;

	while (wb->start < wb->len) {
		len = wb->whole ? chunk(wb, wb->start) : wb->len - wb->start;
		n = write(wb->fd, wb->buf + wb->start, len);
		if (n == -1) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return BUF_AGAIN;
			return -1;
		}
		wb->start += (size_t)n;
	}
	wb->start = wb->len = 0;
	return 0;
}

/*
 * Into a pipe, each chunk is written to our spill pipe first, where it
 * lands in a page buffer of its own (a write of at most PIPE_BUF bytes
 * never spans two), and splice then moves those buffers whole into fd,
 * under both pipes' locks, stopping between two when fd is full: fd gets
 * whole chunks, as from one write each.  It is one wake-up of the reader
 * a pipeful, where writing each chunk to fd woke a fast reader for each
 * chunk: procprint into cat took 1.3 to 1.5 times as long as with one
 * large write, and this 1.05 to 1.2 times (one system call a chunk is
 * the floor).  The queued bytes stay in buf until splice has moved them.
 * If splice fails for any other reason than a full fd, the spill pipe is
 * dropped with its copy and the chunks go to fd directly; a real error
 * then shows.
 */
static int
flush_spilled(struct wbuf *wb)
{
	size_t off;
	ssize_t n;

	while (wb->start < wb->len) {
		/* a last chunk alone: one call, not two */
		if (wb->spilled == 0 && wb->len - wb->start <= PIPE_BUF)
			return flush_straight(wb);
		while ((off = wb->start + wb->spilled) < wb->len &&
		    wb->spilled < SPILL_FULL) {
			n = write(wb->spill[1], wb->buf + off, chunk(wb, off));
			if (n == -1 && errno == EINTR)
				continue;
			if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
				break;
			if (n == -1) {
				spill_close(wb);
				return flush_straight(wb);
			}
			wb->spilled += (size_t)n;
		}
		n = splice(wb->spill[0], NULL, wb->fd, NULL, wb->spilled,
		    SPLICE_F_NONBLOCK);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return BUF_AGAIN;
		if (n <= 0) {
			spill_close(wb);
			return flush_straight(wb);
		}
		wb->start += (size_t)n;
		wb->spilled -= (size_t)n;
	}
	wb->start = wb->len = 0;
	return 0;
}

int
wbuf_flush(struct wbuf *wb)
{
	if (wb->spill[0] != -1)
		return flush_spilled(wb);
	return flush_straight(wb);
}

int
wbuf_write(struct wbuf *wb, const char *p, size_t n)
{
	char *buf = wb->buf;
	size_t cap = wb->cap;
	int r, saved;

	/* the bytes at p stand for the buffer while they are written */
	wb->buf = (char *)(uintptr_t)p;
	wb->cap = wb->len = n;
	wb->start = wb->spilled = 0;
	r = wbuf_flush(wb);
	saved = errno;
	if (r != 0)
		memcpy(buf, p + wb->start, wb->len - wb->start);
	wb->len -= wb->start;
	wb->start = 0;
	wb->buf = buf;
	wb->cap = cap;
	errno = saved;
	return r;
}

char *
wbuf_reserve_slow(struct wbuf *wb, size_t n)
{
	if (wb->cap - wbuf_pending(wb) < n)
		return NULL;
	memmove(wb->buf, wb->buf + wb->start, wbuf_pending(wb));
	wb->len -= wb->start;
	wb->start = 0;
	return wb->buf + wb->len;
}

int
wbuf_put(struct wbuf *wb, const void *p, size_t n)
{
	char *dst;

	if ((dst = wbuf_reserve(wb, n)) == NULL)
		return -1;
	memcpy(dst, p, n);
	wbuf_commit(wb, n);
	return 0;
}
