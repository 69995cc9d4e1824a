/*
 * pipesup: runs a pipeline of stages without a shell, holds the pipes
 * between them so that a stage can be restarted without losing what is
 * queued, drains on SIGINT or SIGTERM, and says how each stage ended.
 */
#define _GNU_SOURCE		/* memfd_create, sigabbrev_np */
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <libutil.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "loop.h"
#include "pipeline.h"
#include "prog.h"
#include "sig.h"
#include "stats.h"

extern char **environ;

static const char help[] =
"usage: pipesup [-q] [-r policy] [--max-restarts n] [--grace duration]\n"
"               [--pidfile file] [--stats[=interval]]\n"
"               command [arg ...] [:: command [arg ...] ...]\n"
"       pipesup [options] -f file\n"
"Run a pipeline of stages, restart them, drain it on SIGINT or SIGTERM.\n"
"\n"
"  -f, --file FILE        read the pipeline from FILE, \"NAME: COMMAND ARGS\"\n"
"                         a line\n"
"  -r, --restart POLICY   never, on-failure or always (default never)\n"
"      --max-restarts N   quick failures in a row before giving up\n"
"                         (default 10)\n"
"      --grace DURATION   how long a drain may take before SIGKILL\n"
"                         (default 5s)\n"
"      --pidfile FILE     refuse to run twice; the file holds our pid\n"
"      --stats[=INTERVAL] show each stage's figures every INTERVAL\n"
"                         (default 1s) on stderr\n"
"  -q, --quiet            no summary at the end\n"
"  -h, --help             show this help\n"
"      --version          show the version\n"
"\n"
"Example: pipesup --restart on-failure randsrc --rate 5 :: procprint\n";

#define MSEC		1000000LL
#define SEC		1000000000LL
#define BACKOFF_MIN	(100 * MSEC)
#define BACKOFF_MAX	(5 * SEC)
#define STEADY		(10 * SEC)	/* up this long: failures forgiven */
#define ERRLINE_MAX	4096
#define STATS_FD	3

enum policy { RESTART_NEVER, RESTART_ON_FAILURE, RESTART_ALWAYS };
enum state { S_RUN, S_WAIT, S_DONE };
enum kill { K_NONE, K_GRACE, K_NOW };

struct stage {
	const char		*name;
	char			**argv;
	enum state		 state;
	pid_t			 pid;		/* -1 while not running */
	pid_t			 lastpid;
	int			 status;	/* wait status of the last end */
	int64_t			 started;
	int64_t			 restart_at;
	int64_t			 backoff;
	int			 restarts;
	int			 quick;		/* quick failures in a row */
	int			 termsent;	/* we asked it to stop */
	enum kill		 killed;
	int			 gaveup;
	int			 in_ended;	/* its writer ended for good */
	int			 out_gone;	/* its reader ended for good */

	int			 errfd;		/* read end, non-blocking */
	int			 errw;		/* our copy of the write end */
	char			 errbuf[ERRLINE_MAX];
	size_t			 errlen;

	int			 statsfd;
	struct stats_shared	*shared;
	struct stats_counts	 base;		/* earlier runs' counts */
	int			 published;
	uint64_t		 lastrate;	/* count at the last --stats */
};

struct sup {
	struct stage	 st[PIPELINE_MAX];
	size_t		 n;
	int		 rd[PIPELINE_MAX];	/* pipe i: stage i to i+1 */
	int		 wr[PIPELINE_MAX];
	enum policy	 policy;
	int		 max_restarts;
	int64_t		 grace;
	int		 signals;	/* SIGINT or SIGTERM that arrived */
	int		 lastsig;
	int		 draining;
	int64_t		 grace_at;
	int		 killing;
	int		 quiet;
	int64_t		 stats_every;	/* 0: no --stats */
	int64_t		 stats_at;
	int64_t		 start;
	int		 tty;
	int		 drawn;		/* a stats line is on the terminal */
};

static struct pidfh *pidfh;

static void
remove_pidfile(void)
{
	if (pidfh != NULL)
		pidfile_remove(pidfh);
	pidfh = NULL;
}

/* Our stderr, one whole line per writev, after erasing a live stats line. */
static void
put_line(struct sup *sp, const char *prefix, const char *s, size_t n)
{
	struct iovec iov[4];
	int k = 0;

	if (sp != NULL && sp->drawn) {
		iov[k].iov_base = (void *)"\r\033[K";
		iov[k++].iov_len = 4;
		sp->drawn = 0;
	}
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

static void
say(struct sup *sp, const char *fmt, ...)
    __attribute__((__format__(__printf__, 2, 3)));

static void
say(struct sup *sp, const char *fmt, ...)
{
	char line[ERRLINE_MAX];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	put_line(sp, "pipesup: ", line, strlen(line));
}

static void
set_title(struct sup *sp)
{
	static char last[64];
	char title[64];
	size_t i, waiting = 0;

	for (i = 0; i < sp->n; i++)
		waiting += sp->st[i].state == S_WAIT;
	snprintf(title, sizeof(title), "%zu stage%s, %s%s", sp->n,
	    sp->n == 1 ? "" : "s",
	    sp->killing ? "killing" : sp->draining ? "draining" : "running",
	    waiting > 0 ? ", restarting" : "");
	/* once per change, not once per turn of the loop */
	if (strcmp(title, last) != 0)
		setproctitle("%s", title);
	strlcpy(last, title, sizeof(last));
}

/* How a wait status reads: "exit 3", "SIGKILL", with why we caused it. */
static void
describe(const struct stage *s, char *buf, size_t len)
{
	const char *abbrev, *why = "";
	int sig;

	if (WIFEXITED(s->status)) {
		snprintf(buf, len, "exit %d%s", WEXITSTATUS(s->status),
		    s->gaveup ? " (gave up)" : "");
		return;
	}
	sig = WTERMSIG(s->status);
	if (s->killed == K_GRACE && sig == SIGKILL)
		why = " (after grace)";
	else if (s->killed == K_NOW && sig == SIGKILL)
		why = " (interrupt)";
	else if (s->termsent && sig == SIGTERM)
		why = " (drain)";
	else if (s->out_gone && sig == SIGPIPE)
		why = " (reader gone)";
	else if (s->gaveup)
		why = " (gave up)";
	abbrev = sigabbrev_np(sig);
	if (abbrev != NULL)
		snprintf(buf, len, "SIG%s%s", abbrev, why);
	else
		snprintf(buf, len, "signal %d%s", sig, why);
}

/*
 * Ended well: exit 0, the SIGTERM of a drain, or the SIGPIPE of a writer
 * whose reader ended for good (the quiet end the contract asks for).
 */
static int
ended_well(const struct stage *s)
{
	if (WIFEXITED(s->status))
		return WEXITSTATUS(s->status) == 0 && !s->gaveup;
	if (s->gaveup)
		return 0;
	return (WTERMSIG(s->status) == SIGTERM && s->termsent) ||
	    (WTERMSIG(s->status) == SIGPIPE && s->out_gone);
}

static void
close_fd(int *fd)
{
	if (*fd != -1)
		close(*fd);
	*fd = -1;
}

static void	end_for_good(struct sup *, size_t);

/*
 * The stage will not run again: its reader gets end of input once the
 * pipe is empty, its writer gets EPIPE, and a neighbour waiting to
 * restart only for that pipe ends too.
 */
static void
end_for_good(struct sup *sp, size_t i)
{
	struct stage *s = &sp->st[i];

	s->state = S_DONE;
	close_fd(&s->errw);
	if (i + 1 < sp->n) {
		close_fd(&sp->wr[i]);
		sp->st[i + 1].in_ended = 1;
	}
	if (i > 0) {
		close_fd(&sp->rd[i - 1]);
		close_fd(&sp->wr[i - 1]);
		sp->st[i - 1].out_gone = 1;
		if (sp->st[i - 1].state == S_WAIT)
			end_for_good(sp, i - 1);
	}
}

/* SIGTERM to the first stage only; end of input does the rest. */
static void
drain(struct sup *sp)
{
	struct stage *s = &sp->st[0];

	if (sp->draining)
		return;
	sp->draining = 1;
	sp->grace_at = loop_now() + sp->grace;
	if (s->state == S_RUN && kill(s->pid, SIGTERM) == 0)
		s->termsent = 1;
	else if (s->state == S_WAIT)
		end_for_good(sp, 0);
}

static void
kill_all(struct sup *sp, enum kill how)
{
	size_t i;

	sp->killing = 1;
	for (i = 0; i < sp->n; i++) {
		if (sp->st[i].state == S_RUN &&
		    kill(sp->st[i].pid, SIGKILL) == 0)
			sp->st[i].killed = how;
		else if (sp->st[i].state == S_WAIT)
			end_for_good(sp, i);
	}
}

/* Bytes waiting in pipe i, or -1 when we no longer hold it. */
static int
queued(const struct sup *sp, size_t i)
{
	int n;

	if (sp->rd[i] == -1 || ioctl(sp->rd[i], FIONREAD, &n) == -1)
		return -1;
	return n;
}

static int
may_restart(const struct sup *sp, size_t i)
{
	const struct stage *s = &sp->st[i];

	/* an end of input is final, but only once the pipe is empty */
	if (s->in_ended && queued(sp, i - 1) <= 0)
		return 0;
	if (sp->killing || s->termsent || s->out_gone ||
	    (i == 0 && sp->draining))
		return 0;
	if (WIFEXITED(s->status) && (WEXITSTATUS(s->status) == EX_USAGE ||
	    WEXITSTATUS(s->status) == EX_DATAERR))
		return 0;
	switch (sp->policy) {
	case RESTART_ALWAYS:
		return 1;
	case RESTART_ON_FAILURE:
		return !ended_well(s);
	default:
		return 0;
	}
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

static void
stage_ended(struct sup *sp, size_t i, int status)
{
	struct stage *s = &sp->st[i];
	int64_t now = loop_now();
	char how[64], when[32];

	s->pid = -1;
	s->status = status;
	/* `pipesup ... | head`: the last stage's reader is ours */
	if (i + 1 == sp->n && WIFSIGNALED(status) &&
	    WTERMSIG(status) == SIGPIPE && stdout_gone())
		s->out_gone = 1;
	if (now - s->started >= STEADY) {
		s->quick = 0;
		s->backoff = BACKOFF_MIN;
	}
	if (!may_restart(sp, i)) {
		end_for_good(sp, i);
		return;
	}
	describe(s, how, sizeof(how));
	if (!ended_well(s) && s->quick >= sp->max_restarts) {
		s->gaveup = 1;
		say(sp, "%s: %s; giving up after %d restart%s", s->name, how,
		    s->quick, s->quick == 1 ? "" : "s");
		end_for_good(sp, i);
		drain(sp);
		return;
	}
	if (!ended_well(s))
		s->quick++;
	s->state = S_WAIT;
	s->restart_at = now + s->backoff;
	format_ns(when, sizeof(when), s->backoff);
	say(sp, "%s: %s; restarting in %s", s->name, how, when);
	s->backoff = s->backoff * 2 > BACKOFF_MAX ? BACKOFF_MAX :
	    s->backoff * 2;
}

static void
child(struct stage *s, int in, int out)
{
	struct sigaction sa;
	sigset_t none;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	if (!sig_was_ignored(SIGTERM))
		sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGCHLD, &sa, NULL);
	sigaction(SIGPIPE, &sa, NULL);
	/* a terminal's ^C is for pipesup, which drains in order */
	sa.sa_handler = SIG_IGN;
	sigaction(SIGINT, &sa, NULL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);

	if ((in != STDIN_FILENO && dup2(in, STDIN_FILENO) == -1) ||
	    (out != STDOUT_FILENO && dup2(out, STDOUT_FILENO) == -1) ||
	    dup2(s->errw, STDERR_FILENO) == -1 ||
	    (s->statsfd == STATS_FD ? fcntl(STATS_FD, F_SETFD, 0) :
	    dup2(s->statsfd, STATS_FD)) == -1)
		_exit(EX_OSERR);
	closefrom(STATS_FD + 1);
	execvp(s->argv[0], s->argv);
	dprintf(STDERR_FILENO, "cannot run %s: %s\n", s->argv[0],
	    strerror(errno));
	_exit(127);
}

/* What a stage published, added to what its earlier runs did. */
static int
stage_counts(const struct stage *s, struct stats_counts *c)
{
	const struct stats_shared *sh = s->shared;

	*c = s->base;
	if (atomic_load(&sh->magic) != STATS_MAGIC)
		return s->published;
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

static void
spawn(struct sup *sp, size_t i)
{
	struct stage *s = &sp->st[i];
	int in = i > 0 ? sp->rd[i - 1] : STDIN_FILENO;
	int out = i + 1 < sp->n ? sp->wr[i] : STDOUT_FILENO;
	sigset_t all, old;
	pid_t pid;

	s->published = stage_counts(s, &s->base);
	atomic_store(&s->shared->magic, 0);
	atomic_store(&s->shared->in, 0);
	atomic_store(&s->shared->out, 0);
	atomic_store(&s->shared->bad, 0);
	clear_nonblock(i > 0 ? in : -1);
	clear_nonblock(i + 1 < sp->n ? out : -1);

	/* no handler of ours may run in the child before exec */
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, &old);
	if ((pid = fork()) == 0)
		child(s, in, out);
	sigprocmask(SIG_SETMASK, &old, NULL);
	s->started = loop_now();
	s->state = S_RUN;
	if (pid == -1) {
		say(sp, "%s: fork: %s", s->name, strerror(errno));
		stage_ended(sp, i, EX_OSERR << 8);
		return;
	}
	s->pid = s->lastpid = pid;
}

static void
reap(struct sup *sp)
{
	pid_t pid;
	size_t i;
	int status;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0)
		for (i = 0; i < sp->n; i++)
			if (sp->st[i].pid == pid) {
				stage_ended(sp, i, status);
				break;
			}
}

/*
 * Whole lines, prefixed; a line too long for the buffer goes in pieces.
 * A few reads a turn unless told to empty the pipe, so that one chatty
 * stage does not starve the others.
 */
static void
read_stderr(struct sup *sp, struct stage *s, int all)
{
	char prefix[PIPELINE_NAME_MAX * 2 + 8];
	size_t used, n;
	ssize_t r;
	char *nl;
	int turns = 16;

	snprintf(prefix, sizeof(prefix), "%s: ", s->name);
	while (all || turns-- > 0) {
		r = read(s->errfd, s->errbuf + s->errlen,
		    sizeof(s->errbuf) - s->errlen);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1 && errno == EAGAIN)
			return;
		if (r <= 0) {
			if (s->errlen > 0)
				put_line(sp, prefix, s->errbuf, s->errlen);
			s->errlen = 0;
			close_fd(&s->errfd);
			return;
		}
		s->errlen += (size_t)r;
		used = 0;
		while ((nl = memchr(s->errbuf + used, '\n',
		    s->errlen - used)) != NULL) {
			n = (size_t)(nl - (s->errbuf + used)) + 1;
			put_line(sp, prefix, s->errbuf + used, n);
			used += n;
		}
		if (used == 0 && s->errlen == sizeof(s->errbuf)) {
			put_line(sp, prefix, s->errbuf, s->errlen);
			used = s->errlen;
		}
		memmove(s->errbuf, s->errbuf + used, s->errlen - used);
		s->errlen -= used;
	}
}

static void
show_stats(struct sup *sp, int64_t now)
{
	char line[ERRLINE_MAX], num[32];
	struct stats_counts c;
	size_t i, len = 0;
	uint64_t cur;
	double secs = (double)sp->stats_every / SEC;
	struct winsize ws;
	int q;

	len += (size_t)snprintf(line, sizeof(line), "%.1fs:",
	    (double)(now - sp->start) / SEC);
	for (i = 0; i < sp->n && len < sizeof(line); i++) {
		if (stage_counts(&sp->st[i], &c)) {
			cur = i == 0 ? c.out : c.in;
			len += (size_t)snprintf(line + len, sizeof(line) - len,
			    " %s in %ju out %ju bad %ju %.0f/s", sp->st[i].name,
			    (uintmax_t)c.in, (uintmax_t)c.out,
			    (uintmax_t)c.bad,
			    (double)(cur - sp->st[i].lastrate) / secs);
			sp->st[i].lastrate = cur;
		} else
			len += (size_t)snprintf(line + len, sizeof(line) - len,
			    " %s -", sp->st[i].name);
		if (i + 1 == sp->n || len >= sizeof(line))
			break;
		if ((q = queued(sp, i)) >= 0)
			snprintf(num, sizeof(num), "%d", q);
		else
			strlcpy(num, "-", sizeof(num));
		len += (size_t)snprintf(line + len, sizeof(line) - len,
		    " | %s B |", num);
	}
	if (sp->tty) {
		/* a wrapped line could not be redrawn in place */
		if (ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 &&
		    ws.ws_col > 10 && len > (size_t)ws.ws_col - 10)
			line[ws.ws_col - 10] = '\0';
		dprintf(STDERR_FILENO, "\r\033[Kpipesup: %s", line);
		sp->drawn = 1;
	} else
		say(sp, "%s", line);
}

static void
summary(struct sup *sp)
{
	struct stats_counts c;
	char how[64], in[24], out[24], bad[24];
	size_t i;
	int w = 5;

	for (i = 0; i < sp->n; i++)
		if ((int)strlen(sp->st[i].name) > w)
			w = (int)strlen(sp->st[i].name);
	dprintf(STDERR_FILENO, "%-*s %8s %8s  %-20s %10s %10s %6s\n", w,
	    "stage", "pid", "restarts", "ended", "in", "out", "bad");
	for (i = 0; i < sp->n; i++) {
		describe(&sp->st[i], how, sizeof(how));
		if (stage_counts(&sp->st[i], &c)) {
			snprintf(in, sizeof(in), "%ju", (uintmax_t)c.in);
			snprintf(out, sizeof(out), "%ju", (uintmax_t)c.out);
			snprintf(bad, sizeof(bad), "%ju", (uintmax_t)c.bad);
		} else {
			strlcpy(in, "-", sizeof(in));
			strlcpy(out, "-", sizeof(out));
			strlcpy(bad, "-", sizeof(bad));
		}
		dprintf(STDERR_FILENO, "%-*s %8ld %8d  %-20s %10s %10s %6s\n",
		    w, sp->st[i].name, (long)sp->st[i].lastpid,
		    sp->st[i].restarts, how, in, out, bad);
	}
}

/* pipefail's answer: the rightmost stage that did not end well. */
static int
exit_status(struct sup *sp)
{
	char how[64];
	size_t i = sp->n;

	while (i-- > 0) {
		if (ended_well(&sp->st[i]))
			continue;
		describe(&sp->st[i], how, sizeof(how));
		say(NULL, "%s failed: %s", sp->st[i].name, how);
		if (WIFEXITED(sp->st[i].status))
			return WEXITSTATUS(sp->st[i].status);
		return 128 + WTERMSIG(sp->st[i].status);
	}
	return 0;
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
		sp->lastsig = sig;
		if (sp->signals++ == 0)
			drain(sp);
		else
			kill_all(sp, K_NOW);
	}
}

static int64_t
next_deadline(struct sup *sp)
{
	int64_t d = LOOP_NEVER;
	size_t i;

	for (i = 0; i < sp->n; i++)
		if (sp->st[i].state == S_WAIT && sp->st[i].restart_at < d)
			d = sp->st[i].restart_at;
	if (sp->draining && !sp->killing && sp->grace_at < d)
		d = sp->grace_at;
	if (sp->stats_every > 0 && sp->stats_at < d)
		d = sp->stats_at;
	return d;
}

static int
all_done(const struct sup *sp)
{
	size_t i;

	for (i = 0; i < sp->n; i++)
		if (sp->st[i].state != S_DONE)
			return 0;
	return 1;
}

static void
run(struct sup *sp)
{
	struct pollfd pfd[PIPELINE_MAX + 1];
	size_t i;
	int64_t now;

	while (!all_done(sp)) {
		set_title(sp);
		pfd[0].fd = sig_fd();
		pfd[0].events = POLLIN;
		for (i = 0; i < sp->n; i++) {
			pfd[i + 1].fd = sp->st[i].errfd;
			pfd[i + 1].events = POLLIN;
		}
		if (loop_wait(pfd, (int)sp->n + 1, next_deadline(sp)) == -1)
			err(EX_OSERR, "poll");
		for (i = 0; i < sp->n; i++)
			if (pfd[i + 1].revents != 0 && sp->st[i].errfd != -1)
				read_stderr(sp, &sp->st[i], 0);
		if (pfd[0].revents & POLLIN || sig_pending())
			take_signals(sp);
		now = loop_now();
		for (i = 0; i < sp->n; i++)
			if (sp->st[i].state == S_WAIT &&
			    sp->st[i].restart_at <= now) {
				sp->st[i].restarts++;
				spawn(sp, i);
			}
		if (sp->draining && !sp->killing && now >= sp->grace_at)
			kill_all(sp, K_GRACE);
		if (sp->stats_every > 0 && now >= sp->stats_at) {
			show_stats(sp, now);
			sp->stats_at += sp->stats_every;
			if (sp->stats_at <= now)
				sp->stats_at = now + sp->stats_every;
		}
	}
	/* the stages are gone: what they wrote to stderr is all there */
	for (i = 0; i < sp->n; i++)
		if (sp->st[i].errfd != -1)
			read_stderr(sp, &sp->st[i], 1);
	if (sp->drawn)
		dprintf(STDERR_FILENO, "\r\033[K");
	sp->drawn = 0;
}

/* execvp's search, done before anything starts so a typo costs nothing. */
static int
findable(const char *prog)
{
	const char *path, *p, *colon;
	char full[4096];
	struct stat st;
	size_t len;

	if (strchr(prog, '/') != NULL)
		return stat(prog, &st) == 0 && S_ISREG(st.st_mode) &&
		    access(prog, X_OK) == 0;
	if ((path = getenv("PATH")) == NULL)
		path = "/bin:/usr/bin";
	for (p = path; ; p = colon + 1) {
		colon = strchrnul(p, ':');
		len = (size_t)(colon - p);
		if (snprintf(full, sizeof(full), "%.*s%s%s", (int)len, p,
		    len > 0 ? "/" : "", prog) < (int)sizeof(full) &&
		    stat(full, &st) == 0 && S_ISREG(st.st_mode) &&
		    access(full, X_OK) == 0)
			return 1;
		if (*colon == '\0')
			return 0;
	}
}

static void
load_file(struct pipeline *pl, const char *path)
{
	enum pipeline_err e;
	char *text = NULL;
	size_t len = 0, line;
	FILE *fp, *mem;
	char chunk[8192];
	size_t n;

	if ((fp = fopen(path, "re")) == NULL)
		err(EX_NOINPUT, "%s", path);
	if ((mem = open_memstream(&text, &len)) == NULL)
		err(EX_OSERR, NULL);
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0)
		fwrite(chunk, 1, n, mem);
	if (ferror(fp))
		err(EX_IOERR, "%s", path);
	fclose(fp);
	if (fclose(mem) == EOF)
		err(EX_OSERR, NULL);
	if ((e = pipeline_parse(pl, text, len, &line)) == PL_NOMEM)
		err(EX_OSERR, NULL);
	free(text);
	if (e != PL_OK && line > 0)
		errx(EX_USAGE, "%s:%zu: %s", path, line, pipeline_strerror(e));
	if (e != PL_OK)
		errx(EX_USAGE, "%s: %s", path, pipeline_strerror(e));
}

static void
setup_stage(struct sup *sp, size_t i, const struct pipeline_stage *ps)
{
	struct stage *s = &sp->st[i];
	int p[2];

	s->name = ps->name;
	s->argv = ps->argv;
	s->pid = s->lastpid = -1;
	s->backoff = BACKOFF_MIN;
	if (pipe2(p, O_CLOEXEC) == -1)
		err(EX_OSERR, "pipe");
	/* non-blocking for us only: each end has its own description */
	s->errfd = p[0];
	s->errw = p[1];
	if (fcntl(s->errfd, F_SETFL, O_NONBLOCK) == -1)
		err(EX_OSERR, "fcntl");
	if ((s->statsfd = memfd_create(ps->name, MFD_CLOEXEC)) == -1 ||
	    ftruncate(s->statsfd, sizeof(*s->shared)) == -1)
		err(EX_OSERR, "memfd_create");
	s->shared = mmap(NULL, sizeof(*s->shared), PROT_READ | PROT_WRITE,
	    MAP_SHARED, s->statsfd, 0);
	if (s->shared == MAP_FAILED)
		err(EX_OSERR, "mmap");
	sp->rd[i] = sp->wr[i] = -1;
	if (i + 1 < sp->n) {
		if (pipe2(p, O_CLOEXEC) == -1)
			err(EX_OSERR, "pipe");
		sp->rd[i] = p[0];
		sp->wr[i] = p[1];
	}
}

static enum policy
parse_policy(const char *s)
{
	if (strcmp(s, "never") == 0)
		return RESTART_NEVER;
	if (strcmp(s, "on-failure") == 0)
		return RESTART_ON_FAILURE;
	if (strcmp(s, "always") == 0)
		return RESTART_ALWAYS;
	prog_usage("--restart: \"%s\" is not never, on-failure or always", s);
}

static void
check_programs(const struct pipeline *pl, const char *file)
{
	size_t i;

	for (i = 0; i < pl->n; i++) {
		if (findable(pl->stages[i].argv[0]))
			continue;
		if (file != NULL)
			errx(EX_USAGE, "%s:%zu: %s: command not found", file,
			    pl->stages[i].line, pl->stages[i].argv[0]);
		errx(EX_USAGE, "%s: command not found", pl->stages[i].argv[0]);
	}
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

enum { OPT_MAXRESTARTS = OPT_PROGRAM, OPT_GRACE, OPT_PIDFILE, OPT_STATS };

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
		{ "quiet",	  no_argument,		NULL,	'q' },
		PROG_LONGOPTS,
		{ NULL,		  0,			NULL,	0 }
	};
	static struct sup sup = {
		.max_restarts = 10, .grace = 5 * SEC
	};
	static struct pipeline pl;
	struct sup *sp = &sup;
	const char *file = NULL, *pidpath = NULL;
	enum pipeline_err e;
	size_t i;
	int ch, status;

	setproctitle_init(argc, argv, environ);
	prog_init(argc, argv);
	while ((ch = getopt_long(argc, argv, "+f:hqr:", longopts,
	    NULL)) != -1) {
		switch (ch) {
		case 'f':
			file = optarg;
			break;
		case 'r':
			sp->policy = parse_policy(optarg);
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
		case OPT_STATS:
			sp->stats_every = optarg == NULL ? SEC :
			    prog_duration("--stats", optarg);
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
		load_file(&pl, file);
	else if ((e = pipeline_args(&pl, argv + optind,
	    argc - optind)) == PL_NOMEM)
		err(EX_OSERR, NULL);
	else if (e == PL_EMPTY)
		prog_usage("no command given");
	else if (e != PL_OK)
		prog_usage("%s", pipeline_strerror(e));
	check_programs(&pl, file);
	if (pidpath != NULL)
		open_pidfile(pidpath);

	/* inherited SIG_IGN for SIGCHLD would reap the stages behind our back */
	signal(SIGCHLD, SIG_DFL);
	if (sig_catch(SIGINT) == -1 || sig_catch(SIGTERM) == -1 ||
	    sig_catch(SIGCHLD) == -1)
		err(EX_OSERR, "sigaction");
	if (setenv(STATS_ENV, "3", 1) == -1)
		err(EX_OSERR, "setenv");
	sp->n = pl.n;
	for (i = 0; i < sp->n; i++)
		setup_stage(sp, i, &pl.stages[i]);
	sp->tty = isatty(STDERR_FILENO);
	sp->start = loop_now();
	sp->stats_at = sp->start + sp->stats_every;
	for (i = 0; i < sp->n; i++)
		spawn(sp, i);
	run(sp);

	if (!sp->quiet)
		summary(sp);
	status = exit_status(sp);
	if (sp->killing && sp->signals > 1) {
		remove_pidfile();
		sig_raise_default(sp->lastsig);
	}
	pipeline_free(&pl);
	return status;
}
