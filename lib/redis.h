/* SPDX-License-Identifier: ISC */
/*
 * redis: one connection to a Redis (or Valkey) server, driven from the
 * stage's own poll loop through hiredis's non-blocking context: no
 * thread, no blocking call but the name lookup of --server's host.
 *
 * The connection keeps trying to reach the server: at the start, and
 * whenever it is lost, it connects again after a pause that starts at
 * 50 ms and doubles up to 1 s.  The server counts as reached when it
 * answers; once it has not answered for the bound (--timeout) while it
 * owed an answer or was not connected, redis_gave_up() says so, and the
 * stage exits 69.  A password (--password-file) goes first on every
 * connection, as AUTH.
 *
 * What the caller sends is its own: after a loss, it sends again every
 * command that had no answer (redis_up() says when the connection is new).
 * A pure module: errors are kept in err for the caller to print.
 */
#ifndef SLUICE_REDIS_H
#define SLUICE_REDIS_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>

#include <hiredis.h>

#define REDIS_DEFAULT_HOST	"127.0.0.1"
#define REDIS_DEFAULT_PORT	6379
#define REDIS_DEFAULT_TIMEOUT	((int64_t)10 * 1000 * 1000 * 1000)

/*
 * The options both stages have, for their getopt_long tables, and the
 * lines of --help that tell them.
 */
enum {
	OPT_SERVER = 0x180,
	OPT_SOCKET,
	OPT_PASSWORD_FILE,
	OPT_STREAM,
	OPT_TIMEOUT
};
#define REDIS_LONGOPTS \
	{ "server",	   required_argument,	NULL,	OPT_SERVER }, \
	{ "socket",	   required_argument,	NULL,	OPT_SOCKET }, \
	{ "password-file", required_argument,	NULL,	OPT_PASSWORD_FILE }, \
	{ "stream",	   required_argument,	NULL,	OPT_STREAM }, \
	{ "timeout",	   required_argument,	NULL,	OPT_TIMEOUT }
#define REDIS_HELP \
"      --stream KEY    the stream's key (required)\n" \
"      --server HOST:PORT\n" \
"                      the server (default 127.0.0.1:6379)\n" \
"      --socket PATH   the server's Unix socket instead\n" \
"      --password-file FILE\n" \
"                      send AUTH with the first line of FILE\n" \
"      --timeout D     give up (exit 69) once the server has not answered\n" \
"                      for D, at the start or after a loss (default 10s)\n"

enum redis_state {
	REDIS_DOWN,		/* waiting to try again */
	REDIS_CONNECTING,	/* connect(2) in progress */
	REDIS_UP		/* connected: commands go out */
};

struct redis {
	/* where: host and port, or path */
	char		*host;
	int		 port;
	char		*path;
	char		*password;	/* NULL: no AUTH */
	int64_t		 timeout;	/* ns */
	const char	*stream;	/* the key both stages use */

	/* the connection's */
	redisContext	*c;
	enum redis_state state;
	int		 fresh;		/* up since the caller last asked */
	int		 auth_owed;	/* AUTH's answer still to come */
	size_t		 owed;		/* the caller's commands unanswered */
	int64_t		 heard;		/* when the server last answered */
	int64_t		 retry_at;	/* REDIS_DOWN: when to connect */
	int64_t		 backoff;	/* ns to the next pause */
	int64_t		 slack;		/* ns a command may block (BLOCK) */
	int		 answered;	/* anything, since it came up */
	int		 light;		/* answers: errors only (set first) */
	int		 lost;		/* connections lost so far */
	char		 err[256];	/* the last failure, for a message */
};

/* Sets the defaults: 127.0.0.1:6379, 10 s, no password. */
void	redis_init(struct redis *);

/*
 * The default case of a stage's getopt loop for the options above:
 * returns 1 when ch was one of them (exits 64 on a bad value), else 0.
 */
int	redis_option(struct redis *, int ch, const char *arg);

/* After the options: exits 64 without --stream. */
void	redis_options_done(struct redis *);

/* "host:port" or "unix socket path", for messages. */
const char *redis_where(const struct redis *);

/* Starts the first attempt.  Call once, before the loop. */
void	redis_start(struct redis *);

/*
 * Fills p with the descriptor and events to poll (fd -1 when there is
 * nothing to wait for) and returns when to call redis_io() even if the
 * descriptor stays quiet (LOOP_NEVER: no such time).
 */
int64_t	redis_poll(const struct redis *, struct pollfd *p);

/*
 * After the wait: connects, writes, reads, tries again, as revents and
 * the clock say.  Returns 0, or -1 once it has given up (err says why).
 */
int	redis_io(struct redis *, short revents);

/*
 * The connection is up and answered nothing of the caller's yet since it
 * came up: returns 1 once, then 0, so that the caller sends again what was
 * not answered.
 */
int	redis_up(struct redis *);

/*
 * Queues one command (copied) and returns 0, or -1 when the connection
 * is not up: the caller sends it once redis_up() says so.
 */
int	redis_send(struct redis *, int argc, const char **argv,
	    const size_t *argvlen);

/* The same, already in the protocol's form (one command of len bytes). */
int	redis_send_raw(struct redis *, const char *cmd, size_t len);

/*
 * Takes the next answer to a command of the caller's, in order: returns
 * 1 with *r set (free it with freeReplyObject), or 0 when none is in.
 */
int	redis_reply(struct redis *, redisReply **out);

/*
 * Frees an answer.  With light set (before redis_start), an answer that
 * is not an error is a shared object whose type is REDIS_REPLY_STATUS,
 * with nothing in it: for a caller that only asks "did it go well?".
 */
void	redis_free_reply(struct redis *, redisReply *);

/*
 * An answer that says the server cannot serve now (loading its data, a
 * replica without its master): the caller drops the connection with
 * redis_drop() and sends again once it is back.
 */
int	redis_transient(const redisReply *);

/* Drops the connection (why, for err) and tries again after a pause. */
void	redis_drop(struct redis *, const char *why);

/* Closes everything. */
void	redis_free(struct redis *);

#endif
