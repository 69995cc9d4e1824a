/* SPDX-License-Identifier: ISC */
#include "restart.h"

#include <sysexits.h>
#include <string.h>

void
restart_init(struct restart *r)
{
	r->quick = 0;
	r->backoff = RESTART_BACKOFF_MIN;
}

enum restart_verdict
restart_decide(struct restart *r, enum restart_policy policy, int max,
    const struct restart_end *e, int64_t *delay)
{
	if (e->ran >= RESTART_STEADY)
		restart_init(r);
	if (e->input_over || e->reader_gone ||
	    e->code == EX_USAGE || e->code == EX_DATAERR ||
	    e->code == RESTART_NOT_FOUND || e->code == RESTART_NOT_EXEC ||
	    (e->source && e->code == 0))
		return RESTART_FINAL;
	if (policy == RESTART_NEVER ||
	    (policy == RESTART_ON_FAILURE && e->well))
		return RESTART_FINAL;
	if (!e->well) {
		if (r->quick >= max)
			return RESTART_GIVE_UP;
		r->quick++;
	}
	*delay = r->backoff;
	r->backoff = r->backoff * 2 > RESTART_BACKOFF_MAX ?
	    RESTART_BACKOFF_MAX : r->backoff * 2;
	return RESTART_AGAIN;
}

int
restart_policy_parse(const char *s, enum restart_policy *p)
{
	if (strcmp(s, "never") == 0)
		*p = RESTART_NEVER;
	else if (strcmp(s, "on-failure") == 0)
		*p = RESTART_ON_FAILURE;
	else if (strcmp(s, "always") == 0)
		*p = RESTART_ALWAYS;
	else
		return -1;
	return 0;
}
