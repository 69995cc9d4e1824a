/* SPDX-License-Identifier: ISC */
#include "window.h"

/* Sets *v, or returns -1 when the window has nothing to show. */
static int
aggregate(const struct win *w, int64_t *v)
{
	win_i128 q;

	*v = 0;
	if (w->n == 0)
		return w->emit == WIN_COUNT ? 0 : -1;
	switch (w->emit) {
	case WIN_COUNT:
		*v = w->n;
		break;
	case WIN_SUM:
		/* only saturate lets the sum out of range: see win_add() */
		*v = w->sum > INT64_MAX ? INT64_MAX :
		    w->sum < INT64_MIN ? INT64_MIN : (int64_t)w->sum;
		break;
	case WIN_MIN:
		*v = w->min;
		break;
	case WIN_MAX:
		*v = w->max;
		break;
	case WIN_MEAN:
		/* C truncates toward zero; step down for a floor */
		q = w->sum / w->n;
		if (w->sum % w->n < 0)
			q--;
		*v = (int64_t)q;
		break;
	}
	return 0;
}

enum win_added
win_add(struct win *w, int64_t v)
{
	win_i128 sum = w->sum + v;

	if (w->emit == WIN_SUM && !w->saturate &&
	    (sum > INT64_MAX || sum < INT64_MIN))
		return WIN_OVERFLOW;
	if (w->n == 0 || v < w->min)
		w->min = v;
	if (w->n == 0 || v > w->max)
		w->max = v;
	w->sum = sum;
	return ++w->n == w->size ? WIN_FULL : WIN_TAKEN;
}

int
win_close(struct win *w, int64_t *v)
{
	int r = aggregate(w, v);

	w->n = 0;
	w->sum = 0;
	return r;
}

int64_t
win_next_end(const struct win *w, int64_t now)
{
	return now + w->period - (now - w->start) % w->period;
}
