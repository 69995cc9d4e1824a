/* SPDX-License-Identifier: ISC */
/*
 * proctee: a processor that copies every record it reads to its standard
 * output and to each file operand (its branches), whole records only,
 * each branch behind a bounded buffer of its own (lib/tee).  A branch
 * whose buffer is full makes proctee stop reading until it has drained;
 * with --drop it falls behind instead and loses whole records, counted.
 * A branch whose reader goes away is reported and left; proctee ends as
 * cat does, by SIGPIPE, only once every branch has gone.
 */
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "canon.h"
#include "fd.h"
#include "loop.h"
#include "prog.h"
#include "record.h"
#include "stage.h"
#include "tee.h"

static const char help[] =
"usage: proctee [-a] [--buffer size] [--drop] [--strict] [--rejects file]\n"
"               [file ...]\n"
"Copy the records read from standard input to standard output and to each\n"
"file (a FIFO, /dev/fd/N, a regular file), whole records only.\n"
"\n"
"  -a, --append        append to the files instead of truncating them\n"
"      --buffer SIZE   each branch's buffer (\"64K\", \"1M\"; default 256K)\n"
"      --drop          a branch whose buffer is full drops records (counted)\n"
"                      instead of making all wait for it\n"
STAGE_HELP
"\n"
"Example: randsrc --rate 0 --count 1000 | proctee >(statsink >stats.txt) | procprint\n";

enum { OPT_BUFFER = OPT_PROGRAM, OPT_DROP };

#define BUFFER_DEFAULT	((int64_t)256 * 1024)
#define BUFFER_MAX	((int64_t)1024 * 1024 * 1024)

struct proctee {
	struct tee	tee;		/* branch 0 is standard output */
	int		drop;
	size_t		live;		/* branches not told gone */
	uint64_t	answered;	/* input every branch owed all has */
};

/*
 * Says once of each branch that has gone since the last time why it did.
 * When none is left, proctee has nothing more to do: it ends as cat does
 * when its reader goes away (or exits 74 if a write failed otherwise).
 */
static void
tell_gone(struct stage *st, struct proctee *pt)
{
	struct tee_branch *b;
	size_t k;

	for (k = 0; k < pt->tee.n && pt->live > pt->tee.live; k++) {
		b = &pt->tee.b[k];
		if (!b->gone || b->told)
			continue;
		b->told = 1;
		pt->live--;
		if (b->error == EPIPE)
			warnx("%s: its reader went away after %ju records",
			    b->name, (uintmax_t)(b->queued - b->lost));
		else {
			errno = b->error;
			warn("%s", b->name);
			st->ioerr = 1;
		}
	}
	if (pt->live > 0)
		return;
	stats_publish(&st->counts);
	if (st->ioerr)
		exit(EX_IOERR);
	errno = EPIPE;
	prog_ioerr("stdout");
}

/*
 * Under pipesup, input is answered (consumed from the held pipe) up to
 * off once every branch that must get everything has written all it was
 * given before off; with --drop none must, and input is answered as
 * read.  Reading pauses while a branch is full (unless it drops), or
 * while more than half of what the held pipe may keep is unanswered:
 * beyond what it may keep, the runtime consumes input as read, and a
 * crash would lose what the branches had not written.
 */
static void
settle(struct stage *st, struct proctee *pt, uint64_t off)
{
	struct tee_branch *b;
	size_t k;

	pt->answered = off;
	for (k = 0; k < pt->tee.n; k++) {
		b = &pt->tee.b[k];
		if (b->gone)
			continue;
		if (tee_pending(&pt->tee, k) == 0)
			b->done = off;
		if (!pt->drop && b->done < pt->answered)
			pt->answered = b->done;
	}
	stage_answered_at(st, pt->answered);
	st->paused = (!pt->drop && pt->tee.full > 0) ||
	    off - pt->answered > stage_keep_max(st) / 2;
}

/* What was put into the branches up to input offset off. */
static void
put(struct stage *st, struct proctee *pt, size_t full, uint64_t off)
{
	if (full > 0 && !pt->drop)
		st->paused = 1;
	if (pt->tee.live < pt->live)
		tell_gone(st, pt);
	st->counts.out = pt->tee.b[0].queued;
	/* held by pipesup (else there is no bound): at once, not per wait */
	if (stage_keep_max(st) != SIZE_MAX)
		settle(st, pt, off);
}

/* Records in canonical form go into the branches as they came. */
static size_t
canon(struct stage *st, const char *p, size_t n, uint64_t *records)
{
	struct proctee *pt = st->ctx;
	uint64_t off = stage_offset(st), keep = stage_keep_max(st) / 2;
	size_t len;

	/* under pipesup, no more than may be kept unanswered */
	if (off - pt->answered >= keep)
		return 0;
	if (n > keep - (off - pt->answered))
		n = (size_t)(keep - (off - pt->answered));
	/* waiting for the branches, give them only what they all take */
	if (!pt->drop)
		n = tee_room(&pt->tee, n);
	if ((len = canon_span(p, n, records)) > 0)
		put(st, pt, tee_put_lines(&pt->tee, p, len, *records),
		    off + len);
	else if (pt->tee.live < pt->live)
		tell_gone(st, pt);
	return len;
}

static int
record(struct stage *st, int64_t v)
{
	struct proctee *pt = st->ctx;
	char rec[REC_FMT_MAX];

	put(st, pt, tee_put(&pt->tee, rec, rec_format(rec, v)),
	    stage_offset(st));
	return 0;
}

/* Writes what each branch takes now: every one, or those p says. */
static void
flush(struct stage *st, struct proctee *pt, const struct pollfd *p)
{
	size_t k;

	for (k = 0; k < pt->tee.n; k++)
		if (p == NULL || p[k].revents & POLLOUT)
			(void)tee_flush(&pt->tee, k);
	if (pt->tee.live < pt->live)
		tell_gone(st, pt);
	settle(st, pt, stage_offset(st));
}

/* About to wait: what was read goes out now, not when a buffer fills. */
static int64_t
io_poll(struct stage *st, struct pollfd *p, size_t n)
{
	struct proctee *pt = st->ctx;
	size_t k;

	flush(st, pt, NULL);
	for (k = 0; k < n; k++)
		if (tee_pending(&pt->tee, k) > 0) {
			p[k].fd = pt->tee.b[k].out.fd;
			p[k].events = POLLOUT;
		}
	return LOOP_NEVER;
}

static void
io(struct stage *st, const struct pollfd *p, size_t n)
{
	(void)n;
	flush(st, st->ctx, p);
}

static size_t
pending(const struct proctee *pt)
{
	size_t k, sum = 0;

	for (k = 0; k < pt->tee.n; k++)
		sum += tee_pending(&pt->tee, k);
	return sum;
}

/*
 * Every record read goes to every branch that is left, even after a stop
 * signal, --strict or --drop; then the drops are told.
 */
static void
finish(struct stage *st)
{
	struct proctee *pt = st->ctx;
	const struct tee_branch *b;
	size_t k;

	for (;;) {
		flush(st, pt, NULL);
		if (pending(pt) == 0)
			break;
		stage_io_wait(st);
	}
	for (k = 0; k < pt->tee.n; k++) {
		b = &pt->tee.b[k];
		if (b->dropped > 0)
			warnx("%s: %ju record%s dropped", b->name,
			    (uintmax_t)b->dropped, b->dropped == 1 ? "" : "s");
		if (tee_close(&pt->tee, k) == -1) {
			warn("%s", b->name);
			st->ioerr = 1;
		}
	}
}

/*
 * Opens each file as a branch, as tee does: a FIFO's open waits for its
 * reader.  One that cannot be opened is reported and left out; the
 * others get the stream, and proctee exits 74 at the end.
 */
static void
open_branches(struct stage *st, struct proctee *pt, int append, int n,
    char **files)
{
	int flags, fd, i, r = 0;

	flags = O_WRONLY | O_CREAT | O_NOCTTY | O_CLOEXEC |
	    (append ? O_APPEND : O_TRUNC);
	for (i = 0; i < n; i++) {
		if ((fd = open(files[i], flags, 0666)) == -1 ||
		    fd_nonblock_own(fd) == -1 ||
		    (r = fd_end_part_line(fd)) == -1) {
			warn("%s", files[i]);
			st->ioerr = 1;
			if (fd != -1)
				(void)close(fd);
			continue;
		}
		if (r == 1)
			warnx("%s ended in part of a line; ended it", files[i]);
		if (tee_add(&pt->tee, files[i], fd, 1) == -1)
			err(EX_OSERR, NULL);
	}
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "append",	no_argument,		NULL,	'a' },
		{ "buffer",	required_argument,	NULL,	OPT_BUFFER },
		{ "drop",	no_argument,		NULL,	OPT_DROP },
		STAGE_LONGOPTS,
		{ NULL,		0,			NULL,	0 }
	};
	static const struct stage_ops ops = {
		.record = record,
		.canon = canon,
		.finish = finish,
		.io_poll = io_poll,
		.io = io,
		.maxout = 0,
		.keeps = 1,
	};
	struct proctee pt = { .drop = 0 };
	struct stage st;
	int64_t cap = BUFFER_DEFAULT;
	int ch, append = 0;

	prog_init(argc, argv);
	stage_init(&st, &ops, &pt);
	while ((ch = getopt_long(argc, argv, "ah", longopts, NULL)) != -1) {
		switch (ch) {
		case 'a':
			append = 1;
			break;
		case OPT_BUFFER:
			cap = prog_size("--buffer", optarg, (int64_t)TEE_CAP_MIN,
			    BUFFER_MAX);
			break;
		case OPT_DROP:
			pt.drop = 1;
			break;
		default:
			stage_option(&st, ch, optarg, help);
		}
	}
	if (tee_init(&pt.tee, (size_t)(argc - optind) + 1, (size_t)cap) == -1 ||
	    tee_add(&pt.tee, "stdout", STDOUT_FILENO, 0) == -1)
		err(EX_OSERR, NULL);
	open_branches(&st, &pt, append, argc - optind, argv + optind);
	st.nio = pt.live = pt.tee.n;
	ch = stage_run(&st);
	tee_free(&pt.tee);
	return ch;
}
