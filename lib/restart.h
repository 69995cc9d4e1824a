/* SPDX-License-Identifier: ISC */
/*
 * restart: the pure decision pipesup makes when a stage ends: run it
 * again after a backoff, let it stay ended (final), or give up on it.
 * Never prints, never reads a clock, never signals: the caller passes in
 * what it saw and carries out the verdict.
 *
 * The rules, in the order they are applied:
 *   1. A run that lasted RESTART_STEADY or more forgives the failures
 *      before it: the count of quick failures and the backoff start over.
 *   2. Final, whatever the policy: its input ended for good and nothing
 *      is queued for it; its reader ended for good; it exited 64 (usage),
 *      65 (bad data), 126 (cannot be executed) or 127 (not found), which
 *      another run would only repeat; it is a
 *      source that exited 0, having made its whole stream, which another
 *      run would make again (the caller says which stages count).
 *   3. The policy: never restarts; on-failure restarts what did not end
 *      well; always restarts everything rule 2 allows.
 *   4. A run that did not end well, after max quick failures in a row,
 *      gives up; otherwise it counts as one more.
 *   5. The delay is the backoff, which then doubles up to
 *      RESTART_BACKOFF_MAX.
 */
#ifndef SLUICE_RESTART_H
#define SLUICE_RESTART_H

#include <stdint.h>

#define RESTART_BACKOFF_MIN	(100 * 1000000LL)	/* ns */
#define RESTART_BACKOFF_MAX	(5 * 1000000000LL)
#define RESTART_STEADY		(10 * 1000000000LL)

/* What a shell exits with when a command is not found, or not executable */
#define RESTART_NOT_FOUND	127
#define RESTART_NOT_EXEC	126

enum restart_policy { RESTART_NEVER, RESTART_ON_FAILURE, RESTART_ALWAYS };

enum restart_verdict {
	RESTART_AGAIN,		/* run it again after *delay */
	RESTART_FINAL,		/* it stays ended */
	RESTART_GIVE_UP		/* it failed too often: stop the pipeline */
};

/* One stage's bookkeeping across its runs. */
struct restart {
	int	quick;		/* failures in a row, none after a steady run */
	int64_t	backoff;	/* the wait before the next run, ns */
};

/* How one run ended, as the supervisor saw it. */
struct restart_end {
	int	well;		/* exit 0, or the signal it was meant to die by */
	int	code;		/* its exit code; -1 when a signal killed it */
	int64_t	ran;		/* how long the run lasted, ns */
	int	input_over;	/* its writer ended for good, its pipe is empty */
	int	reader_gone;	/* its reader ended for good */
	int	source;		/* a source, whose exit 0 ends its stream */
};

void	restart_init(struct restart *);

/*
 * Applies the rules above to a run that ended as *e, updating r, and
 * returns the verdict; for RESTART_AGAIN, *delay is the wait in ns.
 * max is the number of quick failures in a row that is tolerated.
 */
enum restart_verdict	restart_decide(struct restart *r, enum restart_policy,
			    int max, const struct restart_end *e,
			    int64_t *delay);

/* "never", "on-failure", "always"; -1 for anything else. */
int	restart_policy_parse(const char *, enum restart_policy *);

#endif
