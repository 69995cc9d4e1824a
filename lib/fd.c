#include "fd.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
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
	int fd;

	for (fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
			continue;
		if (open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY) != fd)
			return -1;
	}
	return 0;
}

int
fd_nonblock(int fd)
{
	struct stat st;
	int flags;

	if (fstat(fd, &st) == -1)
		return -1;
	if (!S_ISFIFO(st.st_mode) && !S_ISSOCK(st.st_mode))
		return 0;
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
