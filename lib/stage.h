/* SPDX-License-Identifier: ISC */
/*
 * stage: the runtime of every stage that reads records (processors and
 * sinks).  It owns the poll loop (sluice(7), FLOW) over standard
 * input, standard output, the signal pipe and one deadline; it reads,
 * has reader.c split and parse the lines, applies the bad-input policy,
 * keeps the counters and ends the program as the contract says.  A program supplies what it does with
 * each record, and stage_run() does the rest.
 */
#ifndef SLUICE_STAGE_H
#define SLUICE_STAGE_H

#include <poll.h>
#include <stddef.h>
#include <stdint.h>

#include "badrec.h"
#include "buf.h"
#include "held.h"
#include "prog.h"
#include "reader.h"
#include "record.h"
#include "run.h"
#include "stats.h"

#define STAGE_LONGOPTS \
	{ "strict",	no_argument,		NULL,	OPT_STRICT }, \
	{ "rejects",	required_argument,	NULL,	OPT_REJECTS }, \
	PROG_LONGOPTS

/* The lines of --help for the options above. */
#define STAGE_HELP \
"      --strict        stop at the first bad record (exit 65)\n" \
"      --rejects FILE  append each bad line to FILE\n" \
"  -h, --help          show this help\n" \
"      --version       show the version\n"

struct stage;

struct stage_ops {
	/*
	 * One good record.  May queue up to maxout bytes with stage_out()
	 * or stage_emit(), which always have that room here.  Returns 0, or
	 * a rec_status (REC_OVERFLOW) to reject the record as bad after
	 * all; it must then have queued nothing.
	 */
	int	(*record)(struct stage *, int64_t v);
	/* The deadline passed; set a new one (or LOOP_NEVER). Optional. */
	void	(*tick)(struct stage *, int64_t now);
	/* End of input, or a stop signal: say what is left. Optional. */
	void	(*finish)(struct stage *);
	/* SIGUSR1 arrived. Optional; without it SIGUSR1 is not caught. */
	void	(*usr1)(struct stage *);
	/*
	 * The most bytes one record() may queue.  tick(), finish() and
	 * usr1() queue any amount with stage_emit(), stage_write() and
	 * stage_printf(), which wait for the reader as they need to.
	 */
	size_t	  maxout;
	/*
	 * Crash safety under pipesup: a record is answered once record()
	 * returns, and its input is consumed once what it queued is
	 * written (at once when maxout is 0: figures no pipe could keep
	 * are lost in a crash, and never counted twice).  A stage whose
	 * output sums up many records (a window) sets keeps and calls
	 * stage_answered() whenever the output of every record read so
	 * far is queued, so that a crash leaves the records of the open
	 * window in the pipe for its successor (as many as
	 * held_keep_max() allows; beyond that they are consumed).
	 */
	int	  keeps;
	/*
	 * A stage whose records go somewhere other than standard output (a
	 * server, files of its own) waits on that too.  Before each wait
	 * io_poll() fills the n slots at p (n is the stage's nio; fd -1:
	 * nothing to wait for) and returns when to call io() even if they
	 * stay quiet (LOOP_NEVER: no such time); io() follows every wait,
	 * with their revents.  While the program sets paused, the stage
	 * reads no more records; the runtime looks at paused after
	 * io_poll(), which may change it.  Its finish() waits with
	 * stage_io_wait() until its output is done; it is called after
	 * --strict stopped too, so that every record before the bad one is
	 * delivered.  Its input is answered, for crash safety, with
	 * stage_answered_at().  Both optional.
	 */
	int64_t	(*io_poll)(struct stage *, struct pollfd *p, size_t n);
	void	(*io)(struct stage *, const struct pollfd *p, size_t n);
	/*
	 * Optional, for a stage that passes records on unchanged (proctee):
	 * takes the whole lines at the head of the n bytes of input at p
	 * that are records in canonical form already (canon_span() finds
	 * them) as they are, instead of one record() each.  Returns how many
	 * bytes it took, 0 for none (record() gets them then), and sets
	 * *records to how many records they hold.  Not called inside an
	 * overlong line or once --strict has stopped.
	 */
	size_t	(*canon)(struct stage *, const char *p, size_t n,
		    uint64_t *records);
};

struct stage {
	const struct stage_ops	*ops;
	void			*ctx;		/* the program's */
	int64_t			 deadline;	/* for tick(); LOOP_NEVER */
	int			 paused;	/* the program's: read no more */
	int			 ioerr;		/* the program's: exit 74 */
	size_t			 nio;		/* slots io_poll() fills; 1 */
	struct wbuf		 out;
	struct stats_counts	 counts;

	/* the rest is the runtime's */
	struct badrec		 bad;		/* warnings, --rejects */
	struct run		 run;
	struct rbuf		 in;
	struct reader		 rd;		/* lines, and --strict */
	int			 holding;	/* pipesup holds stdin */
	struct held		 held;
	uint64_t		 answered;	/* input offset, for keeps */
	char			**files;	/* the operands left to read */
	int			 nfiles;
	const char		*name;		/* the file read; NULL: stdin */
	int			 noinput;	/* a file could not be opened */
	struct pollfd		*pfd;		/* the loop's: 3 + nio slots */
};

void	stage_init(struct stage *, const struct stage_ops *, void *ctx);

/*
 * The default case of a reader's getopt loop: takes --strict and
 * --rejects, and hands anything else to prog_option(), which exits.
 */
void	stage_option(struct stage *, int ch, const char *arg,
	    const char *help);

/*
 * After the options: the operands are files to read in turn, as cat reads
 * them ("-" is standard input); none reads standard input.  A file that
 * cannot be opened is reported and skipped, and the stage exits 66.
 */
void	stage_operands(struct stage *, int n, char **files);

/*
 * Runs the loop to the end of input and returns the exit status (0, 66
 * after a file that could not be opened, or 65 after bad records).
 * Exits 74 on an I/O error, and at the end when the program has set
 * ioerr (it has said what failed); dies by SIGPIPE when the reader goes
 * away and by SIGINT or SIGTERM after finishing.
 */
int	stage_run(struct stage *);

/* Room for n (<= maxout) bytes in the hot path: always succeeds there. */
static inline char *
stage_out(struct stage *st, size_t n)
{
	return wbuf_reserve(&st->out, n);
}

/*
 * Queues output of any size outside the hot path (finish, usr1, a
 * report), waiting for the reader as long as it takes.
 */
void	stage_write(struct stage *, const void *, size_t);
void	stage_printf(struct stage *, const char *fmt, ...)
	    __attribute__((__format__(__printf__, 2, 3)));

/* Queues one record and counts it as out; waits for room if need be. */
void	stage_emit(struct stage *, int64_t v);

/* Writes out everything queued, waiting as long as it takes. */
void	stage_write_out(struct stage *);

/*
 * For a stage that keeps records (see keeps above): the output of every
 * record read so far, the one record() has now included, is queued.
 */
void	stage_answered(struct stage *);

/*
 * For a stage with io(): the input offset of what has been read so far,
 * to give stage_answered_at() once the output made from it is done
 * (delivered where io() sends it): a successor re-reads only what comes
 * after the last such offset.  Under pipesup the stage must not read on
 * while more than stage_keep_max() bytes are unanswered (beyond that,
 * input is consumed as read, and a crash could lose it).
 */
uint64_t	stage_offset(const struct stage *);
void		stage_answered_at(struct stage *, uint64_t off);
size_t		stage_keep_max(const struct stage *);

/*
 * One wait of a finish() with io(): for the program's descriptors (as
 * io_poll() says) or a signal; then io().  A second stop signal ends
 * the program at once, as everywhere.
 */
void	stage_io_wait(struct stage *);

#endif
