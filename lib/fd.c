/* SPDX-License-Identifier: ISC */
#include "fd.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#define NSAVED	8

static struct {
	int	fd;
	int	flags;
} saved[NSAVED];
static int nsaved;

int
fd_std_open(void)
{
	int fd, closed = 0;

	for (fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
			continue;
		if (open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY) != fd)
			return -1;
		closed |= 1 << fd;
	}
	return closed;
}

/* May fd be made non-blocking: is it a pipe, FIFO or socket?  1, 0, -1. */
static int
may_nonblock(int fd)
{
	struct stat st;

	if (fstat(fd, &st) == -1)
		return -1;
	if (!S_ISFIFO(st.st_mode) && !S_ISSOCK(st.st_mode))
		return 0;
	return 1;
}

int
fd_nonblock(int fd)
{
	int flags, r;

	if ((r = may_nonblock(fd)) != 1)
		return r;
	if ((flags = fcntl(fd, F_GETFL)) == -1)
		return -1;
	if (flags & O_NONBLOCK)
		return 1;
	if (nsaved == NSAVED) {
		errno = EMFILE;
		return -1;
	}
	/* remember before changing, so a failed F_SETFL restores harmlessly */
	saved[nsaved].fd = fd;
	saved[nsaved].flags = flags;
	nsaved++;
	if (fcntl(fd, F_SETFL, flags | O_NONBLOCK) == -1)
		return -1;
	return 1;
}

int
fd_nonblock_own(int fd)
{
	int flags, r;

	if ((r = may_nonblock(fd)) != 1)
		return r;
	if ((flags = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, flags | O_NONBLOCK) == -1)
		return -1;
	return 1;
}

/* The last byte of the regular file behind fd, or -1 if it cannot tell. */
static int
last_byte(int fd, off_t size)
{
	char path[32], c;
	ssize_t n;
	int rfd;

	if ((n = pread(fd, &c, 1, size - 1)) == -1 && errno == EBADF) {
		/* opened for writing only (>>): read it through another */
		snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
		if ((rfd = open(path, O_RDONLY | O_NOCTTY | O_CLOEXEC)) == -1)
			return -1;
		n = pread(rfd, &c, 1, size - 1);
		(void)close(rfd);
	}
	return n == 1 ? (unsigned char)c : -1;
}

int
fd_end_part_line(int fd)
{
	struct stat st;
	int flags, c;

	if (fstat(fd, &st) == -1 || (flags = fcntl(fd, F_GETFL)) == -1)
		return -1;
	if (!S_ISREG(st.st_mode) || st.st_size == 0)
		return 0;
	/* writing over the file's bytes (1<>file) glues nothing */
	if (!(flags & O_APPEND) && lseek(fd, 0, SEEK_CUR) != st.st_size)
		return 0;
	if ((c = last_byte(fd, st.st_size)) == -1 || c == '\n')
		return 0;
	while (write(fd, "\n", 1) == -1)
		if (errno != EINTR)
			return -1;
	return 1;
}

void
fd_restore(void)
{
	int saved_errno = errno;

	/* backwards: if one description was changed twice, the first wins */
	while (nsaved > 0) {
		nsaved--;
		(void)fcntl(saved[nsaved].fd, F_SETFL, saved[nsaved].flags);
	}
	errno = saved_errno;
}
