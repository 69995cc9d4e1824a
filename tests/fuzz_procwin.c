/* SPDX-License-Identifier: ISC */
/*
 * fuzz_procwin: libFuzzer harness for lib/window.c, procwin's arithmetic.
 * Drives win_add/win_close as procwin does (a window closes when full,
 * on a tick when by time, and at the end unless --full-only) and checks
 * each aggregate against a naive recomputation over the values kept in
 * the window, and each refusal against the exact sum: --emit sum without
 * --saturate refuses exactly the value that takes the sum out of int64.
 * UBSan watches the arithmetic on extreme values.
 *
 * Input: 4 control bytes, then values (tests/fuzz_values.h); any event
 * is a tick of the clock, which closes a time window.
 *   c[0]  emit (c[0] % 8, count sum min max mean, and sum again for the
 *         rest), 0x08 --saturate, 0x10 --full-only, 0x20 windows by
 *         time, 0x40 a window of INT64_MAX records
 *   c[1..2]  window size - 1, little-endian (by count)
 *   c[3]  the clock's step a tick, in periods (0: within the period)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "window.h"

#define CTL		4
#define MAX_VALUES	(1 << 16)	/* kept in one window, and in all */
#define PERIOD		1000

/* The model: every value of the open window, and nothing clever. */
struct model {
	int64_t		*v;
	size_t		 n, max;
	win_i128	 sum;		/* as they come, for refusals */
};

MODEL static void
keep(struct model *m, int64_t v)
{
	if (m->n == m->max) {
		m->max = m->max == 0 ? 256 : 2 * m->max;
		if ((m->v = reallocarray(m->v, m->max, sizeof(*m->v))) ==
		    NULL)
			abort();
	}
	m->v[m->n++] = v;
	m->sum += v;
}

MODEL static win_i128
model_sum(const struct model *m)
{
	win_i128 s = 0;
	size_t i;

	CHECK(m->n == 0 || m->v != NULL);
	for (i = 0; i < m->n; i++)
		s += m->v[i];
	return s;
}

/* What the window shows: returns 0 and sets *out, or -1 for nothing. */
MODEL static int
model_aggregate(const struct model *m, enum win_emit emit, int saturate,
    int64_t *out)
{
	win_i128 s = model_sum(m), n = (win_i128)m->n;
	int64_t lo, hi;
	size_t i;

	CHECK(s == m->sum);
	if (m->n == 0) {
		*out = 0;
		return emit == WIN_COUNT ? 0 : -1;
	}
	CHECK(m->v != NULL);
	lo = hi = m->v[0];
	for (i = 1; i < m->n; i++) {
		if (m->v[i] < lo)
			lo = m->v[i];
		if (m->v[i] > hi)
			hi = m->v[i];
	}
	switch (emit) {
	case WIN_COUNT:
		*out = (int64_t)m->n;
		break;
	case WIN_SUM:
		/* in range, unless saturate let it out */
		CHECK(saturate || (s >= INT64_MIN && s <= INT64_MAX));
		*out = s > INT64_MAX ? INT64_MAX : s < INT64_MIN ? INT64_MIN :
		    (int64_t)s;
		break;
	case WIN_MIN:
		*out = lo;
		break;
	case WIN_MAX:
		*out = hi;
		break;
	case WIN_MEAN:
		/* the floor, from the magnitude */
		*out = (int64_t)(s >= 0 ? s / n : -((-s + n - 1) / n));
		CHECK(*out >= lo && *out <= hi);
		break;
	}
	return 0;
}

/* Closes the window in both and compares what they show. */
static void
close_both(struct win *w, struct model *m)
{
	int64_t got = 0, want = 0;
	int r;

	r = model_aggregate(m, w->emit, w->saturate, &want);
	CHECK(win_close(w, &got) == r);
	if (r == 0)
		CHECK(got == want);
	CHECK(w->n == 0 && w->sum == 0);
	m->n = 0;
	m->sum = 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum win_emit emits[] = { WIN_COUNT, WIN_SUM, WIN_MIN,
	    WIN_MAX, WIN_MEAN, WIN_SUM, WIN_SUM, WIN_SUM };
	struct model m = { NULL, 0, 0, 0 };
	struct win w;
	struct fv f;
	enum win_added r;
	int64_t v, now, end;
	win_i128 s;
	size_t items = 0;
	int overflows;

	if (size < CTL)
		return 0;
	memset(&w, 0, sizeof(w));
	w.emit = emits[data[0] % 8];
	w.saturate = (data[0] & 0x08) != 0;
	w.full_only = (data[0] & 0x10) != 0;
	if (data[0] & 0x20) {
		w.period = PERIOD;
		w.start = 12345;
	} else if (data[0] & 0x40)
		w.size = INT64_MAX;
	else
		w.size = 1 + (data[1] | data[2] << 8);
	now = w.start;
	end = w.period != 0 ? win_next_end(&w, now) : 0;
	fv_init(&f, data + CTL, size - CTL);
	for (;;) {
		enum fv_item it = fv_next(&f, &v);

		if (it == FV_END || ++items > MAX_VALUES)
			break;
		if (it == FV_EVENT) {
			if (w.period == 0)
				continue;
			/* the clock moves on; the window ends when due */
			now += (int64_t)data[3] * PERIOD + v * 97;
			if (now < end)
				continue;
			close_both(&w, &m);
			end = win_next_end(&w, now);
			CHECK(end > now && end - now <= PERIOD &&
			    (end - w.start) % PERIOD == 0);
			continue;
		}
		s = m.sum + v;
		overflows = s > INT64_MAX || s < INT64_MIN;
		r = win_add(&w, v);
		if (w.emit == WIN_SUM && !w.saturate && overflows) {
			CHECK(r == WIN_OVERFLOW);
			CHECK((size_t)w.n == m.n);
			continue;
		}
		CHECK(r != WIN_OVERFLOW);
		keep(&m, v);
		CHECK((size_t)w.n == m.n && w.sum == s);
		CHECK((r == WIN_FULL) == (w.size != 0 &&
		    (int64_t)m.n == w.size));
		if (r == WIN_FULL)
			close_both(&w, &m);
		/* a window that does not close in time is cut, as a test */
		if (m.n == MAX_VALUES)
			close_both(&w, &m);
	}
	/* the end of input: what is left, unless only full windows count */
	if (w.n > 0 && !w.full_only)
		close_both(&w, &m);
	free(m.v);
	return 0;
}
