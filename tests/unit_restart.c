/* SPDX-License-Identifier: ISC */
/*
 * unit_restart: table tests of lib/restart.c, pipesup's restart decision.
 * One row per rule and per edge of a rule.  Prints one line per failure
 * and "N failures" at the end; exits 1 if there was any.
 */
#include <stdio.h>

#include "restart.h"

#define MS	1000000LL
#define SEC	1000000000LL

/* the fields in the order a row reads; a test table needs no packing */
/* NOLINTNEXTLINE(clang-analyzer-optin.performance.Padding) */
static const struct row {
	const char		*what;
	enum restart_policy	 policy;
	int			 max;
	int			 quick;		/* before */
	int64_t			 backoff;	/* before */
	struct restart_end	 end;	/* well, code, ran, in, reader, source */
	enum restart_verdict	 verdict;
	int64_t			 delay;		/* for RESTART_AGAIN */
	int			 quick_after;
	int64_t			 backoff_after;
} rows[] = {
	{ "never: a failure stays ended", RESTART_NEVER, 10, 0, 100 * MS,
	    { 0, 1, 1 * SEC, 0, 0, 0 }, RESTART_FINAL, 0, 0, 100 * MS },
	{ "never: a good end stays ended", RESTART_NEVER, 10, 0, 100 * MS,
	    { 1, 0, 1 * SEC, 0, 0, 0 }, RESTART_FINAL, 0, 0, 100 * MS },
	{ "on-failure: a good end stays ended", RESTART_ON_FAILURE, 10, 2,
	    400 * MS, { 1, 0, 1 * SEC, 0, 0, 0 }, RESTART_FINAL, 0, 2, 400 * MS },
	{ "on-failure: a failure restarts", RESTART_ON_FAILURE, 10, 0,
	    100 * MS, { 0, 1, 1 * SEC, 0, 0, 0 }, RESTART_AGAIN, 100 * MS, 1,
	    200 * MS },
	{ "on-failure: a signal is a failure", RESTART_ON_FAILURE, 10, 1,
	    200 * MS, { 0, -1, 1 * SEC, 0, 0, 0 }, RESTART_AGAIN, 200 * MS, 2,
	    400 * MS },
	{ "always: a good end restarts, not counted", RESTART_ALWAYS, 10, 0,
	    100 * MS, { 1, 0, 1 * SEC, 0, 0, 0 }, RESTART_AGAIN, 100 * MS, 0,
	    200 * MS },
	{ "always: a failure restarts, counted", RESTART_ALWAYS, 10, 0,
	    100 * MS, { 0, 74, 1 * SEC, 0, 0, 0 }, RESTART_AGAIN, 100 * MS, 1,
	    200 * MS },
	{ "exit 64 is final", RESTART_ALWAYS, 10, 0, 100 * MS,
	    { 0, 64, 1 * SEC, 0, 0, 0 }, RESTART_FINAL, 0, 0, 100 * MS },
	{ "exit 65 is final", RESTART_ON_FAILURE, 10, 0, 100 * MS,
	    { 0, 65, 1 * SEC, 0, 0, 0 }, RESTART_FINAL, 0, 0, 100 * MS },
	{ "exit 126, not executable, is final", RESTART_ALWAYS, 10, 0,
	    100 * MS, { 0, 126, 1 * SEC, 0, 0, 0 }, RESTART_FINAL, 0, 0,
	    100 * MS },
	{ "exit 127, not found, is final", RESTART_ON_FAILURE, 10, 0,
	    100 * MS, { 0, 127, 1 * SEC, 0, 0, 0 }, RESTART_FINAL, 0, 0,
	    100 * MS },
	{ "exit 125 is a failure like any other", RESTART_ON_FAILURE, 10, 0,
	    100 * MS, { 0, 125, 1 * SEC, 0, 0, 0 }, RESTART_AGAIN, 100 * MS, 1,
	    200 * MS },
	{ "end of input is final", RESTART_ALWAYS, 10, 0, 100 * MS,
	    { 1, 0, 1 * SEC, 1, 0, 0 }, RESTART_FINAL, 0, 0, 100 * MS },
	{ "end of input is final after a failure too", RESTART_ON_FAILURE, 10,
	    0, 100 * MS, { 0, 1, 1 * SEC, 1, 0, 0 }, RESTART_FINAL, 0, 0,
	    100 * MS },
	{ "a source that exited 0 is final", RESTART_ALWAYS, 10, 0, 100 * MS,
	    { 1, 0, 1 * SEC, 0, 0, 1 }, RESTART_FINAL, 0, 0, 100 * MS },
	{ "a source that failed is restarted", RESTART_ALWAYS, 10, 0,
	    100 * MS, { 0, 1, 1 * SEC, 0, 0, 1 }, RESTART_AGAIN, 100 * MS, 1,
	    200 * MS },
	{ "a source killed by a signal is restarted", RESTART_ON_FAILURE, 10,
	    0, 100 * MS, { 0, -1, 1 * SEC, 0, 0, 1 }, RESTART_AGAIN, 100 * MS,
	    1, 200 * MS },
	{ "a reader gone is final", RESTART_ALWAYS, 10, 0, 100 * MS,
	    { 0, -1, 1 * SEC, 0, 1, 0 }, RESTART_FINAL, 0, 0, 100 * MS },
	{ "max quick failures: give up", RESTART_ON_FAILURE, 3, 3, 800 * MS,
	    { 0, 1, 1 * SEC, 0, 0, 0 }, RESTART_GIVE_UP, 0, 3, 800 * MS },
	{ "max 0: the first failure gives up", RESTART_ALWAYS, 0, 0, 100 * MS,
	    { 0, 1, 0, 0, 0, 0 }, RESTART_GIVE_UP, 0, 0, 100 * MS },
	{ "max reached, a good end still restarts", RESTART_ALWAYS, 3, 3,
	    800 * MS, { 1, 0, 1 * SEC, 0, 0, 0 }, RESTART_AGAIN, 800 * MS, 3,
	    1600 * MS },
	{ "a steady run forgives", RESTART_ON_FAILURE, 3, 3, 800 * MS,
	    { 0, 1, 10 * SEC, 0, 0, 0 }, RESTART_AGAIN, 100 * MS, 1, 200 * MS },
	{ "just short of steady does not", RESTART_ON_FAILURE, 4, 3, 800 * MS,
	    { 0, 1, 10 * SEC - 1, 0, 0, 0 }, RESTART_AGAIN, 800 * MS, 4,
	    1600 * MS },
	{ "a steady run forgives even when final", RESTART_NEVER, 3, 3,
	    800 * MS, { 0, 1, 11 * SEC, 0, 0, 0 }, RESTART_FINAL, 0, 0, 100 * MS },
	{ "the backoff stops doubling at its cap", RESTART_ALWAYS, 10, 5,
	    4 * SEC, { 0, 1, 1 * SEC, 0, 0, 0 }, RESTART_AGAIN, 4 * SEC, 6,
	    5 * SEC },
	{ "and stays there", RESTART_ALWAYS, 10, 6, 5 * SEC,
	    { 0, 1, 1 * SEC, 0, 0, 0 }, RESTART_AGAIN, 5 * SEC, 7, 5 * SEC },
};

static const char *const verdicts[] = { "again", "final", "give up" };

int
main(void)
{
	static const struct {
		const char		*word;
		int			 ret;
		enum restart_policy	 policy;
	} words[] = {
		{ "never", 0, RESTART_NEVER },
		{ "on-failure", 0, RESTART_ON_FAILURE },
		{ "always", 0, RESTART_ALWAYS },
		{ "On-failure", -1, RESTART_NEVER },
		{ "", -1, RESTART_NEVER },
		{ "alwaysx", -1, RESTART_NEVER },
	};
	const struct row *w;
	struct restart r;
	enum restart_verdict v;
	enum restart_policy p;
	int64_t delay;
	size_t i;
	int failures = 0, ret;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		w = &rows[i];
		r.quick = w->quick;
		r.backoff = w->backoff;
		delay = -1;
		v = restart_decide(&r, w->policy, w->max, &w->end, &delay);
		if (v != w->verdict || (v == RESTART_AGAIN &&
		    delay != w->delay) || r.quick != w->quick_after ||
		    r.backoff != w->backoff_after) {
			printf("%s: got %s delay %lld quick %d backoff %lld, "
			    "want %s delay %lld quick %d backoff %lld\n",
			    w->what, verdicts[v], (long long)delay, r.quick,
			    (long long)r.backoff, verdicts[w->verdict],
			    (long long)w->delay, w->quick_after,
			    (long long)w->backoff_after);
			failures++;
		}
	}
	restart_init(&r);
	if (r.quick != 0 || r.backoff != RESTART_BACKOFF_MIN) {
		printf("restart_init: quick %d backoff %lld\n", r.quick,
		    (long long)r.backoff);
		failures++;
	}
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		p = RESTART_NEVER;
		ret = restart_policy_parse(words[i].word, &p);
		if (ret != words[i].ret || p != words[i].policy) {
			printf("policy \"%s\": got %d %d\n", words[i].word,
			    ret, (int)p);
			failures++;
		}
	}
	printf("%d failures\n", failures);
	return failures > 0;
}
