/* SPDX-License-Identifier: ISC */
/*
 * redissrc: a source that reads a Redis stream in a consumer group and
 * writes the records of each entry it is given, whole, to standard
 * output.  It reads its own pending entries first (those a predecessor
 * of the same name was given and did not acknowledge), then new ones,
 * and takes over the entries another consumer left unacknowledged for
 * longer than --claim-idle.  An entry is acknowledged (XACK) only once
 * all its records are written out: delivery is at-least-once.  One
 * non-blocking connection, inside the stage's own poll loop; each
 * XREADGROUP blocks the server side for at most BLOCK_MS, so that a stop
 * is never kept waiting.
 */
#include <err.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "badrec.h"
#include "loop.h"
#include "prog.h"
#include "record.h"
#include "redis.h"
#include "run.h"
#include "sig.h"
#include "stats.h"
#include "xread.h"

static const char help[] =
"usage: redissrc --stream KEY --group NAME [--server HOST:PORT |\n"
"                --socket PATH] [--password-file FILE] [--consumer NAME]\n"
"                [--claim-idle D] [--until-idle D] [--timeout D]\n"
"                [--strict] [--rejects FILE]\n"
"Write the records of the entries a Redis stream's consumer group gives\n"
"this consumer, acknowledging each entry once its records are written.\n"
"\n"
REDIS_HELP
"      --group NAME    the consumer group (made, at the stream's start,\n"
"                      if it does not exist)\n"
"      --consumer NAME this consumer's name (default: the host's name, then\n"
"                      /STAGE under pipesup)\n"
"      --claim-idle D  take over entries another consumer has left\n"
"                      unacknowledged for D (default 30s)\n"
"      --until-idle D  end once nothing has come for D and nothing of its\n"
"                      own is pending (default: never end)\n"
"      --strict        stop at the first bad record (exit 65)\n"
"      --rejects FILE  append each bad record to FILE\n"
"  -h, --help          show this help\n"
"      --version       show the version\n"
"\n"
"Example: redissrc --stream numbers --group print --until-idle 2s | procprint\n";

enum {
	OPT_GROUP = OPT_PROGRAM,
	OPT_CONSUMER,
	OPT_CLAIM_IDLE,
	OPT_UNTIL_IDLE
};

#define OUT_CAP		((size_t)128 * 1024)
#define SPLIT_CAP	((size_t)64 * 1024)
#define COUNT		"1000"		/* entries a read asks for */
#define COUNT_N		1000		/* the same, as a number */
#define BLOCK_MS	100		/* the longest a read waits */
#define ACKS_MAX	1000		/* IDs in one XACK */
/*
 * Entries in hand, queued or written but not yet acknowledged: the
 * bound on their IDs' memory.  Short records fill the output buffer
 * with tens of thousands of entries, megabytes of IDs, while the reader
 * is stalled; four XACKs' worth keeps the speed.
 */
#define DONE_MAX	((size_t)4 * ACKS_MAX)
#define CLAIM_EVERY_MIN	((int64_t)100 * 1000 * 1000)	/* ns */
#define NAME_MAX_LEN	256

/* What each command in flight was, to read its answer: in order. */
enum ask { ASK_GROUP, ASK_READ, ASK_CLAIM, ASK_ACK };

/* An entry whose records are queued: acknowledge once mark is written. */
struct done {
	char		id[XREAD_ID_MAX];
	uint64_t	mark;
};

struct src {
	struct redis	 r;
	const char	*group;
	char		 consumer[NAME_MAX_LEN];
	int64_t		 claim_idle;
	int64_t		 until_idle;	/* 0: never */
	int		 strict;
	struct badrec	 bad;		/* --rejects, and the count */

	struct run	 run;
	struct wbuf	 out;
	struct stats_counts counts;
	uint64_t	 queued;	/* bytes ever queued in out */

	/* the commands in flight, oldest first; n: an XACK's IDs */
	struct {
		enum ask	what;
		size_t		n;
	}		 asks[64];
	size_t		 nasks;
	int		 reading;	/* a read or claim is in flight */

	int		 pending;	/* still reading our own pending */
	char		 last[XREAD_ID_MAX]; /* where that read goes on */
	int64_t		 claim_at;	/* the next claim pass */
	char		 cursor[XREAD_ID_MAX];	/* of the pass; "" none */
	int64_t		 heard;		/* when an entry last came */

	/* the answer being written: its entries, and the one being split */
	redisReply	*cur;
	int		 cur_again;	/* its entries were delivered before */
	int		 cur_own;	/* it is a read of our own pending */
	int		 cur_marked;	/* known: which of its entries are in hand */
	unsigned char	 known[COUNT_N];
	struct xwalk	 walk;
	struct xentry	 e;
	int		 splitting;
	struct xsplit	 split;

	/* written or being written, not yet acknowledged */
	struct done	*done;
	size_t		 ndone;
	size_t		 capdone;
	size_t		 acking;	/* of those, sent in XACKs in flight */
	uint64_t	 again;		/* entries delivered before */
	uint64_t	 gone;		/* of ours, deleted from the stream */
	int		 failed;	/* --strict met a bad record */
};

/* Sends a command; returns 0, or -1 when the connection is not up. */
static int
ask(struct src *s, enum ask what, size_t n, int argc, const char **argv)
{
	if (s->nasks == sizeof(s->asks) / sizeof(s->asks[0]) ||
	    redis_send(&s->r, argc, argv, NULL) == -1)
		return -1;
	s->asks[s->nasks].what = what;
	s->asks[s->nasks++].n = n;
	if (what == ASK_READ || what == ASK_CLAIM)
		s->reading = 1;
	return 0;
}

/*
 * Every connection starts by making the group (at the stream's start, so
 * that what was added before the first consumer came is read too; an
 * existing group is fine), and reads the pending entries of this
 * consumer from the start again: acknowledgements lost with the old
 * connection leave entries there that were written already.
 */
static void
connected(struct src *s)
{
	const char *argv[] = { "XGROUP", "CREATE", s->r.stream, s->group,
	    "0", "MKSTREAM" };

	s->nasks = 0;
	s->reading = 0;
	s->acking = 0;
	ask(s, ASK_GROUP, 0, 6, argv);
}

/* The records written up to here are out of our hands. */
static uint64_t
written(const struct src *s)
{
	return s->queued - wbuf_pending(&s->out);
}

/* Acknowledges the entries whose records are all written. */
static void
send_acks(struct src *s)
{
	const char *argv[3 + ACKS_MAX];
	size_t n = 0, k;
	uint64_t w = written(s);

	argv[n++] = "XACK";
	argv[n++] = s->r.stream;
	argv[n++] = s->group;
	for (k = s->acking; k < s->ndone && n < 3 + ACKS_MAX &&
	    s->done[k].mark <= w; k++)
		argv[n++] = s->done[k].id;
	if (n == 3)
		return;
	if (ask(s, ASK_ACK, k - s->acking, (int)n, argv) == 0)
		s->acking = k;
}

/* The oldest XACK in flight, of the first n entries, was answered. */
static void
acked(struct src *s, size_t n)
{
	memmove(s->done, s->done + n, (s->ndone - n) * sizeof(*s->done));
	s->ndone -= n;
	s->acking -= n;
}

/* Is the entry written already, its acknowledgement lost with a connection? */
static int
in_hand(const struct src *s, const struct xentry *e)
{
	size_t k;

	for (k = 0; k < s->ndone; k++)
		if (strlen(s->done[k].id) == e->idlen &&
		    memcmp(s->done[k].id, e->id, e->idlen) == 0)
			return 1;
	return 0;
}

static void
read_more(struct src *s)
{
	const char *argv[11];
	char idle[24], block[16];
	int n = 0;

	if (s->cursor[0] != '\0') {
		snprintf(idle, sizeof(idle), "%jd",
		    (intmax_t)(s->claim_idle / 1000000));
		argv[n++] = "XAUTOCLAIM";
		argv[n++] = s->r.stream;
		argv[n++] = s->group;
		argv[n++] = s->consumer;
		argv[n++] = idle;
		argv[n++] = s->cursor;
		argv[n++] = "COUNT";
		argv[n++] = COUNT;
		ask(s, ASK_CLAIM, 0, n, argv);
		return;
	}
	argv[n++] = "XREADGROUP";
	argv[n++] = "GROUP";
	argv[n++] = s->group;
	argv[n++] = s->consumer;
	argv[n++] = "COUNT";
	argv[n++] = COUNT;
	if (!s->pending) {
		snprintf(block, sizeof(block), "%d", BLOCK_MS);
		argv[n++] = "BLOCK";
		argv[n++] = block;
	}
	argv[n++] = "STREAMS";
	argv[n++] = s->r.stream;
	argv[n++] = s->pending ? s->last : ">";
	s->r.slack = s->pending ? 0 : (int64_t)BLOCK_MS * 1000 * 1000;
	ask(s, ASK_READ, 0, n, argv);
}

static void
remember(struct src *s, const struct xentry *e)
{
	struct done *d;

	if (s->ndone == s->capdone) {
		s->capdone = s->capdone == 0 ? 1024 : s->capdone * 2;
		if ((d = reallocarray(s->done, s->capdone, sizeof(*d))) == NULL)
			err(EX_OSERR, NULL);
		s->done = d;
	}
	d = &s->done[s->ndone++];
	memcpy(d->id, e->id, e->idlen);
	d->id[e->idlen] = '\0';
	d->mark = s->queued;
}

static void
bad(struct src *s, const struct xentry *e, const char *line, size_t n,
    const char *why)
{
	char where[sizeof("entry ") + XREAD_ID_MAX];

	snprintf(where, sizeof(where), "entry %.*s", (int)e->idlen, e->id);
	badrec_warn(&s->bad, where, line, n, why);
}

/*
 * Queues the records of the entries of the answer in hand while there is
 * room; returns 1 once they are all queued.
 */
static int
queue_entries(struct src *s)
{
	struct reader_line l;
	char *p;
	int r;

	while (s->cur != NULL && !s->failed) {
		if (!s->splitting) {
			if (s->ndone == DONE_MAX)
				return 0;	/* wait for XACKs' answers */
			if ((r = xwalk_next(&s->walk, &s->e)) == 0) {
				freeReplyObject(s->cur);
				s->cur = NULL;
				break;
			}
			if (r == -1)
				errx(EX_UNAVAILABLE, "%s: an entry of %s is "
				    "not an ID and fields", redis_where(&s->r),
				    s->r.stream);
			s->heard = loop_now();
			if (s->cur_own) {
				memcpy(s->last, s->e.id, s->e.idlen);
				s->last[s->e.idlen] = '\0';
			}
			if (s->cur_marked && s->known[s->walk.next - 1])
				continue;	/* written: only to acknowledge */
			if (s->e.gone) {
				/* no records to write: acknowledged, counted */
				s->gone++;
				remember(s, &s->e);
				continue;
			}
			s->again += (uint64_t)s->cur_again;
			if (s->e.v == NULL) {
				/* no records in it: a field v is missing */
				bad(s, &s->e, "", 0, "no field v");
				remember(s, &s->e);
				if (s->strict)
					s->failed = 1;
				continue;
			}
			xsplit_start(&s->split, s->e.v, s->e.vlen);
			s->splitting = 1;
		}
		if ((p = wbuf_reserve(&s->out, REC_FMT_MAX)) == NULL)
			return 0;
		switch (xsplit_next(&s->split, &l)) {
		case READER_STOP:
			s->failed = 1;
			/* FALLTHROUGH */
		case READER_MORE:
			if (reader_end(&s->split.rd))
				badrec_save(&s->bad, "\n", 1);
			s->splitting = 0;
			remember(s, &s->e);
			break;
		case READER_RECORD:
			r = (int)rec_format(p, l.v);
			wbuf_commit(&s->out, (size_t)r);
			s->queued += (uint64_t)r;
			s->counts.in++;
			s->counts.out++;
			break;
		case READER_BAD:
			bad(s, &s->e, l.p, l.len, rec_strerror(l.why));
			badrec_save(&s->bad, l.p, l.save);
			if (l.add_nl)
				badrec_save(&s->bad, "\n", 1);
			break;
		case READER_REST:
			badrec_save(&s->bad, l.p, l.save);
			break;
		}
	}
	if (s->failed && s->cur != NULL) {
		/*
		 * --strict stopped: the entries after the bad one are not
		 * written, so not acknowledged; they stay pending, for the
		 * next consumer.  The answer goes, or the XACKs' answers
		 * would wait behind it for ever.
		 */
		freeReplyObject(s->cur);
		s->cur = NULL;
		s->splitting = 0;
	}
	return s->cur == NULL;
}

/*
 * Which entries of the answer that came are in hand already (written, or
 * queued, and not acknowledged), as they are now: a read of our own
 * pending brings them again after a lost connection, and a claim pass
 * takes our own entries too once they are idle for --claim-idle behind a
 * stalled reader.  Decided now, for an XACK answered while the answer is
 * being written takes an entry out of done, and would make it new.
 */
static void
mark_in_hand(struct src *s)
{
	struct xwalk w = s->walk;
	struct xentry e;
	size_t k;
	int r;

	if (w.list != NULL && w.list->elements > COUNT_N)
		errx(EX_UNAVAILABLE, "%s: %zu entries came, %d were asked for",
		    redis_where(&s->r), w.list->elements, COUNT_N);
	for (k = 0; (r = xwalk_next(&w, &e)) != 0; k++)
		s->known[k] = r == 1 && in_hand(s, &e);
	s->cur_marked = 1;
}

/* An answer came: to which command, and what it says. */
static void
answer(struct src *s, redisReply *rep)
{
	const char *cursor;
	size_t len, n;
	enum ask what;

	if (s->nasks == 0)
		errx(EX_SOFTWARE, "an answer nobody asked for");
	what = s->asks[0].what;
	n = s->asks[0].n;
	memmove(s->asks, s->asks + 1, --s->nasks * sizeof(s->asks[0]));
	if (rep->type == REDIS_REPLY_ERROR &&
	    !(what == ASK_GROUP && strncmp(rep->str, "BUSYGROUP", 9) == 0))
		errx(EX_UNAVAILABLE, "%s: %s: %s", redis_where(&s->r),
		    what == ASK_GROUP ? "XGROUP CREATE" : what == ASK_READ ?
		    "XREADGROUP" : what == ASK_CLAIM ? "XAUTOCLAIM" : "XACK",
		    rep->str);
	switch (what) {
	case ASK_GROUP:
		freeReplyObject(rep);
		return;
	case ASK_ACK:
		acked(s, n);
		freeReplyObject(rep);
		return;
	case ASK_READ:
		s->reading = 0;
		if (xwalk_read(&s->walk, rep) == -1)
			errx(EX_UNAVAILABLE, "%s: XREADGROUP's answer is not "
			    "one stream's entries", redis_where(&s->r));
		s->cur_again = s->cur_own = s->pending;
		s->cur_marked = 0;
		if (s->pending && (s->walk.list == NULL ||
		    s->walk.list->elements == 0))
			s->pending = 0;
		if (s->cur_own)
			mark_in_hand(s);
		break;
	case ASK_CLAIM:
		s->reading = 0;
		if (xwalk_claim(&s->walk, rep, &cursor, &len) == -1 ||
		    len >= sizeof(s->cursor))
			errx(EX_UNAVAILABLE, "%s: XAUTOCLAIM's answer is not "
			    "a cursor and entries", redis_where(&s->r));
		if (len == 3 && memcmp(cursor, "0-0", 3) == 0)
			s->cursor[0] = '\0';	/* the pass is over */
		else
			strlcpy(s->cursor, cursor, len + 1);	/* len < 48 */
		/* the server dropped these from the pending list itself */
		s->gone += s->walk.deleted;
		s->cur_again = 1;
		s->cur_own = 0;
		mark_in_hand(s);
		break;
	}
	s->cur = rep;
	s->splitting = 0;
}

/*
 * Can the next answer be taken now?  That of a read waits until the
 * entries in hand are written; any other (an XACK's) is taken at once:
 * left unread behind a stalled reader, it would count as the server's
 * silence, and --timeout would end us with 69.
 */
static int
can_take(const struct src *s)
{
	return s->cur == NULL || (s->nasks > 0 &&
	    s->asks[0].what != ASK_READ && s->asks[0].what != ASK_CLAIM);
}

/* What the connection brought; sends again after a loss. */
static void
converse(struct src *s, short revents)
{
	redisReply *rep;

	if (redis_io(&s->r, revents) == -1)
		errx(EX_UNAVAILABLE, "cannot reach %s: %s", redis_where(&s->r),
		    s->r.err);
	if (redis_up(&s->r)) {
		connected(s);
		/*
		 * What the server gave us is pending until acknowledged: an
		 * answer lost with a connection is read again from there
		 * (what we have written already is only acknowledged).
		 */
		s->pending = 1;
		strlcpy(s->last, "0", sizeof(s->last));
		/* the time without a server is no idleness (--until-idle) */
		s->heard = loop_now();
	}
	while (can_take(s) && redis_reply(&s->r, &rep)) {
		if (redis_transient(rep)) {
			redis_drop(&s->r, rep->str);
			freeReplyObject(rep);
			break;
		}
		answer(s, rep);
	}
	if (s->r.state != REDIS_UP) {
		s->nasks = 0;
		s->reading = 0;
		s->acking = 0;
		/* a read's answer may be lost: ours pending, until read */
		s->pending = 1;
	}
}

/* Nothing has come for --until-idle, and nothing of ours is pending. */
static int
idle_over(const struct src *s, int64_t now)
{
	return s->until_idle > 0 && !s->pending && s->cur == NULL &&
	    s->ndone == 0 && !s->reading && s->cursor[0] == '\0' &&
	    s->nasks == 0 && now - s->heard >= s->until_idle;
}

static void
loop(struct src *s)
{
	struct pollfd pfd[3];
	enum { SIG, OUT, RDS };
	int64_t now, deadline;
	int stopping;

	for (;;) {
		stopping = s->run.stopsig != 0 || s->failed ||
		    s->bad.error != 0;
		queue_entries(s);
		run_flush(&s->run);
		if (s->r.state == REDIS_UP) {
			send_acks(s);
			now = loop_now();
			if (!stopping && !s->reading && s->cur == NULL) {
				if (!s->pending && s->cursor[0] == '\0' &&
				    now >= s->claim_at) {
					strlcpy(s->cursor, "0-0",
					    sizeof(s->cursor));
					s->claim_at = now + (s->claim_idle / 2 >
					    CLAIM_EVERY_MIN ? s->claim_idle /
					    2 : CLAIM_EVERY_MIN);
				}
				if (!idle_over(s, now))
					read_more(s);
			}
		}
		stats_publish(&s->counts);
		now = loop_now();
		if (idle_over(s, now) && wbuf_pending(&s->out) == 0)
			break;
		/* a stop: what was given is written and acknowledged first */
		if (stopping && s->cur == NULL && !s->reading &&
		    (s->ndone == 0 || s->r.state != REDIS_UP) &&
		    wbuf_pending(&s->out) == 0)
			break;

		pfd[SIG].fd = sig_fd();
		pfd[SIG].events = POLLIN;
		pfd[OUT].fd = wbuf_pending(&s->out) > 0 ? s->out.fd : -1;
		pfd[OUT].events = POLLOUT;
		deadline = redis_poll(&s->r, &pfd[RDS]);
		/* only times still to come: one gone by would spin */
		if (s->until_idle > 0 && s->heard + s->until_idle > now &&
		    s->heard + s->until_idle < deadline)
			deadline = s->heard + s->until_idle;
		if (s->claim_at > now && s->claim_at < deadline)
			deadline = s->claim_at;
		if (loop_wait(pfd, 3, deadline) == -1)
			err(EX_OSERR, "poll");
		if (pfd[SIG].revents & POLLIN)
			run_signals(&s->run);
		converse(s, pfd[RDS].revents);
	}
}

/* The default name: the host's, and the stage's under pipesup. */
static void
default_consumer(struct src *s)
{
	char host[HOST_NAME_MAX + 1];
	const char *stage = getenv(PROG_STAGE_ENV);

	if (gethostname(host, sizeof(host)) == -1)
		err(EX_OSERR, "gethostname");
	host[sizeof(host) - 1] = '\0';
	snprintf(s->consumer, sizeof(s->consumer), "%s%s%s", host,
	    stage != NULL && stage[0] != '\0' ? "/" : "",
	    stage != NULL ? stage : "");
}

static int
finish(struct src *s)
{
	run_write_out(&s->run);
	stats_publish(&s->counts);
	badrec_close(&s->bad);
	if (s->again > 0)
		warnx("%ju entr%s delivered again (pending after a failure, or "
		    "taken over from a consumer that stopped): their records "
		    "may come twice", (uintmax_t)s->again,
		    s->again == 1 ? "y was" : "ies were");
	if (s->gone > 0)
		warnx("%ju pending entr%s deleted from the stream (XDEL, or "
		    "trimming) before %s read again or taken over: %s records "
		    "are lost if they were not written before", (uintmax_t)s->gone,
		    s->gone == 1 ? "y was" : "ies were",
		    s->gone == 1 ? "it was" : "they were",
		    s->gone == 1 ? "its" : "their");
	badrec_summary(&s->bad, s->failed);
	xsplit_free(&s->split);
	free(s->done);
	if (s->cur != NULL)
		freeReplyObject(s->cur);
	redis_free(&s->r);
	run_end(&s->run);
	return s->counts.bad > 0 ? EX_DATAERR : 0;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		REDIS_LONGOPTS,
		{ "group",	required_argument,	NULL,	OPT_GROUP },
		{ "consumer",	required_argument,	NULL,	OPT_CONSUMER },
		{ "claim-idle",	required_argument,	NULL,	OPT_CLAIM_IDLE },
		{ "until-idle",	required_argument,	NULL,	OPT_UNTIL_IDLE },
		{ "strict",	no_argument,		NULL,	OPT_STRICT },
		{ "rejects",	required_argument,	NULL,	OPT_REJECTS },
		PROG_LONGOPTS,
		{ NULL,		0,			NULL,	0 }
	};
	static struct src s;
	int ch;

	prog_init(argc, argv);
	redis_init(&s.r);
	s.claim_idle = (int64_t)30 * 1000 * 1000 * 1000;
	badrec_init(&s.bad, &s.counts.bad);
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		if (redis_option(&s.r, ch, optarg))
			continue;
		switch (ch) {
		case OPT_GROUP:
			if (optarg[0] == '\0')
				prog_usage("--group: the name is empty");
			s.group = optarg;
			break;
		case OPT_CONSUMER:
			if (optarg[0] == '\0' ||
			    strlen(optarg) >= sizeof(s.consumer))
				prog_usage("--consumer: \"%s\" is empty or "
				    "too long", optarg);
			strlcpy(s.consumer, optarg, sizeof(s.consumer));
			break;
		case OPT_CLAIM_IDLE:
			s.claim_idle = prog_duration("--claim-idle", optarg);
			if (s.claim_idle < (int64_t)1000 * 1000)
				prog_usage("--claim-idle: \"%s\" is shorter "
				    "than 1ms", optarg);
			break;
		case OPT_UNTIL_IDLE:
			s.until_idle = prog_duration("--until-idle", optarg);
			if (s.until_idle <= 0)
				prog_usage("--until-idle: \"%s\" is not a "
				    "duration", optarg);
			break;
		case OPT_STRICT:
			s.strict = 1;
			break;
		case OPT_REJECTS:
			s.bad.path = optarg;
			break;
		default:
			prog_option(ch, help);
		}
	}
	prog_no_operands(argc, argv);
	redis_options_done(&s.r);
	if (s.group == NULL)
		prog_usage("--group NAME is required");
	if (s.consumer[0] == '\0')
		default_consumer(&s);
	if (xsplit_init(&s.split, SPLIT_CAP, s.strict, s.bad.path != NULL) ==
	    -1)
		err(EX_OSERR, NULL);
	badrec_open(&s.bad);

	run_setup(&s.run, &s.out, OUT_CAP, 0);
	/* what is pending for us is not known until the server is reached */
	s.pending = 1;
	s.heard = loop_now();
	redis_start(&s.r);
	loop(&s);
	return finish(&s);
}
