#include "buf.h"

#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
	if (fstat(fd, &st) == 0 && S_ISFIFO(st.st_mode))
		wb->whole = 1;
	return 0;
}

void
rbuf_free(struct rbuf *rb)
{
	free(rb->buf);
	rb->buf = NULL;
}

void
wbuf_free(struct wbuf *wb)
{
	free(wb->buf);
	wb->buf = NULL;
}

ssize_t
rbuf_fill(struct rbuf *rb)
{
	ssize_t n;

	if (rb->start > 0) {
		memmove(rb->buf, rb->buf + rb->start, rbuf_avail(rb));
		rb->end -= rb->start;
		rb->start = 0;
	}
	if (rb->end == rb->cap) {
		errno = ENOBUFS;
		return -1;
	}
	do
		n = read(rb->fd, rb->buf + rb->end, rb->cap - rb->end);
	while (n == -1 && errno == EINTR);
	if (n > 0)
		rb->end += (size_t)n;
	rb->buf[rb->end] = '\0';
	if (n == 0)
		rb->eof = 1;
	else if (n == -1 && (errno == EAGAIN || errno == EWOULDBLOCK))
		return BUF_AGAIN;
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
 * room in between.  Filling the pipe with several such writes until one
 * would block moves as much per wake-up as one large write did.
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

int
wbuf_flush(struct wbuf *wb)
{
	size_t len;
	ssize_t n;

	while (wb->start < wb->len) {
		len = wb->len - wb->start;
		if (wb->whole && len > PIPE_BUF)
			len = whole_lines(wb->buf + wb->start);
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
