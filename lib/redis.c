/* SPDX-License-Identifier: ISC */
#include "redis.h"

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "loop.h"
#include "opt.h"
#include "prog.h"

#include <sds.h>

#define BACKOFF_FIRST	((int64_t)50 * 1000 * 1000)	/* ns */
#define BACKOFF_MAX	((int64_t)1000 * 1000 * 1000)
#define PASSWORD_MAX	512

void
redis_init(struct redis *r)
{
	memset(r, 0, sizeof(*r));
	r->port = REDIS_DEFAULT_PORT;
	r->timeout = REDIS_DEFAULT_TIMEOUT;
	r->state = REDIS_DOWN;
	r->retry_at = LOOP_NEVER;
}

static char *
xstrdup(const char *s)
{
	char *p;

	if ((p = strdup(s)) == NULL)
		err(EX_OSERR, NULL);
	return p;
}

/* "host:port", "[v6addr]:port", or "host" alone for the default port. */
static void
parse_server(struct redis *r, const char *arg)
{
	const char *colon, *host = arg, *end;
	size_t n;

	if (arg[0] == '[') {
		host = arg + 1;
		if ((end = strchr(host, ']')) == NULL ||
		    (end[1] != '\0' && end[1] != ':'))
			prog_usage("--server: \"%s\" is not HOST:PORT", arg);
		colon = end[1] == ':' ? end + 1 : NULL;
	} else {
		colon = strrchr(arg, ':');
		if (colon != NULL && strchr(arg, ':') != colon)
			prog_usage("--server: \"%s\": put an IPv6 address in "
			    "brackets, as [::1]:6379", arg);
		end = colon != NULL ? colon : arg + strlen(arg);
	}
	if ((n = (size_t)(end - host)) == 0)
		prog_usage("--server: \"%s\" has no host", arg);
	free(r->host);
	if ((r->host = strndup(host, n)) == NULL)
		err(EX_OSERR, NULL);
	r->port = colon != NULL ?
	    (int)prog_int64("--server's port", colon + 1, 1, 65535) :
	    REDIS_DEFAULT_PORT;
}

/* The first line of the file, without its newline. */
static char *
read_password(const char *path)
{
	char buf[PASSWORD_MAX + 2];
	size_t n;
	FILE *f;

	if ((f = fopen(path, "re")) == NULL)
		err(EX_NOINPUT, "%s", path);
	if (fgets(buf, sizeof(buf), f) == NULL) {
		if (ferror(f))
			err(EX_IOERR, "%s", path);
		errx(EX_DATAERR, "%s: no password in it", path);
	}
	fclose(f);
	n = strcspn(buf, "\r\n");
	if (n == strlen(buf) && n > PASSWORD_MAX)
		errx(EX_DATAERR, "%s: the password is longer than %d bytes",
		    path, PASSWORD_MAX);
	buf[n] = '\0';
	if (n == 0)
		errx(EX_DATAERR, "%s: the first line is empty", path);
	return xstrdup(buf);
}

int
redis_option(struct redis *r, int ch, const char *arg)
{
	switch (ch) {
	case OPT_SERVER:
		parse_server(r, arg);
		break;
	case OPT_SOCKET:
		free(r->path);
		r->path = xstrdup(arg);
		break;
	case OPT_PASSWORD_FILE:
		free(r->password);
		r->password = read_password(arg);
		break;
	case OPT_STREAM:
		if (arg[0] == '\0')
			prog_usage("--stream: the key is empty");
		r->stream = arg;
		break;
	case OPT_TIMEOUT:
		r->timeout = prog_duration("--timeout", arg);
		if (r->timeout <= 0)
			prog_usage("--timeout: \"%s\" is not a bound", arg);
		break;
	default:
		return 0;
	}
	return 1;
}

void
redis_options_done(struct redis *r)
{
	if (r->stream == NULL)
		prog_usage("--stream KEY is required");
	if (r->path != NULL && r->host != NULL)
		prog_usage("--server and --socket: choose one");
	if (r->host == NULL && r->path == NULL)
		r->host = xstrdup(REDIS_DEFAULT_HOST);
}

const char *
redis_where(const struct redis *r)
{
	static char where[PATH_MAX + 16];

	if (r->path != NULL)
		return r->path;
	snprintf(where, sizeof(where), strchr(r->host, ':') != NULL ?
	    "[%s]:%d" : "%s:%d", r->host, r->port);
	return where;
}

/*
 * Light answers: an error is kept whole, anything else is one shared
 * object that says "not an error".  A caller that only needs to know
 * whether each command went well (redissink: an XADD's answer is an ID
 * it has no use for) is spared an allocation or two an answer.
 */
static redisReply light_ok = { .type = REDIS_REPLY_STATUS };

static void *
light_string(const redisReadTask *t, char *s, size_t n)
{
	redisReply *r;

	if (t->type != REDIS_REPLY_ERROR || t->parent != NULL)
		return &light_ok;
	if ((r = calloc(1, sizeof(*r))) == NULL ||
	    (r->str = malloc(n + 1)) == NULL) {
		free(r);
		return NULL;
	}
	r->type = REDIS_REPLY_ERROR;
	memcpy(r->str, s, n);
	r->str[n] = '\0';
	r->len = n;
	return r;
}

static void *
light_array(const redisReadTask *t, int n)
{
	(void)t;
	(void)n;
	return &light_ok;
}

static void *
light_integer(const redisReadTask *t, long long v)
{
	(void)t;
	(void)v;
	return &light_ok;
}

static void *
light_nil(const redisReadTask *t)
{
	(void)t;
	return &light_ok;
}

static void
light_free(void *p)
{
	redisReply *r = p;

	if (r == &light_ok || r == NULL)
		return;
	free(r->str);
	free(r);
}

static redisReplyObjectFunctions light_fns = {
	light_string, light_array, light_integer, light_nil, light_free
};

void
redis_free_reply(struct redis *r, redisReply *rep)
{
	if (r->light)
		light_free(rep);
	else
		freeReplyObject(rep);
}

static void
fail(struct redis *r, const char *what, const char *why)
{
	snprintf(r->err, sizeof(r->err), "%s: %s", what, why);
}

/* Frees the context and schedules the next attempt. */
static void
down(struct redis *r)
{
	int64_t now = loop_now();

	if (r->c != NULL) {
		redisFree(r->c);
		r->c = NULL;
	}
	if (r->state == REDIS_UP) {
		r->lost++;
		/*
		 * The bound counts from the loss, unless the server owed an
		 * answer it never gave on this connection: one that accepts
		 * and then hangs up is not reached.
		 */
		if (r->answered || (r->owed == 0 && !r->auth_owed))
			r->heard = now;
	}
	r->state = REDIS_DOWN;
	r->owed = 0;
	r->auth_owed = 0;
	r->fresh = 0;
	r->retry_at = now + r->backoff;
	r->backoff = r->backoff == 0 ? BACKOFF_FIRST :
	    r->backoff * 2 > BACKOFF_MAX ? BACKOFF_MAX : r->backoff * 2;
}

/* The connection works: AUTH goes first, then whatever the caller sends. */
static void
up(struct redis *r)
{
	const char *argv[2] = { "AUTH", r->password };

	r->state = REDIS_UP;
	r->fresh = 1;
	r->answered = 0;
	if (r->password != NULL) {
		if (redisAppendCommandArgv(r->c, 2, argv, NULL) != REDIS_OK)
			err(EX_OSERR, "hiredis");
		r->auth_owed = 1;
	}
}

static void
attempt(struct redis *r)
{
	int fd;

	r->c = r->path != NULL ? redisConnectUnixNonBlock(r->path) :
	    redisConnectNonBlock(r->host, r->port);
	if (r->c == NULL)
		err(EX_OSERR, "hiredis");
	if (r->c->err != 0) {
		fail(r, "connect", r->c->errstr);
		down(r);
		return;
	}
	if (r->light)
		r->c->reader->fn = &light_fns;
	fd = r->c->fd;
	/* no descriptor of ours reaches a program a stage starts */
	if (fcntl(fd, F_SETFD, FD_CLOEXEC) == -1)
		err(EX_OSERR, "fcntl");
	r->state = REDIS_CONNECTING;
	r->retry_at = LOOP_NEVER;
}

void
redis_start(struct redis *r)
{
	r->heard = loop_now();
	attempt(r);
}

/* Has the server been silent for longer than the bound? */
static int
given_up(const struct redis *r, int64_t now)
{
	if (r->state == REDIS_UP && r->owed == 0 && !r->auth_owed)
		return 0;
	return now - r->heard > r->timeout + r->slack;
}

int64_t
redis_poll(const struct redis *r, struct pollfd *p)
{
	int64_t bound = r->heard + r->timeout + r->slack;

	p->fd = -1;
	p->events = 0;
	p->revents = 0;
	switch (r->state) {
	case REDIS_DOWN:
		return r->retry_at < bound ? r->retry_at : bound;
	case REDIS_CONNECTING:
		p->fd = r->c->fd;
		p->events = POLLOUT;
		return bound;
	case REDIS_UP:
		p->fd = r->c->fd;
		/* always read: a closed connection shows at once */
		p->events = POLLIN;
		if (r->c->obuf != NULL && sdslen(r->c->obuf) > 0)
			p->events |= POLLOUT;
		return r->owed > 0 || r->auth_owed ? bound : LOOP_NEVER;
	}
	return LOOP_NEVER;
}

/* connect(2) ended: how? */
static void
connected(struct redis *r)
{
	socklen_t len = sizeof(int);
	int e = 0;

	if (getsockopt(r->c->fd, SOL_SOCKET, SO_ERROR, &e, &len) == -1)
		e = errno;
	if (e != 0) {
		fail(r, "connect", strerror(e));
		down(r);
		return;
	}
	up(r);
}

int
redis_io(struct redis *r, short revents)
{
	int64_t now = loop_now();
	int done;

	if (r->state == REDIS_CONNECTING && revents != 0)
		connected(r);
	if (r->state == REDIS_UP && revents & POLLOUT &&
	    redisBufferWrite(r->c, &done) != REDIS_OK) {
		fail(r, "write", r->c->errstr);
		down(r);
	}
	if (r->state == REDIS_UP && revents & (POLLIN | POLLHUP | POLLERR) &&
	    redisBufferRead(r->c) != REDIS_OK) {
		fail(r, "read", r->c->errstr);
		down(r);
	}
	if (given_up(r, now)) {
		if (r->err[0] == '\0')
			fail(r, "no answer", "the server is silent");
		return -1;
	}
	if (r->state == REDIS_DOWN && now >= r->retry_at)
		attempt(r);
	return 0;
}

int
redis_up(struct redis *r)
{
	int was = r->fresh;

	r->fresh = 0;
	return was;
}

/* A command is on its way: the bound counts from now if none was owed. */
static void
sent(struct redis *r)
{
	if (r->owed == 0 && !r->auth_owed)
		r->heard = loop_now();
	r->owed++;
}

int
redis_send(struct redis *r, int argc, const char **argv,
    const size_t *argvlen)
{
	if (r->state != REDIS_UP)
		return -1;
	if (redisAppendCommandArgv(r->c, argc, argv, argvlen) != REDIS_OK)
		err(EX_OSERR, "hiredis");
	sent(r);
	return 0;
}

int
redis_send_raw(struct redis *r, const char *cmd, size_t len)
{
	if (r->state != REDIS_UP)
		return -1;
	if (redisAppendFormattedCommand(r->c, cmd, len) != REDIS_OK)
		err(EX_OSERR, "hiredis");
	sent(r);
	return 0;
}

int
redis_transient(const redisReply *rep)
{
	static const char *const busy[] = {
		"LOADING", "BUSY ", "TRYAGAIN", "MASTERDOWN", "CLUSTERDOWN"
	};
	size_t k;

	if (rep->type != REDIS_REPLY_ERROR)
		return 0;
	for (k = 0; k < sizeof(busy) / sizeof(busy[0]); k++)
		if (strncmp(rep->str, busy[k], strlen(busy[k])) == 0)
			return 1;
	return 0;
}

int
redis_reply(struct redis *r, redisReply **out)
{
	void *p;

	for (;;) {
		if (r->state != REDIS_UP)
			return 0;
		if (redisGetReplyFromReader(r->c, &p) != REDIS_OK) {
			fail(r, "read", r->c->errstr);
			down(r);
			return 0;
		}
		if (p == NULL)
			return 0;
		r->heard = loop_now();
		r->answered = 1;
		/* a server that is loading its data is not back yet */
		if (!redis_transient(p))
			r->backoff = 0;
		if (!r->auth_owed) {
			if (r->owed > 0)
				r->owed--;
			r->err[0] = '\0';
			*out = p;
			return 1;
		}
		/* AUTH's answer */
		r->auth_owed = 0;
		if (((redisReply *)p)->type == REDIS_REPLY_ERROR &&
		    !redis_transient(p))
			errx(EX_UNAVAILABLE, "%s: AUTH: %s", redis_where(r),
			    ((redisReply *)p)->str);
		redis_free_reply(r, p);
	}
}

void
redis_drop(struct redis *r, const char *why)
{
	fail(r, "dropped", why);
	down(r);
}

void
redis_free(struct redis *r)
{
	if (r->c != NULL)
		redisFree(r->c);
	free(r->host);
	free(r->path);
	if (r->password != NULL)
		explicit_bzero(r->password, strlen(r->password));
	free(r->password);
	memset(r, 0, sizeof(*r));
}
