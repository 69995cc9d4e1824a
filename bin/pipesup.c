/* SPDX-License-Identifier: ISC */
/*
 * pipesup: runs a pipeline of stages without a shell, holds the pipes
 * between them so that a stage can be restarted without losing what is
 * queued, drains on SIGINT, SIGTERM or SIGHUP, and says how each stage
 * ended.
 */
#define _GNU_SOURCE		/* memfd_create, sigabbrev_np */
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <libutil.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "graph.h"
#include "held.h"
#include "live.h"
#include "loop.h"
#include "notify.h"
#include "opt.h"
#include "pipeline.h"
#include "prog.h"
#include "relay.h"
#include "report.h"
#include "restart.h"
#include "sig.h"
#include "stats.h"

extern char **environ;

static const char help[] =
"usage: pipesup [-jq] [-r policy] [--max-restarts n] [--grace duration]\n"
"               [--pidfile file] [--stats[=interval]] [--status file]\n"
"               [--metrics file] [--notify-fd n]\n"
"               command [arg ...] [:: command [arg ...] ...]\n"
"       pipesup [options] -f file\n"
"Run a pipeline of stages, restart them, drain it on SIGINT, SIGTERM or\n"
"SIGHUP.\n"
"\n"
"  -f, --file FILE        read the pipeline from FILE, \"NAME: COMMAND ARGS\"\n"
"                         a line; - for stdin\n"
"  -r, --restart POLICY   never, on-failure or always (default never)\n"
"      --max-restarts N   quick failures in a row before giving up\n"
"                         (default 10)\n"
"      --grace DURATION   how long a drain may take before the stage\n"
"                         holding it up gets SIGKILL\n"
"                         (default 5s)\n"
"      --pidfile FILE     refuse to run twice; the file holds our pid\n"
"      --stats[=INTERVAL] show each stage's figures every INTERVAL\n"
"                         (default 1s, at least 10ms) on stderr\n"
"      --status FILE      keep the figures in FILE as JSON, replaced\n"
"                         whole each interval and at exit\n"
"      --metrics FILE     the same in the Prometheus text format\n"
"  -j, --json             the summary at the end as JSON\n"
"      --notify-fd N      write a newline to descriptor N and close it\n"
"                         once every stage has started (s6)\n"
"  -q, --quiet            no summary at the end\n"
"  -h, --help             show this help\n"
"      --version          show the version\n"
"\n"
"Example: pipesup --restart on-failure randsrc --rate 5 :: procprint\n";

#define MSEC		1000000LL
#define SEC		1000000000LL
#define STATS_FD	3
/*
 * A proctee's or procmerge's extra pipes, in a graph; then, in a child
 * until it execs, its end of the pipe that tells its start.
 */
#define EXTRA_FD	(STATS_FD + 1)
/*
 * Two stop requests this close together are one: timeout(1) signals
 * pipesup and then its whole process group, and a shell's kill may too.
 */
#define STOP_WINDOW	(500 * MSEC)
/*
 * The size of each pipe between two stages.  A stage reading a held pipe
 * leaves what it has read but not answered in it (up to half of it, see
 * held_keep_max), and at Linux's default of 64 KiB that halved its
 * writer's room: the pipeline took 1.15 times as long as in the shell.
 * At 256 KiB it takes the shell's time.  Kernel memory, not the stages';
 * a user over pipe-user-pages-soft gets the default.
 */
#define PIPE_SIZE	(256 * 1024)

/*
 * A stage's lifecycle.  Every transition is made in step(), from the
 * events below; nothing else changes a member's state.
 *
 *                spawned                 exited or killed:
 *   STARTING ------------> RUNNING ---- restart_decide() --+--> ENDED_WELL
 *      ^   \ fork failed:     |                            |    FAILED
 *      |    `--- as exit 71 --+  a source told to stop;    +--> GAVE_UP
 *      |                      |  a second stop, the grace  |
 *      | backoff expired,     v  (SIGTERM or SIGKILL)      |
 *      | or a drain       STOPPING -- exited or killed --> ENDED_WELL
 *      | begins                                            FAILED
 *   BACKING_OFF <--- again: restart after the backoff -----'
 *      |
 *      `-- readers ended for good, a source told to stop, a second
 *          stop, the grace --> ENDED_WELL or FAILED, by its last run
 *
 * The three states at the right are final: the stage will not run again,
 * so its writer gets EPIPE and its reader the end of its input.
 */
enum state {
	STARTING, RUNNING, BACKING_OFF, STOPPING,
	ENDED_WELL, FAILED, GAVE_UP		/* final */
};

enum event {
	EV_SPAWNED,
	EV_FORK_FAILED,
	EV_EXITED,
	EV_KILLED,		/* by a signal, whoever sent it */
	EV_BACKOFF_EXPIRED,
	EV_READER_ENDED,	/* a stage it writes ended for good */
	EV_WRITER_ENDED,	/* a stage it reads ended for good */
	EV_STOP,		/* a drain begins: told to each source */
	EV_DRAIN_BEGINS,	/* told to the other stages */
	EV_STOP_AGAIN,		/* a second stop request: stop at once */
	EV_GRACE_EXPIRED
};

/* Why we sent a member SIGKILL, for the summary. */
enum kill { K_NONE, K_GRACE, K_NOW };

/* The pipeline's stop: none, a drain, or stopping at once. */
enum stop { STOP_NONE, STOP_DRAIN, STOP_NOW };

/* A stage of the pipeline as the supervisor sees it. */
struct member {
	const char		*name;
	const struct pipeline_stage *def;	/* its command and settings */
	enum restart_policy	 policy;
	int			 stopsig;	/* what a drain sends it */
	enum state		 state;
	pid_t			 pid;		/* -1 while not running */
	pid_t			 lastpid;
	int			 own_group;	/* its process group is its pid */
	int			 status;	/* wait status of the last run */
	int64_t			 started;
	int64_t			 restart_at;	/* while BACKING_OFF */
	int			 restarts;
	struct restart		 restart;
	int			 stopsent;	/* we sent it stopsig */
	enum kill		 killed;	/* we sent it SIGKILL */
	int			 in_ended;	/* its writer ended for good */
	int			 out_gone;	/* its reader ended for good */

	int			 errfd;		/* read end, non-blocking */
	int			 errw;		/* our copy of the write end */
	struct relay		 err;

	int			 statsfd;
	struct stats_shared	*shared;
	struct stats_counts	 base;		/* earlier runs' counts */
	int			 published;
	uint64_t		 rate_in;	/* its counts at the last tick */
	uint64_t		 rate_out;
	int64_t			 rate_at;
	double			 in_rate;	/* over the interval before it */
	double			 out_rate;
	char			 how[64];	/* how it ended, for reports */
	int64_t			 capacity;	/* of its input pipe */

	int			 execfd;	/* EOF once its run exec'd */
	int			 execd;		/* a run of it has exec'd */
};

struct sup {
	struct member	 m[PIPELINE_MAX];
	size_t		 n;
	const struct graph *g;		/* member i is node i; pipe e edge e */
	int		 rd[GRAPH_EDGES_MAX];	/* -1: our stdin or stdout */
	int		 wr[GRAPH_EDGES_MAX];
	int		 devnull;	/* what reads nothing reads; -1: none */
	enum restart_policy policy;
	int		 max_restarts;
	int64_t		 grace;
	enum stop	 stop;
	int64_t		 grace_at;	/* while STOP_DRAIN */
	int64_t		 stop_at;	/* when the drain was asked for */
	int		 requests;	/* stop requests, a window's worth as one */
	int		 lastsig;
	int		 quiet;
	int64_t		 stats_every;	/* 0: no --stats */
	int64_t		 tick_every;	/* figures for anyone; 0: none */
	int64_t		 tick_at;
	const char	*status_path;	/* --status */
	const char	*metrics_path;	/* --metrics */
	int		 json;		/* --json: the summary as JSON */
	int		 status_failing;	/* the last write failed */
	int		 metrics_failing;
	int		 exit_status;	/* once every stage ended; -1 before */
	int64_t		 start;
	int		 tty;		/* --stats draws the live view */
	int		 same_tty;	/* on our stdout's terminal */
	struct live	 live;

	struct notify	 notify;	/* NOTIFY_SOCKET, the watchdog */
	int		 notify_fd;	/* --notify-fd; -1: none */
	int		 ready;		/* readiness was told */
	int		 notify_failed;	/* the last datagram was not sent */
	int64_t		 watchdog_at;
};

static struct pidfh *pidfh;
static struct live *exit_live;		/* to take off the terminal at exit */
static int std_flags[2] = { -1, -1 };	/* of our stdin and stdout */

/*
 * A first or last stage shares our stdin or stdout's description and
 * may be killed before it puts O_NONBLOCK back: we put it back for it.
 */
static void
restore_std_flags(void)
{
	int fd;

	for (fd = 0; fd < 2; fd++)
		if (std_flags[fd] != -1)
			(void)fcntl(fd, F_SETFL, std_flags[fd]);
}

static void
end_live(void)
{
	if (exit_live != NULL)
		(void)live_end(exit_live);
}

static void
remove_pidfile(void)
{
	if (pidfh != NULL)
		pidfile_remove(pidfh);
	pidfh = NULL;
}

/*
 * The live view keeps its rows at least this many rows below the scroll
 * region, where the stages' output goes; on a shorter terminal it takes
 * one row, the figures in a line.
 */
#define LIVE_MIN_ROWS	5

/* Takes the live view off the terminal and gives the screen back. */
static void
erase_live(struct sup *sp)
{
	if (sp->tty)
		(void)live_end(&sp->live);
}

/* Our stderr, one whole line per writev. */
static void
put_line(struct sup *sp, const char *prefix, const char *s, size_t n)
{
	struct iovec iov[3];
	int k = 0;

	(void)sp;
	iov[k].iov_base = (void *)prefix;
	iov[k++].iov_len = strlen(prefix);
	iov[k].iov_base = (void *)s;
	iov[k++].iov_len = n;
	if (n == 0 || s[n - 1] != '\n') {
		iov[k].iov_base = (void *)"\n";
		iov[k++].iov_len = 1;
	}
	/* a full or closed stderr is not worth stopping the pipeline for */
	while (writev(STDERR_FILENO, iov, k) == -1 && errno == EINTR)
		;
}

/* All n bytes to fd, through EINTR; a full or closed stderr is let go. */
static void
write_all(int fd, const char *p, size_t n)
{
	ssize_t w;

	while (n > 0) {
		if ((w = write(fd, p, n)) == -1) {
			if (errno == EINTR)
				continue;
			return;
		}
		p += w;
		n -= (size_t)w;
	}
}

static void	put_report(struct sup *, void (*)(FILE *, const struct report *),
		    const struct report *, const char *);

/*
 * The stages get the size of the scroll region, where their output
 * goes, as ncurses programs and histsink read it: LINES and COLUMNS.
 * Only when they share our terminal; a stage started before a resize
 * keeps what it was given.
 */
static void
give_size(struct sup *sp, int rows, int cols)
{
	char v[16];

	if (!sp->same_tty)
		return;
	snprintf(v, sizeof(v), "%d", rows);
	if (setenv("LINES", v, 1) == -1)
		return;
	snprintf(v, sizeof(v), "%d", cols);
	(void)setenv("COLUMNS", v, 1);
}

/*
 * The text of a report, in one buffer kept between reports: a supervisor
 * that runs for months allocates nothing an interval.  text_begin()
 * gives the stream to write it to, text_end() the text written.
 */
static FILE *text_fp;
static char *text_buf;
static size_t text_len;

static FILE *
text_begin(void)
{
	if (text_fp == NULL &&
	    (text_fp = open_memstream(&text_buf, &text_len)) == NULL)
		return NULL;
	rewind(text_fp);
	return text_fp;
}

static int
text_end(char **text, size_t *len)
{
	if (fflush(text_fp) == EOF)
		return -1;
	/*
	 * glibc ends the text with a NUL only where the longest text
	 * written since the stream was opened ended: after rewind(), a
	 * shorter text kept the tail of a longer one ("502/s/s").
	 */
	text_buf[text_len] = '\0';
	*text = text_buf;
	*len = text_len;
	return 0;
}

/*
 * The live view on a terminal: the table of report_live in the bottom
 * rows, below a scroll region that the stages' output (and ours) scrolls
 * in; the figures in one bottom row when the table leaves the region
 * too few rows; a line per interval when even that cannot be.
 */
static void
show_live(struct sup *sp, const struct report *r)
{
	struct live *l = &sp->live;
	char *text = NULL;
	size_t len = 0;
	int rows, cols, h;
	FILE *mem;

	h = (int)r->n + 2;
	if (live_size(l, &rows, &cols) == -1)
		goto lines;
	if (rows - h < LIVE_MIN_ROWS)
		h = 1;
	/* the first time, after a resize, after ^Z and fg */
	if (h != l->height || rows != l->rows || cols != l->cols) {
		if (live_begin(l, h, rows, cols) == -1)
			goto lines;
		give_size(sp, rows - h, cols);
	}
	if ((mem = text_begin()) == NULL)
		return;
	if (h == 1) {
		fputs("pipesup: ", mem);
		report_line(mem, r);
	} else
		report_live(mem, r, l->width);
	if (text_end(&text, &len) == 0)
		(void)live_draw(l, text, len);
	return;
lines:
	erase_live(sp);
	put_report(sp, report_line, r, "pipesup: ");
}

static void
say(struct sup *sp, const char *fmt, ...)
    __attribute__((__format__(__printf__, 2, 3)));

static void
say(struct sup *sp, const char *fmt, ...)
{
	char line[RELAY_LINE_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	put_line(sp, "pipesup: ", line, strlen(line));
}

static int
is_final(enum state s)
{
	return s == ENDED_WELL || s == FAILED || s == GAVE_UP;
}

static int
all_final(const struct sup *sp)
{
	size_t i;

	for (i = 0; i < sp->n; i++)
		if (!is_final(sp->m[i].state))
			return 0;
	return 1;
}

static void
set_title(struct sup *sp)
{
	static char last[64];
	char title[64];
	size_t i, waiting = 0;

	for (i = 0; i < sp->n; i++)
		waiting += sp->m[i].state == BACKING_OFF;
	snprintf(title, sizeof(title), "%zu stage%s, %s%s", sp->n,
	    sp->n == 1 ? "" : "s",
	    sp->stop == STOP_NOW ? "killing" :
	    sp->stop == STOP_DRAIN ? "draining" : "running",
	    waiting > 0 ? ", restarting" : "");
	/* once per change, not once per turn of the loop */
	if (strcmp(title, last) != 0)
		setproctitle("%s", title);
	strlcpy(last, title, sizeof(last));
}

/* How the last run ended: "exit 3", "SIGKILL", with why we caused it. */
static void
describe(const struct member *m, char *buf, size_t len)
{
	const char *abbrev, *why = "";
	int gaveup = m->state == GAVE_UP, sig;

	if (WIFEXITED(m->status)) {
		snprintf(buf, len, "exit %d%s", WEXITSTATUS(m->status),
		    gaveup ? " (gave up)" : "");
		return;
	}
	sig = WTERMSIG(m->status);
	if (m->killed == K_GRACE && sig == SIGKILL)
		why = " (after grace)";
	else if (m->killed == K_NOW && sig == SIGKILL)
		why = " (interrupt)";
	else if (m->stopsent && sig == m->stopsig)
		why = " (drain)";
	else if (m->out_gone && sig == SIGPIPE)
		why = " (reader gone)";
	else if (gaveup)
		why = " (gave up)";
	abbrev = sigabbrev_np(sig);
	if (abbrev != NULL)
		snprintf(buf, len, "SIG%s%s", abbrev, why);
	else
		snprintf(buf, len, "signal %d%s", sig, why);
}

/*
 * Whether the last run ended well: exit 0, the SIGTERM of a drain, or
 * the SIGPIPE of a writer whose reader ended for good (the quiet end the
 * contract asks for).
 */
static int
run_ended_well(const struct member *m)
{
	if (WIFEXITED(m->status))
		return WEXITSTATUS(m->status) == 0;
	return (WTERMSIG(m->status) == m->stopsig && m->stopsent) ||
	    (WTERMSIG(m->status) == SIGPIPE && m->out_gone);
}

static void
close_fd(int *fd)
{
	if (*fd != -1)
		close(*fd);
	*fd = -1;
}

/* Bytes waiting in pipe e, or -1 when we no longer hold it. */
static int
queued(const struct sup *sp, size_t e)
{
	int n;

	if (sp->rd[e] == -1 || ioctl(sp->rd[e], FIONREAD, &n) == -1)
		return -1;
	return n;
}

/* Bytes waiting in the pipes member i reads; -1: it reads none we hold. */
static int64_t
queued_in(const struct sup *sp, size_t i)
{
	const struct graph_node *nd = &sp->g->nodes[i];
	int64_t sum = -1;
	size_t k;
	int q;

	for (k = 0; k < nd->nin; k++)
		if ((q = queued(sp, nd->in[k])) >= 0)
			sum = (sum < 0 ? 0 : sum) + q;
	return sum;
}

/* Member i reads our stdin (the first stage of a line does). */
static int
reads_stdin(const struct sup *sp, size_t i)
{
	const struct graph_node *nd = &sp->g->nodes[i];
	size_t k;

	for (k = 0; k < nd->nin; k++)
		if (sp->g->edges[nd->in[k]].from == GRAPH_STDIO)
			return 1;
	return 0;
}

/* Member i writes our stdout (the last stage of a line does). */
static int
writes_stdout(const struct sup *sp, size_t i)
{
	const struct graph_node *nd = &sp->g->nodes[i];
	size_t k;

	for (k = 0; k < nd->nout; k++)
		if (sp->g->edges[nd->out[k]].to == GRAPH_STDIO)
			return 1;
	return 0;
}

static void
format_ns(char *buf, size_t len, int64_t ns)
{
	if (ns % SEC == 0)
		snprintf(buf, len, "%llds", (long long)(ns / SEC));
	else
		snprintf(buf, len, "%lldms", (long long)(ns / MSEC));
}

/* Has the reader of our own stdout gone away?  A pipe then polls POLLERR. */
static int
stdout_gone(void)
{
	struct pollfd pfd = { STDOUT_FILENO, 0, 0 };

	return poll(&pfd, 1, 0) == 1 && (pfd.revents & POLLERR);
}

static void	step(struct sup *, size_t, enum event);

/*
 * The member will not run again: each of its readers gets the end of
 * that input once the pipe is empty, each of its writers gets EPIPE on
 * that output, and all hear of it.
 */
static void
end_for_good(struct sup *sp, size_t i, enum state final)
{
	const struct graph_node *nd = &sp->g->nodes[i];
	struct member *m = &sp->m[i];
	size_t k, e, other;

	m->state = final;
	close_fd(&m->errw);
	for (k = 0; k < nd->nout; k++) {
		e = nd->out[k];
		if ((other = sp->g->edges[e].to) == GRAPH_STDIO)
			continue;
		close_fd(&sp->wr[e]);
		step(sp, other, EV_WRITER_ENDED);
	}
	for (k = 0; k < nd->nin; k++) {
		e = nd->in[k];
		if ((other = sp->g->edges[e].from) == GRAPH_STDIO)
			continue;
		close_fd(&sp->rd[e]);
		close_fd(&sp->wr[e]);
		step(sp, other, EV_READER_ENDED);
	}
}

/*
 * Every stage member i reads has ended for good.  Our stdin never does
 * (it is not ours to end), nor does the nothing a from= stage reads.
 */
static int
inputs_ended(const struct sup *sp, size_t i)
{
	const struct graph_node *nd = &sp->g->nodes[i];
	size_t k, from;

	if (nd->nin == 0)
		return 0;
	for (k = 0; k < nd->nin; k++)
		if ((from = sp->g->edges[nd->in[k]].from) == GRAPH_STDIO ||
		    !is_final(sp->m[from].state))
			return 0;
	return 1;
}

/* Every stage member i writes has ended for good: a proctee's every branch. */
static int
outputs_gone(const struct sup *sp, size_t i)
{
	const struct graph_node *nd = &sp->g->nodes[i];
	size_t k, to;

	for (k = 0; k < nd->nout; k++)
		if ((to = sp->g->edges[nd->out[k]].to) == GRAPH_STDIO ||
		    !is_final(sp->m[to].state))
			return 0;
	return nd->nout > 0;
}

/* Ended for good, well or not by how its last run ended. */
static void
end_as_last_run(struct sup *sp, size_t i)
{
	end_for_good(sp, i, run_ended_well(&sp->m[i]) ? ENDED_WELL : FAILED);
}

static void	tell_stopping(struct sup *);

/*
 * The first stop request: a drain, which starts at the sources, the
 * stages that read no other (in a line, the first).
 */
static void
request_stop(struct sup *sp)
{
	size_t i;

	if (sp->stop != STOP_NONE)
		return;
	sp->stop = STOP_DRAIN;
	sp->stop_at = loop_now();
	sp->grace_at = sp->stop_at + sp->grace;
	for (i = 0; i < sp->n; i++)
		if (graph_is_source(sp->g, i))
			step(sp, i, EV_STOP);
	for (i = 0; i < sp->n; i++)
		if (!graph_is_source(sp->g, i))
			step(sp, i, EV_DRAIN_BEGINS);
	tell_stopping(sp);
}

/* A second stop request: every member at once. */
static void
stop_now(struct sup *sp)
{
	size_t i;

	sp->stop = STOP_NOW;
	for (i = 0; i < sp->n; i++)
		step(sp, i, EV_STOP_AGAIN);
}

/*
 * The grace ran out: the stage holding the drain up, the first in
 * topological order that has not ended, is killed; the ones after it get the end of their input and
 * finish, each within another grace period.
 */
static void
grace_expired(struct sup *sp)
{
	size_t i;

	for (i = 0; i < sp->n && is_final(sp->m[i].state); i++)
		;
	if (i < sp->n)
		step(sp, i, EV_GRACE_EXPIRED);
	sp->grace_at = loop_now() + sp->grace;
}

/* A run ended (or never began): run it again, or end it for good. */
static void
decide(struct sup *sp, size_t i)
{
	struct member *m = &sp->m[i];
	struct restart_end e;
	char how[64], when[32];
	int64_t now = loop_now(), delay = 0;

	e.well = run_ended_well(m);
	e.code = WIFEXITED(m->status) ? WEXITSTATUS(m->status) : -1;
	e.ran = now - m->started;
	/* an end of input is final, but only once the pipe is empty */
	e.input_over = m->in_ended && queued_in(sp, i) <= 0;
	e.reader_gone = m->out_gone;
	/* a source's exit 0 ends its stream, unless it says otherwise */
	e.source = graph_is_source(sp->g, i) && m->def->restart == -1;
	describe(m, how, sizeof(how));
	switch (restart_decide(&m->restart, m->policy, sp->max_restarts, &e,
	    &delay)) {
	case RESTART_FINAL:
		end_for_good(sp, i, e.well ? ENDED_WELL : FAILED);
		break;
	case RESTART_GIVE_UP:
		say(sp, "%s: %s; giving up after %d restart%s", m->name, how,
		    m->restart.quick, m->restart.quick == 1 ? "" : "s");
		end_for_good(sp, i, GAVE_UP);
		request_stop(sp);
		break;
	case RESTART_AGAIN:
		m->state = BACKING_OFF;
		m->restart_at = now + delay;
		format_ns(when, sizeof(when), delay);
		say(sp, "%s: %s; restarting in %s", m->name, how, when);
		break;
	}
}

/* A signal for the stage: its descendants too, when they are its own. */
static int
signal_member(const struct member *m, int sig)
{
	return kill(m->own_group ? -m->pid : m->pid, sig);
}

static void
send_kill(struct member *m, enum kill why)
{
	if (signal_member(m, SIGKILL) == 0)
		m->killed = why;
	m->state = STOPPING;
}

static pid_t	spawn(struct sup *, size_t);

/*
 * The lifecycle's one transition function: every change of a member's
 * state is made here, from (state, event), as the diagram above draws it.
 */
static void
step(struct sup *sp, size_t i, enum event ev)
{
	struct member *m = &sp->m[i];

	if (is_final(m->state))
		return;
	switch (ev) {
	case EV_SPAWNED:
		m->state = RUNNING;
		break;
	case EV_FORK_FAILED:
		m->status = EX_OSERR << 8;
		decide(sp, i);
		break;
	case EV_EXITED:
	case EV_KILLED:
		if (m->state == STOPPING)
			end_as_last_run(sp, i);
		else
			decide(sp, i);
		break;
	case EV_BACKOFF_EXPIRED:
		m->restarts++;
		m->state = STARTING;
		step(sp, i, spawn(sp, i) == -1 ? EV_FORK_FAILED : EV_SPAWNED);
		break;
	case EV_READER_ENDED:
		/* a proctee goes on while one of its branches is left */
		if (!outputs_gone(sp, i))
			break;
		m->out_gone = 1;
		if (m->state == BACKING_OFF)
			end_as_last_run(sp, i);
		break;
	case EV_WRITER_ENDED:
		/* it reads on to the end of what is queued */
		m->in_ended = inputs_ended(sp, i);
		break;
	case EV_STOP:
		if (m->state == RUNNING) {
			if (signal_member(m, m->stopsig) == 0)
				m->stopsent = 1;
			m->state = STOPPING;
		} else if (m->state == BACKING_OFF)
			end_as_last_run(sp, i);
		break;
	case EV_DRAIN_BEGINS:
		/* what it has queued is part of the drain: take it now */
		if (m->state == BACKING_OFF)
			step(sp, i, EV_BACKOFF_EXPIRED);
		break;
	case EV_STOP_AGAIN:
	case EV_GRACE_EXPIRED:
		if (m->state == RUNNING || m->state == STOPPING)
			send_kill(m, ev == EV_GRACE_EXPIRED ? K_GRACE : K_NOW);
		else if (m->state == BACKING_OFF)
			end_as_last_run(sp, i);
		break;
	}
}

static int exec_w = -1;		/* in a child: its end of execfd */

/* A child that could not exec: pipesup hears it, and how it ended. */
static void __attribute__((__noreturn__))
child_exit(int code)
{
	unsigned char c = (unsigned char)code;
	ssize_t n;

	/* nothing to do if it fails: the exit status still says how */
	if (exec_w != -1) {
		n = write(exec_w, &c, 1);
		(void)n;
	}
	_exit(code);
}

/*
 * Descriptor k of the child is want[k]: 0, 1, 2, STATS_FD, and from
 * EXTRA_FD a proctee's or procmerge's extra pipes; its end of the exec
 * pipe goes just above them, and nothing else is left open.
 */
static void
child_fds(int *want, int n)
{
	int j, k;

	for (k = 0; k < n; k++) {
		/*
		 * A source still to be moved that sits where this one goes
		 * moves out of the way first; only then is a spare descriptor
		 * needed, and in a line it never is.
		 */
		for (j = k + 1; j < n; j++)
			if (want[j] == k &&
			    (want[j] = fcntl(k, F_DUPFD, n + 1)) == -1)
				child_exit(EX_OSERR);
		if (exec_w == k &&
		    (exec_w = fcntl(k, F_DUPFD_CLOEXEC, n + 1)) == -1)
			_exit(EX_OSERR);
		if (want[k] == k ? fcntl(k, F_SETFD, 0) == -1 :
		    dup2(want[k], k) == -1)
			child_exit(EX_OSERR);
	}
	if (exec_w != -1 && exec_w != n) {
		if (dup3(exec_w, n, O_CLOEXEC) == -1)
			child_exit(EX_OSERR);
		exec_w = n;
	}
	closefrom(exec_w != -1 ? n + 1 : n);
}

static void
child(struct member *m, pid_t sup, int *want, int nwant, int held, int execw)
{
	/* the signals we catch, less those ignored when we started */
	static const int caught[] = { SIGTERM, SIGHUP, SIGUSR1, SIGTSTP,
	    SIGCONT, SIGWINCH };
	struct sigaction sa;
	sigset_t none;
	char pid[24];
	size_t k;
	int e;

	exec_w = execw;
	/*
	 * A process group of its own, so that a stop sent to pipesup's
	 * group (^C, timeout, kill -- -PGID) is pipesup's alone to turn into
	 * a drain, and so that its descendants can be ended with it.
	 */
	if (m->own_group && setpgid(0, 0) == -1)
		child_exit(EX_OSERR);
	/* it dies with pipesup, even one that ignores SIGTERM */
	if (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1 || getppid() != sup)
		child_exit(EX_OSERR);
	/* no handler of ours may run here: defaults before unblocking */
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	for (k = 0; k < sizeof(caught) / sizeof(caught[0]); k++)
		if (!sig_was_ignored(caught[k]))
			sigaction(caught[k], &sa, NULL);
	sigaction(SIGCHLD, &sa, NULL);
	sigaction(SIGPIPE, &sa, NULL);
	/*
	 * ^C is for pipesup, which drains in order; so is the hang-up of a
	 * terminal, for a first stage left in pipesup's group to read it.
	 */
	sa.sa_handler = m->stopsig == SIGINT ? SIG_DFL : SIG_IGN;
	sigaction(SIGINT, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	if (!m->own_group && m->stopsig != SIGHUP)
		sigaction(SIGHUP, &sa, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if ((held ? setenv(HELD_ENV, "1", 1) : unsetenv(HELD_ENV)) == -1)
		child_exit(EX_OSERR);
	/* the counters are this process's, not its descendants' */
	snprintf(pid, sizeof(pid), "%ld", (long)getpid());
	if (setenv(STATS_PID_ENV, pid, 1) == -1 ||
	    setenv(PROG_STAGE_ENV, m->name, 1) == -1)
		child_exit(EX_OSERR);

	child_fds(want, nwant);
	for (k = 0; k < m->def->nenv; k++)
		if (putenv(m->def->env[k]) == -1)
			child_exit(EX_OSERR);
	if (m->def->dir != NULL && chdir(m->def->dir) == -1) {
		dprintf(STDERR_FILENO, "cannot change to %s: %s\n",
		    m->def->dir, strerror(errno));
		child_exit(126);
	}
	execvp(m->def->argv[0], m->def->argv);
	e = errno;
	dprintf(STDERR_FILENO, "cannot run %s: %s\n", m->def->argv[0],
	    strerror(e));
	child_exit(e == ENOENT ? 127 : 126);
}

/* What a member published, added to what its earlier runs did. */
static int
member_counts(const struct member *m, struct stats_counts *c)
{
	const struct stats_shared *sh = m->shared;

	*c = m->base;
	if (atomic_load(&sh->magic) != STATS_MAGIC)
		return m->published;
	c->in += atomic_load(&sh->in);
	c->out += atomic_load(&sh->out);
	c->bad += atomic_load(&sh->bad);
	return 1;
}

static void
clear_nonblock(int fd)
{
	int fl;

	/* a stage killed before it put its flags back leaves O_NONBLOCK */
	if (fd != -1 && (fl = fcntl(fd, F_GETFL)) != -1 &&
	    (fl & O_NONBLOCK))
		fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
}

/*
 * The pipe of a child's start: the read end non-blocking for our loop,
 * the write end above STATS_FD, for the child's dup2s to leave alone.
 */
static int
open_exec_pipe(int ex[2])
{
	int e, fd;

	if (pipe2(ex, O_CLOEXEC) == -1)
		return -1;
	if (ex[1] <= STATS_FD) {
		if ((fd = fcntl(ex[1], F_DUPFD_CLOEXEC, STATS_FD + 1)) == -1)
			goto fail;
		close(ex[1]);
		ex[1] = fd;
	}
	if (fcntl(ex[0], F_SETFL, O_NONBLOCK) == -1)
		goto fail;
	return 0;
fail:
	e = errno;
	close_fd(&ex[0]);
	close_fd(&ex[1]);
	errno = e;
	return -1;
}

/*
 * The descriptor of edge e at the end member i has: a pipe we hold, our
 * stdin or stdout, or /dev/null for a proctee's branch whose reader ended
 * for good (its records are lost, as they would be into a closed pipe,
 * but opening a pipe nobody reads would wait for a reader for ever).
 */
static int
end_of(const struct sup *sp, size_t e, int reading)
{
	const struct graph_edge *ed = &sp->g->edges[e];
	int fd;

	if (reading && ed->from == GRAPH_STDIO)
		return STDIN_FILENO;
	if (!reading && ed->to == GRAPH_STDIO)
		return STDOUT_FILENO;
	fd = reading ? sp->rd[e] : sp->wr[e];
	return fd != -1 || sp->devnull == -1 ? fd : sp->devnull;
}

/* A pipe we hold: a killed run may have left it non-blocking. */
static void
clear_pipe_nonblock(const struct sup *sp, int fd)
{
	if (fd != STDIN_FILENO && fd != STDOUT_FILENO && fd != sp->devnull)
		clear_nonblock(fd);
}

/*
 * What member i's descriptors 0, 1, 2, STATS_FD and the extra pipes
 * from EXTRA_FD are to be (see child_fds); returns how many, and sets
 * *held when it reads a pipe we hold.
 */
static int
member_fds(struct sup *sp, size_t i, int *want, int *held)
{
	const struct graph_node *nd = &sp->g->nodes[i];
	size_t k;
	int n = EXTRA_FD;

	*held = 0;
	if (nd->kind == GRAPH_MERGE) {
		want[STDIN_FILENO] = sp->devnull;
		for (k = 0; k < nd->nin; k++) {
			want[n++] = end_of(sp, nd->in[k], 1);
			*held |= sp->g->edges[nd->in[k]].from != GRAPH_STDIO;
		}
	} else if (nd->nin > 0) {
		want[STDIN_FILENO] = end_of(sp, nd->in[0], 1);
		*held = sp->g->edges[nd->in[0]].from != GRAPH_STDIO;
	} else
		want[STDIN_FILENO] = sp->devnull;
	want[STDOUT_FILENO] = end_of(sp, nd->out[0], 0);
	for (k = 1; nd->kind == GRAPH_TEE && k < nd->nout; k++)
		want[n++] = end_of(sp, nd->out[k], 0);
	want[STDERR_FILENO] = sp->m[i].errw;
	want[STATS_FD] = sp->m[i].statsfd;
	for (k = 0; k < (size_t)n; k++)
		if (k != STDERR_FILENO && k != STATS_FD)
			clear_pipe_nonblock(sp, want[k]);
	return n;
}

/* Forks and execs member i; returns its pid, or -1 after saying why. */
static pid_t
spawn(struct sup *sp, size_t i)
{
	pid_t self = getpid();
	struct member *m = &sp->m[i];
	int want[EXTRA_FD + GRAPH_NODES_MAX], nwant, held;
	int ex[2] = { -1, -1 };
	sigset_t all, old;
	pid_t pid;

	/*
	 * Until readiness is told, a pipe that closes on exec tells us the
	 * program started: a fork is not a start, nor is a child that fails
	 * before exec (it writes a byte first).
	 */
	close_fd(&m->execfd);
	if (!sp->ready && !m->execd && open_exec_pipe(ex) == -1) {
		say(sp, "%s: the pipe that tells its start: %s", m->name,
		    strerror(errno));
		m->started = loop_now();
		return -1;
	}

	m->published = member_counts(m, &m->base);
	atomic_store(&m->shared->magic, 0);
	atomic_store(&m->shared->in, 0);
	atomic_store(&m->shared->out, 0);
	atomic_store(&m->shared->bad, 0);
	nwant = member_fds(sp, i, want, &held);

	/* no handler of ours may run in the child before exec */
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	if ((pid = fork()) == 0)
		child(m, self, want, nwant, held, ex[1]);
	/* as the child does too: neither knows which runs first */
	if (pid > 0 && m->own_group)
		(void)setpgid(pid, pid);
	sigprocmask(SIG_SETMASK, &old, NULL);
	close_fd(&ex[1]);
	if (pid == -1)
		close_fd(&ex[0]);
	m->execfd = ex[0];
	m->started = loop_now();
	m->pid = pid;
	if (pid == -1)
		say(sp, "%s: fork: %s", m->name, strerror(errno));
	else
		m->lastpid = pid;
	return pid;
}

static void
reap(struct sup *sp)
{
	struct member *m;
	pid_t pid;
	size_t i;
	int status;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
		for (i = 0; i < sp->n; i++) {
			m = &sp->m[i];
			if (m->pid != pid)
				continue;
			/* a stage's descendants end with it */
			if (m->own_group)
				(void)kill(-pid, SIGKILL);
			m->pid = -1;
			m->status = status;
			/* `pipesup ... | head`: the last stage's reader is ours */
			if (writes_stdout(sp, i) && WIFSIGNALED(status) &&
			    WTERMSIG(status) == SIGPIPE && stdout_gone())
				m->out_gone = 1;
			step(sp, i, WIFEXITED(status) ? EV_EXITED : EV_KILLED);
			break;
		}
}

struct relay_to {
	struct sup	*sp;
	char		 prefix[PIPELINE_NAME_MAX * 2 + 8];
	size_t		 len;
};

/*
 * Each line gets the stage's name, unless the stage put it there itself
 * (a stage named after its program, as in "statsink: line 1: ...").
 */
static void
relay_line(void *arg, const char *line, size_t n)
{
	struct relay_to *to = arg;
	int named = n >= to->len && memcmp(line, to->prefix, to->len) == 0;

	put_line(to->sp, named ? "" : to->prefix, line, n);
}

/*
 * A member's stderr, relayed in whole prefixed lines.  A few reads a
 * turn unless told to empty the pipe, so that one chatty stage does not
 * starve the others.
 */
static void
read_stderr(struct sup *sp, struct member *m, int all)
{
	struct relay_to to;
	ssize_t r;
	size_t room;
	char *dst;
	int turns = 16;

	to.sp = sp;
	snprintf(to.prefix, sizeof(to.prefix), "%s: ", m->name);
	to.len = strlen(to.prefix);
	while (all || turns-- > 0) {
		dst = relay_space(&m->err, &room);
		r = read(m->errfd, dst, room);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1 && errno == EAGAIN)
			return;
		if (r <= 0) {
			relay_end(&m->err, relay_line, &to);
			close_fd(&m->errfd);
			return;
		}
		relay_took(&m->err, (size_t)r, relay_line, &to);
	}
}

static const char *const state_words[] = {
	"starting", "running", "backing off", "stopping", "ended", "failed",
	"gave up"
};

/* A graph's pipes, each named by its ends; none for a line. */
static void
snapshot_edges(const struct sup *sp, struct report *r)
{
	const struct graph_node *nd;
	const struct graph_edge *ed;
	size_t i, k, e;

	r->nedges = 0;
	/* in the order of their readers, as the stages are listed */
	for (i = 0; !sp->g->linear && i < sp->n; i++) {
		nd = &sp->g->nodes[i];
		for (k = 0; k < nd->nin; k++) {
			e = nd->in[k];
			ed = &sp->g->edges[e];
			if (ed->from == GRAPH_STDIO)
				continue;
			r->edges[r->nedges].from = sp->m[ed->from].name;
			r->edges[r->nedges].to = sp->m[ed->to].name;
			r->edges[r->nedges++].queued = queued(sp, e);
		}
	}
}

/*
 * The pipeline's figures now, for every form of report.  A tick moves
 * the window the rates are taken over; a report between ticks (SIGUSR1,
 * the summary) shows the rates of the last one.
 */
static void
snapshot(struct sup *sp, int64_t now, int tick, struct report *r)
{
	struct report_stage *s;
	struct stats_counts c;
	struct member *m;
	double dt;
	size_t i;

	r->elapsed = (double)(now - sp->start) / SEC;
	r->state = all_final(sp) ? "ended" : sp->stop == STOP_NONE ?
	    "running" : sp->stop == STOP_DRAIN ? "draining" : "stopping";
	r->exit_status = sp->exit_status;
	r->n = sp->n;
	for (i = 0; i < sp->n; i++) {
		m = &sp->m[i];
		s = &r->st[i];
		memset(s, 0, sizeof(*s));
		s->name = m->name;
		s->pid = (long)m->lastpid;
		s->state = state_words[m->state];
		if (is_final(m->state)) {
			describe(m, m->how, sizeof(m->how));
			s->ended = m->how;
		}
		s->up = m->pid != -1;
		s->source = graph_is_source(sp->g, i);
		s->restarts = m->restarts;
		s->counted = member_counts(m, &c);
		s->in = c.in;
		s->out = c.out;
		s->bad = c.bad;
		s->total = atomic_load(&m->shared->total);
		if (tick && (dt = (double)(now - m->rate_at) / SEC) > 0) {
			m->in_rate = (double)(c.in - m->rate_in) / dt;
			m->out_rate = (double)(c.out - m->rate_out) / dt;
			m->rate_in = c.in;
			m->rate_out = c.out;
			m->rate_at = now;
		}
		s->in_rate = m->in_rate;
		s->out_rate = m->out_rate;
		s->queued = queued_in(sp, i);
		s->capacity = m->capacity;
	}
	snapshot_edges(sp, r);
}

/* What render makes of r, to stderr: prefixed when asked, one write. */
static void
put_report(struct sup *sp, void (*render)(FILE *, const struct report *),
    const struct report *r, const char *prefix)
{
	char *text = NULL, *p, *nl;
	size_t len = 0;
	FILE *mem;

	if ((mem = text_begin()) == NULL)
		return;
	render(mem, r);
	if (text_end(&text, &len) == -1)
		return;
	if (prefix == NULL)
		write_all(STDERR_FILENO, text, len);
	else
		for (p = text; p < text + len; p = nl + 1) {
			if ((nl = memchr(p, '\n', (size_t)(text + len - p))) ==
			    NULL)
				nl = text + len - 1;
			put_line(sp, prefix, p, (size_t)(nl - p) + 1);
		}
}

static void
table_state(FILE *fp, const struct report *r)
{
	report_table(fp, r, "state");
}

static void
table_ended(FILE *fp, const struct report *r)
{
	report_table(fp, r, "ended");
}

/*
 * Each stage's figures: at the end (the summary), or while the pipeline
 * runs, on SIGUSR1, as dd(1) answers it.
 */
static void
figures(struct sup *sp, int end)
{
	static struct report r;

	snapshot(sp, loop_now(), 0, &r);
	if (sp->json)
		put_report(sp, report_json, &r, NULL);
	else
		put_report(sp, end ? table_ended : table_state, &r, NULL);
}

/*
 * A file of --status or --metrics, replaced whole.  A failure is said
 * once, not each interval, and again only after a success.
 */
static void
write_file(struct sup *sp, const char *path,
    void (*render)(FILE *, const struct report *), const struct report *r,
    int *failing)
{
	if (path == NULL)
		return;
	if (report_replace(path, render, r) == 0)
		*failing = 0;
	else if (!*failing) {
		say(sp, "%s: %s", path, strerror(errno));
		*failing = 1;
	}
}

static void
write_files(struct sup *sp, const struct report *r)
{
	write_file(sp, sp->status_path, report_json, r, &sp->status_failing);
	write_file(sp, sp->metrics_path, report_metrics, r,
	    &sp->metrics_failing);
}

/* The files at exit, with how each stage ended. */
static void
final_files(struct sup *sp)
{
	static struct report r;

	if (sp->status_path == NULL && sp->metrics_path == NULL)
		return;
	/* the rates of the last whole interval, not of its last moments */
	snapshot(sp, loop_now(), 0, &r);
	write_files(sp, &r);
}

/*
 * One datagram to the service manager.  A manager that is not there is
 * said once, not each second; a full queue loses the message (the next
 * STATUS= replaces it), and tell() returns -1 so that READY=1 is sent again.
 */
static int
tell(struct sup *sp, const char *msg)
{
	int e;

	if (notify_send(&sp->notify, msg) == 0) {
		sp->notify_failed = 0;
		return 0;
	}
	if ((e = errno) == EAGAIN)
		return -1;
	if (!sp->notify_failed)
		say(sp, "%s: %s", NOTIFY_SOCKET_ENV, strerror(e));
	sp->notify_failed = 1;
	return 0;
}

/* The manager discards a datagram of 4096 bytes or more. */
#define NOTIFY_MAX	4000

/* STATUS= with r's figures, after what comes first ("STOPPING=1\n"). */
static void
tell_status(struct sup *sp, const struct report *r, const char *first)
{
	char *text = NULL;
	size_t len = 0;
	FILE *mem;

	if (sp->notify.fd == -1 || (mem = text_begin()) == NULL)
		return;
	fprintf(mem, "%sSTATUS=", first);
	report_brief(mem, r);
	if (text_end(&text, &len) == -1)
		return;
	if (len > NOTIFY_MAX)
		memcpy(text + NOTIFY_MAX - 4, "...", 4);
	(void)tell(sp, text);
}

static void
tell_stopping(struct sup *sp)
{
	static struct report r;

	if (sp->notify.fd == -1)
		return;
	snapshot(sp, loop_now(), 0, &r);
	tell_status(sp, &r, "STOPPING=1\n");
}

/*
 * Readiness, once a run of every stage has exec'd, and not once a drain
 * has begun: READY=1 to the manager, a newline to --notify-fd, which is
 * then closed (s6's convention: the supervisor stops reading there).
 */
static void
tell_ready(struct sup *sp)
{
	size_t i;

	if (sp->ready || sp->stop != STOP_NONE)
		return;
	for (i = 0; i < sp->n; i++)
		if (!sp->m[i].execd)
			return;
	if (tell(sp, "READY=1") == -1)
		return;		/* the manager's queue is full: next turn */
	sp->ready = 1;
	if (sp->notify_fd == -1)
		return;
	while (write(sp->notify_fd, "\n", 1) == -1 && errno == EINTR)
		;
	close_fd(&sp->notify_fd);
}

/* A child's start: the end of the pipe is an exec, a byte a failure. */
static void
read_exec(struct sup *sp, struct member *m)
{
	unsigned char c;
	ssize_t r;

	if ((r = read(m->execfd, &c, 1)) == -1 &&
	    (errno == EINTR || errno == EAGAIN))
		return;
	if (r == 0)
		m->execd = 1;
	close_fd(&m->execfd);
	tell_ready(sp);
}

/* Every interval: --stats, the files for programs, STATUS=. */
static void
tick(struct sup *sp, int64_t now)
{
	static struct report r;

	snapshot(sp, now, 1, &r);
	if (sp->stats_every > 0) {
		if (sp->tty)
			show_live(sp, &r);
		else
			put_report(sp, report_line, &r, "pipesup: ");
	}
	write_files(sp, &r);
	tell_status(sp, &r, "");
}

/* The live view now, between ticks: the rates are the last tick's. */
static void
redraw_live(struct sup *sp)
{
	static struct report r;

	if (!sp->tty)
		return;
	snapshot(sp, loop_now(), 0, &r);
	show_live(sp, &r);
}

/*
 * --stats on a terminal that terminfo knows to have a scroll region:
 * the live view, drawn now, before any stage starts, so that the stages
 * find LINES and COLUMNS set.  Elsewhere a line per interval.
 */
static void
open_live(struct sup *sp)
{
	struct stat so, se;

	if (sp->stats_every == 0 || live_open(&sp->live, STDERR_FILENO) == -1)
		return;
	sp->same_tty = fstat(STDOUT_FILENO, &so) == 0 &&
	    fstat(STDERR_FILENO, &se) == 0 && S_ISCHR(so.st_mode) &&
	    so.st_rdev == se.st_rdev;
	if (sig_catch(SIGWINCH) == -1)
		err(EX_OSERR, "sigaction");
	sp->tty = 1;
	/* err() on the way out must not leave the scroll region behind */
	exit_live = &sp->live;
	if (atexit(end_live) != 0)
		errx(EX_OSERR, "atexit failed");
	redraw_live(sp);
}

/* sig to each running stage that is in a process group of its own */
static void
signal_groups(struct sup *sp, int sig)
{
	size_t i;

	for (i = 0; i < sp->n; i++)
		if (sp->m[i].pid != -1 && sp->m[i].own_group)
			(void)signal_member(&sp->m[i], sig);
}

/*
 * ^Z: the stages in groups of their own would not hear it, so stop them,
 * then stop ourselves as the terminal asked; fg continues us, and we
 * continue them.
 */
static void
suspend(struct sup *sp)
{
	signal_groups(sp, SIGSTOP);
	/* the shell gets the whole screen, and we our rows back after */
	erase_live(sp);
	(void)kill(getpid(), SIGSTOP);
	redraw_live(sp);
	signal_groups(sp, SIGCONT);
}


/* pipefail's answer: the rightmost stage that did not end well, or -1. */
static int
failed_stage(const struct sup *sp)
{
	size_t i = sp->n;

	while (i-- > 0)
		if (sp->m[i].state != ENDED_WELL)
			return (int)i;
	return -1;
}

/* What we exit with: that stage's status, 128 plus a signal's number. */
static int
exit_status(const struct sup *sp)
{
	int f = failed_stage(sp), st;

	if (f == -1)
		return 0;
	st = sp->m[f].status;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void
take_signals(struct sup *sp)
{
	int sig;

	while ((sig = sig_take()) != 0) {
		if (sig == SIGCHLD) {
			reap(sp);
			continue;
		}
		switch (sig) {
		case SIGUSR1:
			figures(sp, 0);
			continue;
		case SIGTSTP:
			suspend(sp);
			continue;
		case SIGCONT:
			signal_groups(sp, SIGCONT);
			continue;
		case SIGWINCH:
			redraw_live(sp);
			continue;
		}
		/* SIGINT, SIGTERM, SIGHUP: a stop request */
		if (sp->requests > 0 && loop_now() - sp->stop_at < STOP_WINDOW)
			continue;
		sp->lastsig = sig;
		if (sp->requests++ == 0)
			request_stop(sp);
		else
			stop_now(sp);
	}
}

static int64_t
next_deadline(struct sup *sp)
{
	int64_t d = LOOP_NEVER;
	size_t i;

	for (i = 0; i < sp->n; i++)
		if (sp->m[i].state == BACKING_OFF && sp->m[i].restart_at < d)
			d = sp->m[i].restart_at;
	if (sp->stop == STOP_DRAIN && sp->grace_at < d)
		d = sp->grace_at;
	if (sp->tick_every > 0 && sp->tick_at < d)
		d = sp->tick_at;
	if (sp->notify.watchdog > 0 && sp->watchdog_at < d)
		d = sp->watchdog_at;
	return d;
}

static void
run(struct sup *sp)
{
	struct pollfd pfd[2 * PIPELINE_MAX + 1];
	struct pollfd *xfd = pfd + 1 + sp->n;	/* the execfds */
	size_t i;
	int64_t now;

	for (i = 0; i < sp->n; i++)
		step(sp, i, spawn(sp, i) == -1 ? EV_FORK_FAILED : EV_SPAWNED);
	while (!all_final(sp)) {
		set_title(sp);
		pfd[0].fd = sig_fd();
		pfd[0].events = POLLIN;
		for (i = 0; i < sp->n; i++) {
			pfd[i + 1].fd = sp->m[i].errfd;
			pfd[i + 1].events = POLLIN;
			xfd[i].fd = sp->m[i].execfd;
			xfd[i].events = POLLIN;
		}
		if (loop_wait(pfd, 2 * (int)sp->n + 1, next_deadline(sp)) == -1)
			err(EX_OSERR, "poll");
		for (i = 0; i < sp->n; i++)
			if (pfd[i + 1].revents != 0 && sp->m[i].errfd != -1)
				read_stderr(sp, &sp->m[i], 0);
		/* before a SIGCHLD: a stage that exec'd and ended at once */
		for (i = 0; i < sp->n; i++)
			if (xfd[i].revents != 0 && sp->m[i].execfd != -1)
				read_exec(sp, &sp->m[i]);
		if (pfd[0].revents & POLLIN || sig_pending())
			take_signals(sp);
		now = loop_now();
		for (i = 0; i < sp->n; i++)
			if (sp->m[i].state == BACKING_OFF &&
			    sp->m[i].restart_at <= now)
				step(sp, i, EV_BACKOFF_EXPIRED);
		if (sp->stop == STOP_DRAIN && now >= sp->grace_at)
			grace_expired(sp);
		if (sp->tick_every > 0 && now >= sp->tick_at) {
			tick(sp, now);
			sp->tick_at += sp->tick_every;
			if (sp->tick_at <= now)
				sp->tick_at = now + sp->tick_every;
		}
		/* from the loop: a loop that hangs stops the pings */
		if (sp->notify.watchdog > 0 && now >= sp->watchdog_at) {
			(void)tell(sp, "WATCHDOG=1");
			sp->watchdog_at = now + sp->notify.watchdog;
		}
	}
	/* the stages are gone: what they wrote to stderr is all there */
	for (i = 0; i < sp->n; i++)
		if (sp->m[i].errfd != -1)
			read_stderr(sp, &sp->m[i], 1);
	erase_live(sp);
}

/*
 * Reads the pipeline file at path, or standard input for "-"; the first
 * stage then reads nothing, its input having been the file.  Returns the
 * name to give the file in messages.
 */
static const char *
load_file(struct pipeline *pl, const char *path)
{
	enum pipeline_err e;
	char *text = NULL;
	size_t len = 0, line;
	FILE *fp, *mem;
	char chunk[8192];
	size_t n;
	int fd;

	if (strcmp(path, "-") == 0) {
		fp = stdin;
		path = "stdin";
	} else if ((fp = fopen(path, "re")) == NULL)
		err(EX_NOINPUT, "%s", path);
	if ((mem = open_memstream(&text, &len)) == NULL)
		err(EX_OSERR, NULL);
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		fwrite(chunk, 1, n, mem);
	if (ferror(fp))
		err(EX_IOERR, "%s", path);
	if (fp != stdin)
		fclose(fp);
	else if ((fd = open("/dev/null", O_RDONLY)) == -1 ||
	    dup2(fd, STDIN_FILENO) == -1 || close(fd) == -1)
		err(EX_OSERR, "/dev/null");
	if (fclose(mem) == EOF)
		err(EX_OSERR, NULL);
	if ((e = pipeline_parse(pl, text, len, &line)) == PL_NOMEM)
		err(EX_OSERR, NULL);
	free(text);
	if (e != PL_OK && line > 0)
		errx(EX_USAGE, "%s:%zu: %s", path, line, pipeline_strerror(e));
	if (e != PL_OK)
		errx(EX_USAGE, "%s: %s", path, pipeline_strerror(e));
	return path;
}

static void
setup_member(struct sup *sp, size_t i, int own_group)
{
	const struct graph_node *nd = &sp->g->nodes[i];
	const struct pipeline_stage *ps = nd->def;
	struct member *m = &sp->m[i];
	size_t k, e, to;
	int p[2], cap;

	m->own_group = own_group;
	m->name = ps->name;
	m->def = ps;
	m->policy = ps->restart == -1 ? sp->policy :
	    (enum restart_policy)ps->restart;
	m->stopsig = ps->stopsig == 0 ? SIGTERM : ps->stopsig;
	m->state = STARTING;
	m->pid = m->lastpid = -1;
	m->execfd = -1;
	restart_init(&m->restart);
	relay_init(&m->err);
	if (pipe2(p, O_CLOEXEC) == -1)
		err(EX_OSERR, "%s: the pipe for its stderr", ps->name);
	/* non-blocking for us only: each end has its own description */
	m->errfd = p[0];
	m->errw = p[1];
	if (fcntl(m->errfd, F_SETFL, O_NONBLOCK) == -1)
		err(EX_OSERR, "fcntl");
	if ((m->statsfd = memfd_create(ps->name, MFD_CLOEXEC)) == -1 ||
	    ftruncate(m->statsfd, sizeof(*m->shared)) == -1)
		err(EX_OSERR, "%s: the file of its figures", ps->name);
	m->shared = mmap(NULL, sizeof(*m->shared), PROT_READ | PROT_WRITE,
	    MAP_SHARED, m->statsfd, 0);
	if (m->shared == MAP_FAILED)
		err(EX_OSERR, "mmap");
	for (k = 0; k < nd->nout; k++) {
		e = nd->out[k];
		if ((to = sp->g->edges[e].to) == GRAPH_STDIO)
			continue;
		if (pipe2(p, O_CLOEXEC) == -1)
			err(EX_OSERR, "the pipe from %s to %s", ps->name,
			    sp->g->nodes[to].def->name);
		sp->rd[e] = p[0];
		sp->wr[e] = p[1];
		(void)fcntl(p[0], F_SETPIPE_SZ, PIPE_SIZE);
		/* for the live view's bar: how full the reader's input is */
		if ((cap = fcntl(p[0], F_GETPIPE_SZ)) > 0)
			sp->m[to].capacity += cap;
	}
}

/*
 * Each command, and each stage's dir=, before anything starts; the
 * proctee and procmerge that a graph needs too.
 */
static void
check_programs(const struct graph *g, const char *file)
{
	const struct pipeline_stage *st;
	const char *why;
	char prog[4096];
	struct stat sb;
	size_t i;
	int r;

	for (i = 0; i < g->n; i++) {
		st = g->nodes[i].def;
		if (st->dir != NULL && (stat(st->dir, &sb) == -1 ||
		    (!S_ISDIR(sb.st_mode) && (errno = ENOTDIR)) ||
		    access(st->dir, X_OK) == -1))
			errx(EX_USAGE, "%s:%zu: dir=%s: %s", file, st->line,
			    st->dir, strerror(errno));
		/* a relative path with a '/' is looked for from its dir= */
		if (st->dir != NULL && strchr(st->argv[0], '/') != NULL &&
		    st->argv[0][0] != '/')
			snprintf(prog, sizeof(prog), "%s/%s", st->dir,
			    st->argv[0]);
		else
			strlcpy(prog, st->argv[0], sizeof(prog));
		/* the shell's statuses: 127 not found, 126 not executable */
		if ((r = pipeline_runnable(prog)) == 0)
			continue;
		why = r == 127 ? "command not found" : strerror(errno);
		if (g->nodes[i].kind != GRAPH_STAGE)
			errx(r, "%s: %s (for the stage %s of the graph)",
			    st->argv[0], why, st->name);
		if (file != NULL)
			errx(r, "%s:%zu: %s: %s", file, st->line, st->argv[0],
			    why);
		errx(r, "%s: %s", st->argv[0], why);
	}
}

/* Whether a --status or --metrics file can be made beside path. */
static void
check_file(const char *path)
{
	static const struct report none = { .state = "starting",
	    .exit_status = -1 };

	if (path != NULL && report_replace(path, report_json, &none) == -1)
		err(EX_CANTCREAT, "%s", path);
}

static void
open_pidfile(const char *path)
{
	pid_t other;

	if ((pidfh = pidfile_open(path, 0644, &other)) == NULL) {
		if (errno == EEXIST)
			errx(EX_TEMPFAIL, "%s: already running as pid %ld",
			    path, (long)other);
		err(EX_CANTCREAT, "%s", path);
	}
	if (pidfile_write(pidfh) == -1)
		err(EX_CANTCREAT, "%s", path);
	atexit(remove_pidfile);
}

enum {
	OPT_MAXRESTARTS = OPT_PROGRAM, OPT_GRACE, OPT_PIDFILE, OPT_STATS,
	OPT_STATUS, OPT_METRICS, OPT_NOTIFYFD
};

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "file",	  required_argument,	NULL,	'f' },
		{ "restart",	  required_argument,	NULL,	'r' },
		{ "max-restarts", required_argument,	NULL,	OPT_MAXRESTARTS },
		{ "grace",	  required_argument,	NULL,	OPT_GRACE },
		{ "pidfile",	  required_argument,	NULL,	OPT_PIDFILE },
		{ "stats",	  optional_argument,	NULL,	OPT_STATS },
		{ "status",	  required_argument,	NULL,	OPT_STATUS },
		{ "metrics",	  required_argument,	NULL,	OPT_METRICS },
		{ "json",	  no_argument,		NULL,	'j' },
		{ "notify-fd",	  required_argument,	NULL,	OPT_NOTIFYFD },
		{ "quiet",	  no_argument,		NULL,	'q' },
		PROG_LONGOPTS,
		{ NULL,		  0,			NULL,	0 }
	};
	static struct graph g;
	static struct sup sup = {
		.max_restarts = 10, .grace = 5 * SEC, .exit_status = -1,
		.notify_fd = -1, .devnull = -1, .g = &g
	};
	static struct pipeline pl;
	struct graph_why why;
	struct sup *sp = &sup;
	const char *file = NULL, *pidpath = NULL, *errstr, *what;
	enum pipeline_err e;
	enum graph_err ge;
	size_t i;
	int ch, status, shares, f;

	setproctitle_init(argc, argv, environ);
	prog_init(argc, argv);
	while ((ch = getopt_long(argc, argv, "+f:hjqr:", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'f':
			file = optarg;
			break;
		case 'r':
			if (restart_policy_parse(optarg, &sp->policy) == -1)
				prog_usage("--restart: \"%s\" is not never, "
				    "on-failure or always", optarg);
			break;
		case OPT_MAXRESTARTS:
			sp->max_restarts = (int)prog_int64("--max-restarts",
			    optarg, 0, 1000000);
			break;
		case OPT_GRACE:
			sp->grace = prog_duration("--grace", optarg);
			break;
		case OPT_PIDFILE:
			pidpath = optarg;
			break;
		case OPT_STATUS:
			sp->status_path = optarg;
			break;
		case OPT_METRICS:
			sp->metrics_path = optarg;
			break;
		case 'j':
			sp->json = 1;
			break;
		case OPT_NOTIFYFD:
			/* 0, 1 and 2 are the pipeline's */
			sp->notify_fd = (int)prog_int64("--notify-fd", optarg, 3,
			    INT_MAX);
			if (fcntl(sp->notify_fd, F_SETFD, FD_CLOEXEC) == -1)
				prog_usage("--notify-fd: %d is not open",
				    sp->notify_fd);
			break;
		case OPT_STATS:
			/* "--stats 2s" as well as "--stats=2s" */
			if (optarg == NULL && optind < argc &&
			    opt_duration(argv[optind], &sp->stats_every,
			    &errstr) == 0)
				optarg = argv[optind++];
			sp->stats_every = optarg == NULL ? SEC :
			    prog_interval("--stats", optarg);
			break;
		case 'q':
			sp->quiet = 1;
			break;
		default:
			prog_option(ch, help);
		}
	}
	if (file != NULL && optind != argc)
		prog_usage("both -f and a command line pipeline");
	if (file != NULL)
		file = load_file(&pl, file);
	else if ((e = pipeline_args(&pl, argv + optind,
	    argc - optind)) == PL_NOMEM)
		err(EX_OSERR, NULL);
	else if (e == PL_EMPTY)
		prog_usage("no command given");
	else if (e != PL_OK)
		prog_usage("%s", pipeline_strerror(e));
	if ((ge = graph_build(&g, &pl, EXTRA_FD, &why)) == GRAPH_NOMEM)
		errx(EX_OSERR, "%s", why.text);
	else if (ge != GRAPH_OK && file != NULL && why.line > 0)
		errx(EX_USAGE, "%s:%zu: %s", file, why.line, why.text);
	else if (ge != GRAPH_OK && file != NULL)
		errx(EX_USAGE, "%s: %s", file, why.text);
	else if (ge != GRAPH_OK)
		errx(EX_USAGE, "%s", why.text);
	check_programs(&g, file);
	if (pidpath != NULL)
		open_pidfile(pidpath);
	/* a file that cannot be made is found out before anything starts */
	check_file(sp->status_path);
	check_file(sp->metrics_path);
	/* the manager's variables are pipesup's: no stage inherits them */
	if (notify_open(&sp->notify, &what) == -1)
		warn("%s", what);
	sp->ready = sp->notify.fd == -1 && sp->notify_fd == -1;

	/* inherited SIG_IGN for SIGCHLD would reap the stages behind our back */
	signal(SIGCHLD, SIG_DFL);
	if (sig_open() == -1)
		err(EX_OSERR, "the self-pipe for signals");
	if (sig_catch(SIGINT) == -1 || sig_catch(SIGTERM) == -1 ||
	    sig_catch(SIGHUP) == -1 || sig_catch(SIGUSR1) == -1 ||
	    sig_catch(SIGTSTP) == -1 || sig_catch(SIGCONT) == -1 ||
	    sig_catch(SIGCHLD) == -1)
		err(EX_OSERR, "sigaction");
	/* orphans of a stage's descendants are ours to reap, not init's */
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) == -1)
		err(EX_OSERR, "prctl");
	std_flags[0] = fcntl(STDIN_FILENO, F_GETFL);
	std_flags[1] = fcntl(STDOUT_FILENO, F_GETFL);
	if (atexit(restore_std_flags) != 0)
		errx(EX_OSERR, "atexit failed");
	/* a first stage that reads our terminal must stay in its group */
	shares = isatty(STDIN_FILENO) &&
	    tcgetpgrp(STDIN_FILENO) == getpgrp();
	if (setenv(STATS_ENV, "3", 1) == -1)
		err(EX_OSERR, "setenv");
	sp->n = g.n;
	for (i = 0; i < g.nedges; i++)
		sp->rd[i] = sp->wr[i] = -1;
	for (i = 0; i < sp->n; i++)
		setup_member(sp, i, !(reads_stdin(sp, i) && shares));
	/* what a stage with an empty from= or a procmerge reads */
	sp->devnull = -1;
	if (!g.linear && (sp->devnull = open("/dev/null",
	    O_RDWR | O_CLOEXEC)) == -1)
		err(EX_OSERR, "/dev/null");
	sp->start = loop_now();
	sp->tick_every = sp->stats_every > 0 ? sp->stats_every :
	    sp->status_path != NULL || sp->metrics_path != NULL ||
	    sp->notify.fd != -1 ? SEC : 0;
	sp->tick_at = sp->start + sp->tick_every;
	sp->watchdog_at = sp->start + sp->notify.watchdog;
	for (i = 0; i < sp->n; i++)
		sp->m[i].rate_at = sp->start;
	open_live(sp);
	run(sp);

	status = sp->exit_status = exit_status(sp);
	if (!sp->quiet)
		figures(sp, 1);
	if ((f = failed_stage(sp)) != -1) {
		describe(&sp->m[f], sp->m[f].how, sizeof(sp->m[f].how));
		say(NULL, "%s failed: %s", sp->m[f].name, sp->m[f].how);
	}
	final_files(sp);
	/* stopped at once by a second request: die by it, as asked */
	if (sp->stop == STOP_NOW && sp->requests > 1) {
		remove_pidfile();
		restore_std_flags();
		sig_raise_default(sp->lastsig);
	}
	graph_free(&g);
	pipeline_free(&pl);
	return status;
}
