/* SPDX-License-Identifier: ISC */
#define _GNU_SOURCE		/* tee, splice, F_GETPIPE_SZ, F_SETPIPE_SZ */
#include "held.h"

#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "loop.h"

/*
 * The least a held pipe may hold.  A part line (up to REC_LINE_MAX + 1
 * bytes) stays in it unconsumed until its end comes; in writes of at
 * most PIPE_BUF, which may fill a page only just over half, behind a
 * head page partly consumed, it takes up to 3 pages, and the next write
 * needs a fourth.  Linux gives an unprivileged user pipes of 2 pages
 * once it is over pipe-user-pages-soft: the reader waited there for the
 * line's end and the writer for room, for ever.
 */
#define HELD_PIPE_MIN	(4 * PIPE_BUF)

#define RETRY_MIN	50000		/* ns: see held_deadline() */
#define RETRY_MAX	100000000

int
held_requested(void)
{
	const char *s = getenv(HELD_ENV);
	int want = s != NULL && strcmp(s, "1") == 0;

	unsetenv(HELD_ENV);
	return want;
}

int
held_wanted(int fd)
{
	struct stat st;

	return held_requested() && fstat(fd, &st) == 0 &&
	    S_ISFIFO(st.st_mode);
}

int
held_open(struct held *h, int fd)
{
	struct epoll_event ev;
	int size, saved;

	memset(h, 0, sizeof(*h));
	h->in = fd;
	h->retry_at = LOOP_NEVER;
	h->backoff = RETRY_MIN;
	h->priv[0] = h->priv[1] = h->ep = h->null = -1;
	if ((size = fcntl(fd, F_GETPIPE_SZ)) == -1 || (size < HELD_PIPE_MIN &&
	    (size = fcntl(fd, F_SETPIPE_SZ, HELD_PIPE_MIN)) == -1) ||
	    pipe2(h->priv, O_CLOEXEC | O_NONBLOCK) == -1)
		goto fail;
	h->size = (size_t)size;
	/*
	 * Room for all the held pipe holds: tee copies from its head, so a
	 * smaller private pipe would show only bytes already seen.
	 */
	if (fcntl(h->priv[1], F_GETPIPE_SZ) < size &&
	    fcntl(h->priv[1], F_SETPIPE_SZ, size) == -1)
		goto fail;
	/*
	 * Edge-triggered: the held pipe stays readable while a part line
	 * waits in it unconsumed; the epoll descriptor wakes once a write.
	 */
	if ((h->ep = epoll_create1(EPOLL_CLOEXEC)) == -1)
		goto fail;
	memset(&ev, 0, sizeof(ev));
	ev.events = EPOLLIN | EPOLLET;
	ev.data.fd = fd;
	if (epoll_ctl(h->ep, EPOLL_CTL_ADD, fd, &ev) == -1)
		goto fail;
	if ((h->null = open("/dev/null", O_WRONLY | O_CLOEXEC)) == -1)
		goto fail;
	return 0;
fail:
	saved = errno;
	held_close(h);
	errno = saved;
	return -1;
}

void
held_close(struct held *h)
{
	if (h->priv[0] != -1)
		close(h->priv[0]);
	if (h->priv[1] != -1)
		close(h->priv[1]);
	if (h->ep != -1)
		close(h->ep);
	if (h->null != -1)
		close(h->null);
	h->priv[0] = h->priv[1] = h->ep = h->null = -1;
}

/* Moves n bytes from the head of pipe fd to /dev/null. */
static int
discard(struct held *h, int fd, size_t n)
{
	ssize_t r;

	while (n > 0) {
		r = splice(fd, NULL, h->null, NULL, n, SPLICE_F_NONBLOCK);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			return -1;
		if (r == 0) {
			/* the bytes were counted there: they cannot be gone */
			errno = EIO;
			return -1;
		}
		n -= (size_t)r;
	}
	return 0;
}

/* Is no writer left on the held pipe? */
static int
hung_up(const struct held *h)
{
	struct pollfd pfd;

	pfd.fd = h->in;
	pfd.events = POLLIN;
	return poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLHUP);
}

/*
 * When to look again if no edge comes (see held_deadline): never while
 * the pipe is empty, as the next write finds it so and wakes the reader;
 * else soon after news, and later and later while none comes.
 */
static void
retry(struct held *h, size_t avail, int news)
{
	if (avail == 0) {
		h->retry_at = LOOP_NEVER;
		h->backoff = RETRY_MIN;
		return;
	}
	if (news)
		h->backoff = RETRY_MIN;
	h->retry_at = loop_now() + h->backoff;
	if (!news && h->backoff < RETRY_MAX)
		h->backoff *= 2;
}

/*
 * Copies what is new in the held pipe into the private one.  tee copies
 * from the head, so the bytes seen before and not yet consumed come again
 * and are dropped.  Returns the bytes new, 0 at the end of input,
 * BUF_AGAIN or -1.
 */
static ssize_t
peek(struct held *h)
{
	struct epoll_event ev;
	size_t seen = (size_t)(h->peeked - h->consumed);
	ssize_t n;
	int avail;

	/* take the edge first: a write from now on wakes the next poll */
	if (epoll_wait(h->ep, &ev, 1, 0) == -1 && errno != EINTR)
		return -1;
	/*
	 * Then look for the hang-up, and count after it: a hang-up seen
	 * now means every byte there will be is counted below; one that
	 * comes later wakes the epoll descriptor.
	 */
	h->hup = hung_up(h);
	if (ioctl(h->in, FIONREAD, &avail) == -1)
		return -1;
	retry(h, (size_t)avail, (size_t)avail > seen);
	if ((size_t)avail <= seen)
		return h->hup ? 0 : BUF_AGAIN;
	do
		n = tee(h->in, h->priv[1], h->size, SPLICE_F_NONBLOCK);
	while (n == -1 && errno == EINTR);
	if (n == -1)
		return errno == EAGAIN ? BUF_AGAIN : -1;
	if ((size_t)n <= seen) {
		/* only what was seen (the private pipe is too small?) */
		if (discard(h, h->priv[0], (size_t)n) == -1)
			return -1;
		return BUF_AGAIN;
	}
	if (discard(h, h->priv[0], seen) == -1)
		return -1;
	h->queued = (size_t)n - seen;
	h->peeked = h->consumed + (size_t)n;
	return (ssize_t)h->queued;
}

ssize_t
held_fill(struct held *h, struct rbuf *rb)
{
	ssize_t n;

	if (h->queued == 0 && (n = peek(h)) <= 0) {
		if (n == 0)
			rb->eof = 1;
		return n;
	}
	if ((n = rbuf_fill(rb)) > 0)
		h->queued -= (size_t)n;
	return n;
}

size_t
held_keep_max(const struct held *h)
{
	/* a part line (at most a page past PIPE_BUF) and a margin */
	if (h->size / 2 <= 2 * (size_t)PIPE_BUF)
		return 0;
	return h->size / 2 - 2 * (size_t)PIPE_BUF;
}

uint64_t
held_release_at(const struct held *h, uint64_t off, uint64_t done,
    uint64_t keep)
{
	if (done > keep)
		done = keep;
	if (off - done > held_keep_max(h))
		done = off;
	return done;
}

int
held_consume(struct held *h, uint64_t off)
{
	if (off <= h->consumed)
		return 0;
	if (discard(h, h->in, (size_t)(off - h->consumed)) == -1)
		return -1;
	h->consumed = off;
	/*
	 * A writer this made room for may fill it without a wake-up, when
	 * the pipe is not empty (it may hold bytes not yet peeked at).
	 */
	retry(h, 1, 1);
	return 0;
}
