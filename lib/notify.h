/* SPDX-License-Identifier: ISC */
/*
 * notify: systemd's readiness protocol (sd_notify(3)) spoken without
 * libsystemd, which would load five more libraries into pipesup for what
 * is one datagram: "KEY=VALUE" lines sent to the AF_UNIX socket that
 * NOTIFY_SOCKET names, and "WATCHDOG=1" every half of WATCHDOG_USEC.
 * A pure module: it never prints and never exits; errors come back as -1
 * with errno, and the caller says what it makes of them.
 */
#ifndef SLUICE_NOTIFY_H
#define SLUICE_NOTIFY_H

#include <sys/types.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <stdint.h>

#define NOTIFY_SOCKET_ENV	"NOTIFY_SOCKET"
#define NOTIFY_USEC_ENV		"WATCHDOG_USEC"
#define NOTIFY_PID_ENV		"WATCHDOG_PID"

struct notify {
	int			 fd;		/* -1: nobody to tell */
	struct sockaddr_un	 addr;
	socklen_t		 addrlen;
	int64_t			 watchdog;	/* ns between pings; 0: none */
};

/*
 * The address NOTIFY_SOCKET's value names: a path ("/run/systemd/notify")
 * or, after a leading '@', a name in Linux's abstract namespace, whose
 * length, not a NUL, ends it.  Returns 0, or -1 with errno EINVAL (neither
 * form, or an empty name) or ENAMETOOLONG.
 */
int	notify_address(const char *value, struct sockaddr_un *addr,
	    socklen_t *len);

/*
 * The ping interval WATCHDOG_USEC and WATCHDOG_PID ask of process self:
 * half of usec, in nanoseconds, into *every; 0 when usec is NULL, or when
 * pid names another process (the watchdog is for that one).  Returns 0,
 * or -1 with errno EINVAL for a value that is not a positive decimal
 * number (*every is then 0).
 */
int	notify_watchdog(const char *usec, const char *pid, pid_t self,
	    int64_t *every);

/*
 * Reads NOTIFY_SOCKET, WATCHDOG_USEC and WATCHDOG_PID and removes them
 * from the environment, for they describe this process and not its
 * children; opens a datagram socket (close-on-exec, non-blocking) when
 * NOTIFY_SOCKET is set.  There is no watchdog without a socket to ping.
 * Returns 0, with n->fd -1 when NOTIFY_SOCKET is not set; or -1 with
 * errno and *what the variable at fault: after a bad NOTIFY_SOCKET n tells
 * nobody, after a bad WATCHDOG_USEC or WATCHDOG_PID it only has no
 * watchdog.  The variables are gone all the same.
 */
int	notify_open(struct notify *n, const char **what);

/*
 * Sends msg, newline-separated assignments, as one datagram; never
 * blocks.  Returns 0, also when there is nobody to tell, or -1 with
 * errno: EAGAIN when the manager's queue is full (the message is lost),
 * ECONNREFUSED or ENOENT when nobody listens there.
 */
int	notify_send(const struct notify *n, const char *msg);

#endif
