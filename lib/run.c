/* SPDX-License-Identifier: ISC */
#include "run.h"

#include <err.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "fd.h"
#include "loop.h"
#include "prog.h"
#include "sig.h"
#include "stats.h"

void
run_setup(struct run *r, struct wbuf *out, size_t cap, int usr1)
{
	memset(r, 0, sizeof(*r));
	r->out = out;
	if (wbuf_init(out, STDOUT_FILENO, cap) == -1)
		err(EX_OSERR, NULL);
	if (fd_nonblock(STDOUT_FILENO) == -1)
		err(EX_IOERR, "stdout");
	prog_end_part_line();
	if (sig_open() == -1)
		err(EX_OSERR, "the self-pipe for signals");
	if (sig_catch(SIGINT) == -1 || sig_catch(SIGTERM) == -1 ||
	    (usr1 && sig_catch(SIGUSR1) == -1))
		err(EX_OSERR, "sigaction");
	stats_attach();
}

void
run_signals(struct run *r)
{
	int sig;

	while ((sig = sig_take()) != 0) {
		if (sig == SIGUSR1) {
			r->usr1 = 1;
			continue;
		}
		if (r->stopsig != 0)
			prog_die(sig);	/* the second one stops at once */
		r->stopsig = sig;
	}
}

void
run_flush(struct run *r)
{
	if (wbuf_flush(r->out) == -1)
		prog_ioerr("stdout");
}

void
run_wait(struct run *r, int want_out, int64_t deadline)
{
	struct pollfd pfd[2];

	pfd[0].fd = sig_fd();
	pfd[0].events = POLLIN;
	pfd[1].fd = want_out ? r->out->fd : -1;
	pfd[1].events = POLLOUT;
	if (loop_wait(pfd, 2, deadline) == -1)
		err(EX_OSERR, "poll");
	if (pfd[0].revents & POLLIN)
		run_signals(r);
}

void
run_write_out(struct run *r)
{
	for (;;) {
		run_flush(r);
		if (wbuf_pending(r->out) == 0)
			break;
		run_wait(r, 1, LOOP_NEVER);
	}
}

void
run_end(struct run *r)
{
	wbuf_free(r->out);
	if (r->stopsig != 0)
		prog_die(r->stopsig);
}
