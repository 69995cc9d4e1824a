/*
 * statsink: a sink that sums the stream up, for people or for scripts.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "loop.h"
#include "stage.h"

static const char help[] =
"usage: statsink [--json] [--every duration] [--strict] [--rejects file]\n"
"At end of input, print the count, sum, min, max, mean, standard\n"
"deviation, elapsed time and rate of the records read.\n"
"\n"
"      --json          one JSON object a report instead of a table\n"
"      --every T       also report the running figures every T\n"
"                      (\"500ms\", \"10s\", \"1m\"); SIGUSR1 reports at once\n"
STAGE_HELP
"\n"
"Example: statsink --json <values.txt\n";

enum { OPT_JSON = OPT_PROGRAM, OPT_EVERY };

__extension__ typedef __int128 i128;
__extension__ typedef unsigned __int128 u128;

struct summary {
	uint64_t	n;
	i128		sum;		/* exact: 2^64 records of 2^63 fit */
	int64_t		min, max;
	int64_t		shift;		/* the first value */
	double		mean, m2;	/* Welford's, of value - shift */
	int64_t		start;		/* loop_now() when statsink began */
	int64_t		every;		/* 0: only at the end */
	int		json;
};

static int
add(struct stage *st, int64_t v)
{
	struct summary *s = st->ctx;
	double x, d;

	if (s->n == 0)
		s->shift = v;
	if (s->n == 0 || v < s->min)
		s->min = v;
	if (s->n == 0 || v > s->max)
		s->max = v;
	s->n++;
	s->sum += v;
	/*
	 * Welford (1962) does not cancel catastrophically over 1e9 records;
	 * shifting by the first value keeps the digits of the spread when
	 * the values are large and close (10^15 + 0..9).
	 */
	x = (double)((i128)v - s->shift);
	d = x - s->mean;
	s->mean += d / (double)s->n;
	s->m2 += d * (x - s->mean);
	return 0;
}

/* The exact decimal of v, which printf cannot do; dst has 41 bytes. */
static char *
i128_format(char *dst, i128 v)
{
	u128 u = v < 0 ? -(u128)v : (u128)v;
	char tmp[40], *p = tmp + sizeof(tmp);

	do {
		*--p = (char)('0' + (int)(u % 10));
		u /= 10;
	} while (u != 0);
	if (v < 0)
		*--p = '-';
	memcpy(dst, p, (size_t)(tmp + sizeof(tmp) - p));
	dst[tmp + sizeof(tmp) - p] = '\0';
	return dst;
}

static void
report(struct stage *st)
{
	struct summary *s = st->ctx;
	char f[8][48];
	static const char *const keys[] = { "count", "sum", "min", "max",
	    "mean", "stddev", "elapsed_s", "rate" };
	double secs = (double)(loop_now() - s->start) / 1e9;
	int i;

	snprintf(f[0], sizeof(f[0]), "%ju", (uintmax_t)s->n);
	i128_format(f[1], s->sum);
	snprintf(f[6], sizeof(f[6]), s->json ? "%.6f" : "%.3f", secs);
	snprintf(f[7], sizeof(f[7]), s->json ? "%.3f" : "%.1f",
	    secs > 0 ? (double)s->n / secs : 0.0);
	if (s->n == 0) {
		/* no records: no min, max, mean or stddev to make up */
		for (i = 2; i < 6; i++)
			strlcpy(f[i], s->json ? "null" : "", sizeof(f[i]));
	} else {
		snprintf(f[2], sizeof(f[2]), "%jd", (intmax_t)s->min);
		snprintf(f[3], sizeof(f[3]), "%jd", (intmax_t)s->max);
		/* the exact sum makes a better mean than Welford's */
		snprintf(f[4], sizeof(f[4]), s->json ? "%.17Lg" : "%.3Lf",
		    (long double)s->sum / s->n);
		snprintf(f[5], sizeof(f[5]), s->json ? "%.17g" : "%.3f",
		    sqrt(s->m2 / (double)s->n));
	}
	if (s->json) {
		stage_printf(st, "{");
		for (i = 0; i < 8; i++)
			stage_printf(st, "%s\"%s\": %s", i > 0 ? ", " : "",
			    keys[i], f[i]);
		stage_printf(st, "}\n");
		st->counts.out++;
		return;
	}
	for (i = 0; i < 8; i++) {
		if (f[i][0] == '\0')
			continue;
		stage_printf(st, "%-8s %s%s\n", i == 6 ? "elapsed" : keys[i],
		    f[i], i == 6 ? " s" : i == 7 ? " records/s" : "");
		st->counts.out++;
	}
}

static void
interim(struct stage *st)
{
	struct summary *s = st->ctx;

	report(st);
	if (!s->json)
		stage_printf(st, "\n");
}

static void
periodic(struct stage *st, int64_t now)
{
	struct summary *s = st->ctx;

	interim(st);
	/* on the start's grid, so reports do not drift; skip missed ones */
	st->deadline = now + s->every - (now - s->start) % s->every;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "json",	no_argument,		NULL,	OPT_JSON },
		{ "every",	required_argument,	NULL,	OPT_EVERY },
		STAGE_LONGOPTS,
		{ NULL,		0,			NULL,	0 }
	};
	static const struct stage_ops ops = {
		.record = add,
		.tick = periodic,
		.finish = report,
		.usr1 = interim,
	};
	struct summary s = { 0 };
	struct stage st;
	int ch;

	prog_init(argc, argv);
	stage_init(&st, &ops, &s);
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case OPT_JSON:
			s.json = 1;
			break;
		case OPT_EVERY:
			s.every = prog_interval("--every", optarg);
			break;
		default:
			stage_option(&st, ch, optarg, help);
		}
	}
	prog_no_operands(argc, argv);
	s.start = loop_now();
	if (s.every != 0)
		st.deadline = s.start + s.every;
	return stage_run(&st);
}
