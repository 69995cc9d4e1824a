/* SPDX-License-Identifier: ISC */
#include "notify.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int
notify_address(const char *value, struct sockaddr_un *addr, socklen_t *len)
{
	size_t n = strlen(value);

	memset(addr, 0, sizeof(*addr));
	addr->sun_family = AF_UNIX;
	if (value[0] == '@' && n > 1) {
		/* abstract: a NUL first, and no NUL at the end */
		if (n > sizeof(addr->sun_path)) {
			errno = ENAMETOOLONG;
			return -1;
		}
		memcpy(addr->sun_path + 1, value + 1, n - 1);
		*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
		return 0;
	}
	if (value[0] != '/') {
		errno = EINVAL;
		return -1;
	}
	if (n >= sizeof(addr->sun_path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	memcpy(addr->sun_path, value, n);
	*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n + 1);
	return 0;
}

/* A decimal number in [1, max], digits only, as systemd writes them. */
static int
positive(const char *s, long long max, long long *v)
{
	char *end;

	if (s[0] < '0' || s[0] > '9')
		return -1;
	errno = 0;
	*v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || *v < 1 || *v > max)
		return -1;
	return 0;
}

int
notify_watchdog(const char *usec, const char *pid, pid_t self,
    int64_t *every)
{
	long long u, p;

	*every = 0;
	if (usec == NULL)
		return 0;
	if (positive(usec, INT64_MAX / 1000, &u) == -1 ||
	    (pid != NULL && positive(pid, INT32_MAX, &p) == -1)) {
		errno = EINVAL;
		return -1;
	}
	if (pid != NULL && p != (long long)self)
		return 0;
	/* twice in each interval, as sd_watchdog_enabled(3) advises */
	*every = (int64_t)u * 1000 / 2;
	return 0;
}

/*
 * A copy of the variable, which is then gone from the environment, even
 * when the copy could not be made (NULL, errno ENOMEM).
 */
static char *
take_env(const char *name)
{
	char *v = getenv(name);

	if (v != NULL)
		v = strdup(v);
	(void)unsetenv(name);
	return v;
}

int
notify_open(struct notify *n, const char **what)
{
	char *sock, *usec, *pid;
	int e = 0, r = 0;

	n->fd = -1;
	n->watchdog = 0;
	errno = 0;
	sock = take_env(NOTIFY_SOCKET_ENV);
	usec = take_env(NOTIFY_USEC_ENV);
	pid = take_env(NOTIFY_PID_ENV);
	if (errno == ENOMEM) {
		*what = NOTIFY_SOCKET_ENV;
		e = ENOMEM;
		r = -1;
	} else if (sock == NULL) {
		;
	} else if (notify_address(sock, &n->addr, &n->addrlen) == -1 ||
	    (n->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
	    0)) == -1) {
		*what = NOTIFY_SOCKET_ENV;
		e = errno;
		r = -1;
	} else if (notify_watchdog(usec, pid, getpid(), &n->watchdog) == -1) {
		*what = pid != NULL ? NOTIFY_USEC_ENV " or " NOTIFY_PID_ENV :
		    NOTIFY_USEC_ENV;
		e = errno;
		r = -1;
	}
	free(sock);
	free(usec);
	free(pid);
	errno = e;
	return r;
}

int
notify_send(const struct notify *n, const char *msg)
{
	ssize_t r;

	if (n->fd == -1)
		return 0;
	do
		r = sendto(n->fd, msg, strlen(msg), MSG_NOSIGNAL | MSG_DONTWAIT,
		    (const struct sockaddr *)&n->addr, n->addrlen);
	while (r == -1 && errno == EINTR);
	return r == -1 ? -1 : 0;
}
