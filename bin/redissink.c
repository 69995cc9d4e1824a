/* SPDX-License-Identifier: ISC */
/*
 * redissink: a sink that appends the records it reads to a Redis stream,
 * XADD after XADD, pipelined on one non-blocking connection inside the
 * stage's poll loop.  An entry holds one record, or with --batch up to N
 * joined by newlines, in its field "v".  At most --depth entries await
 * the server's answer; while they do, no more input is read.  An entry
 * counts as delivered when the server has answered it with its ID; after
 * a lost connection every entry not answered is sent again, so delivery
 * is at-least-once.  The sink exits 0 only once every entry is answered.
 */
#include <err.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "loop.h"
#include "prog.h"
#include "record.h"
#include "redis.h"
#include "stage.h"

static const char help[] =
"usage: redissink --stream KEY [--server HOST:PORT | --socket PATH]\n"
"                 [--password-file FILE] [--batch N] [--depth N]\n"
"                 [--maxlen N] [--timeout D] [--strict] [--rejects FILE]\n"
"                 [FILE...]\n"
"Append each record read to a Redis stream (XADD KEY * v RECORD), and\n"
"exit once the server has them all.\n"
"\n"
REDIS_HELP
"      --batch N       up to N records an entry, joined by newlines\n"
"                      (default 1); the entry is then what is delivered\n"
"                      again after a failure\n"
"      --depth N       at most N entries awaiting the server (default 1024)\n"
"      --maxlen N      trim the stream to about N entries (MAXLEN ~ N);\n"
"                      off by default: it can drop entries not read yet\n"
STAGE_HELP
"\n"
"Example: randsrc --count 1000 --rate 0 | redissink --stream numbers\n";

enum {
	OPT_BATCH = OPT_PROGRAM,
	OPT_DEPTH,
	OPT_MAXLEN
};

#define BATCH_MAX	100000
#define DEPTH_MAX	65536

/* One XADD: its records, and the input offset just past them. */
struct entry {
	char		*buf;
	size_t		 len;
	size_t		 cap;
	uint64_t	 nrec;
	uint64_t	 end;
};

struct sink {
	struct redis	 r;
	uint64_t	 batch;
	size_t		 depth;
	char		 maxlen[24];	/* "" for none */
	struct entry	*ring;		/* depth slots */
	size_t		 head;		/* the oldest entry not answered */
	size_t		 count;		/* closed entries not answered */
	size_t		 nsent;		/* of those, sent on this connection */
	int		 open;		/* ring[head + count] is filling */
	uint64_t	 acked;		/* input offset answered */
	uint64_t	 keep;		/* unanswered input that pauses reading */
	char		*prefix;	/* of every XADD: see make_prefix */
	size_t		 prefix_len;
	char		*cmd;		/* one XADD, formatted */
	size_t		 cmd_cap;
};

static struct entry *
slot(struct sink *sk, size_t k)
{
	return &sk->ring[(sk->head + k) % sk->depth];
}

/*
 * The start of every XADD in the protocol's form, up to the length of
 * the records: "*7\r\n$4\r\nXADD\r\n$3\r\nkey\r\n$1\r\n*\r\n$1\r\nv\r\n"
 * (with MAXLEN ~ N before the "*").  Formatting each command whole, as
 * redisAppendCommandArgv does, costs more than the rest of the sink.
 */
static void
make_prefix(struct sink *sk)
{
	const char *key = sk->r.stream;
	int n;

	n = snprintf(NULL, 0, "*%d\r\n$4\r\nXADD\r\n$%zu\r\n%s\r\n",
	    sk->maxlen[0] != '\0' ? 8 : 5, strlen(key), key);
	n += snprintf(NULL, 0, "$6\r\nMAXLEN\r\n$1\r\n~\r\n$%zu\r\n%s\r\n",
	    strlen(sk->maxlen), sk->maxlen);
	n += sizeof("$1\r\n*\r\n$1\r\nv\r\n");
	if ((sk->prefix = malloc((size_t)n)) == NULL)
		err(EX_OSERR, NULL);
	n = snprintf(sk->prefix, (size_t)n, "*%d\r\n$4\r\nXADD\r\n$%zu\r\n%s\r\n",
	    sk->maxlen[0] != '\0' ? 8 : 5, strlen(key), key);
	if (sk->maxlen[0] != '\0')
		n += sprintf(sk->prefix + n,
		    "$6\r\nMAXLEN\r\n$1\r\n~\r\n$%zu\r\n%s\r\n",
		    strlen(sk->maxlen), sk->maxlen);
	n += sprintf(sk->prefix + n, "$1\r\n*\r\n$1\r\nv\r\n");
	sk->prefix_len = (size_t)n;
}

/* Sends the closed entries that this connection has not carried yet. */
static void
send_pending(struct sink *sk)
{
	struct entry *e;
	size_t need, len, n;
	char *cmd;

	while (sk->nsent < sk->count) {
		e = slot(sk, sk->nsent);
		/* the records without the last one's newline */
		len = e->len - 1;
		need = sk->prefix_len + 24 + len + 2;
		if (need > sk->cmd_cap) {
			if ((cmd = realloc(sk->cmd, need)) == NULL)
				err(EX_OSERR, NULL);
			sk->cmd = cmd;
			sk->cmd_cap = need;
		}
		cmd = sk->cmd;
		memcpy(cmd, sk->prefix, sk->prefix_len);
		n = sk->prefix_len;
		n += (size_t)sprintf(cmd + n, "$%zu\r\n", len);
		memcpy(cmd + n, e->buf, len);
		n += len;
		cmd[n++] = '\r';
		cmd[n++] = '\n';
		if (redis_send_raw(&sk->r, cmd, n) == -1)
			return;
		sk->nsent++;
	}
}

static void
pause_check(struct stage *st, struct sink *sk)
{
	/*
	 * Nothing awaits the server: what was read since the last answer
	 * made no entry (blank or bad lines), and is answered too, or
	 * under pipesup more of it than keep would pause reading for good.
	 */
	if (sk->count == 0 && !sk->open) {
		sk->acked = stage_offset(st);
		stage_answered_at(st, sk->acked);
	}
	st->paused = sk->count + sk->open >= sk->depth ||
	    stage_offset(st) - sk->acked >= sk->keep;
}

/* The filling entry is complete (or nothing more is there to add now). */
static void
close_entry(struct stage *st, struct sink *sk)
{
	if (!sk->open)
		return;
	slot(sk, sk->count)->end = stage_offset(st);
	sk->open = 0;
	sk->count++;
	send_pending(sk);
	pause_check(st, sk);
}

static int
record(struct stage *st, int64_t v)
{
	struct sink *sk = st->ctx;
	struct entry *e = slot(sk, sk->count);
	size_t cap;

	if (!sk->open) {
		e->len = 0;
		e->nrec = 0;
		sk->open = 1;
	}
	if (e->cap - e->len < REC_FMT_MAX) {
		cap = e->cap == 0 ? 256 : e->cap;
		while (cap - e->len < REC_FMT_MAX)
			cap *= 2;
		if ((e->buf = reallocarray(e->buf, cap, 1)) == NULL)
			err(EX_OSERR, NULL);
		e->cap = cap;
	}
	e->len += rec_format(e->buf + e->len, v);
	if (++e->nrec == sk->batch ||
	    stage_offset(st) - sk->acked >= sk->keep)
		close_entry(st, sk);
	return 0;
}

/* The server answered the oldest entry. */
static void
answered(struct stage *st, struct sink *sk, const redisReply *rep)
{
	struct entry *e = slot(sk, 0);

	if (rep->type == REDIS_REPLY_ERROR)
		errx(EX_UNAVAILABLE, "%s: XADD %s: %s", redis_where(&sk->r),
		    sk->r.stream, rep->str);
	st->counts.out += e->nrec;
	sk->acked = e->end;
	stage_answered_at(st, e->end);
	sk->head = (sk->head + 1) % sk->depth;
	sk->count--;
	sk->nsent--;
}

static void
io(struct stage *st, const struct pollfd *p, size_t n)
{
	struct sink *sk = st->ctx;
	redisReply *rep;

	(void)n;
	if (redis_io(&sk->r, p[0].revents) == -1)
		errx(EX_UNAVAILABLE, "cannot reach %s: %s", redis_where(&sk->r),
		    sk->r.err);
	if (redis_up(&sk->r) || sk->r.state != REDIS_UP)
		sk->nsent = 0;
	while (redis_reply(&sk->r, &rep)) {
		if (redis_transient(rep)) {
			redis_drop(&sk->r, rep->str);
			sk->nsent = 0;
		} else
			answered(st, sk, rep);
		redis_free_reply(&sk->r, rep);
	}
	if (sk->r.state != REDIS_UP)
		sk->nsent = 0;
	send_pending(sk);
	pause_check(st, sk);
}

/* About to wait: what is read goes out now, not when a batch fills. */
static int64_t
io_poll(struct stage *st, struct pollfd *p, size_t n)
{
	struct sink *sk = st->ctx;

	(void)n;
	if (sk->keep == 0)
		sk->keep = stage_keep_max(st) / 2;
	close_entry(st, sk);
	return redis_poll(&sk->r, p);
}

static void
finish(struct stage *st)
{
	struct sink *sk = st->ctx;

	/* stopped by a signal or --strict, a last part batch may be open */
	close_entry(st, sk);
	while (sk->count > 0)
		stage_io_wait(st);
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		REDIS_LONGOPTS,
		{ "batch",	required_argument,	NULL,	OPT_BATCH },
		{ "depth",	required_argument,	NULL,	OPT_DEPTH },
		{ "maxlen",	required_argument,	NULL,	OPT_MAXLEN },
		STAGE_LONGOPTS,
		{ NULL,		0,			NULL,	0 }
	};
	static const struct stage_ops ops = {
		.record = record,
		.finish = finish,
		.io_poll = io_poll,
		.io = io,
		.maxout = 0,
		.keeps = 1,
	};
	struct stage st;
	struct sink sk;
	size_t k;
	int ch;

	prog_init_nostdout(argc, argv);
	memset(&sk, 0, sizeof(sk));
	redis_init(&sk.r);
	sk.r.light = 1;
	sk.batch = 1;
	sk.depth = 1024;
	stage_init(&st, &ops, &sk);
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (redis_option(&sk.r, ch, optarg))
			continue;
		switch (ch) {
		case OPT_BATCH:
			sk.batch = (uint64_t)prog_int64("--batch", optarg, 1,
			    BATCH_MAX);
			break;
		case OPT_DEPTH:
			sk.depth = (size_t)prog_int64("--depth", optarg, 1,
			    DEPTH_MAX);
			break;
		case OPT_MAXLEN:
			snprintf(sk.maxlen, sizeof(sk.maxlen), "%jd",
			    (intmax_t)prog_int64("--maxlen", optarg, 1,
			    INT64_MAX));
			break;
		default:
			stage_option(&st, ch, optarg, help);
		}
	}
	stage_operands(&st, argc - optind, argv + optind);
	redis_options_done(&sk.r);
	if ((sk.ring = calloc(sk.depth, sizeof(*sk.ring))) == NULL)
		err(EX_OSERR, NULL);
	make_prefix(&sk);

	redis_start(&sk.r);
	ch = stage_run(&st);
	redis_free(&sk.r);
	for (k = 0; k < sk.depth; k++)
		free(sk.ring[k].buf);
	free(sk.ring);
	free(sk.prefix);
	free(sk.cmd);
	return ch;
}
