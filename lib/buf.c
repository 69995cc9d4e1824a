#include "buf.h"

#include <errno.h>
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
	memset(wb, 0, sizeof(*wb));
	if ((wb->buf = malloc(cap)) == NULL)
		return -1;
	wb->fd = fd;
	wb->cap = cap;
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

int
wbuf_flush(struct wbuf *wb)
{
	ssize_t n;

	while (wb->start < wb->len) {
		n = write(wb->fd, wb->buf + wb->start, wb->len - wb->start);
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
