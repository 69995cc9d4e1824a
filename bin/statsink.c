/* SPDX-License-Identifier: ISC */
/*
 * statsink: a sink that sums the stream up, for people or for scripts.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "loop.h"
#include "stage.h"
#include "summary.h"

static const char help[] =
"usage: statsink [-j] [--every duration] [--strict] [--rejects file]\n"
"                [file ...]\n"
"At end of input, print the count, sum, min, max, mean, standard\n"
"deviation, elapsed time and rates of the records read: the rate since\n"
"the last report (or the start), and the mean rate since the start.\n"
"\n"
"  -j, --json          one JSON object a report instead of a table\n"
"      --every T       also report the running figures every T\n"
"                      (\"500ms\", \"10s\", \"1m\"); SIGUSR1 reports at once\n"
STAGE_HELP
"\n"
"Example: statsink --json <values.txt\n";

enum { OPT_EVERY = OPT_PROGRAM };

struct statsink {
	struct summary	s;
	int64_t		start;		/* loop_now() when statsink began */
	int64_t		last;		/* loop_now() at the last report */
	uint64_t	last_n;		/* the count then */
	int64_t		every;		/* 0: only at the end */
	int		json;
};

static int
add(struct stage *st, int64_t v)
{
	struct statsink *ss = st->ctx;

	summary_add(&ss->s, v);
	return 0;
}

/*
 * "rate" is over the interval since the last report, as pipesup's rates
 * are recent ones: a stalled stream reads 0 at once, not an average that
 * decays.  The average since the start is "mean_rate".
 */
static void
report(struct stage *st, int final)
{
	struct statsink *ss = st->ctx;
	const struct summary *s = &ss->s;
	char f[9][48];
	static const char *const keys[] = { "count", "sum", "min", "max",
	    "mean", "stddev", "elapsed_s", "rate", "mean_rate" };
	static const char *const labels[] = { "count", "sum", "min", "max",
	    "mean", "stddev", "elapsed", "rate", "mean rate" };
	int64_t now = loop_now();
	double secs = (double)(now - ss->start) / 1e9;
	double isecs = (double)(now - ss->last) / 1e9;
	int i;

	snprintf(f[0], sizeof(f[0]), "%ju", (uintmax_t)s->n);
	summary_i128_format(f[1], s->sum);
	snprintf(f[6], sizeof(f[6]), ss->json ? "%.6f" : "%.3f", secs);
	snprintf(f[7], sizeof(f[7]), "%.1f",
	    isecs > 0 ? (double)(s->n - ss->last_n) / isecs : 0.0);
	snprintf(f[8], sizeof(f[8]), "%.1f",
	    secs > 0 ? (double)s->n / secs : 0.0);
	ss->last = now;
	ss->last_n = s->n;
	if (s->n == 0) {
		/* no records: no min, max, mean or stddev to make up */
		for (i = 2; i < 6; i++)
			strlcpy(f[i], ss->json ? "null" : "", sizeof(f[i]));
	} else {
		snprintf(f[2], sizeof(f[2]), "%jd", (intmax_t)s->min);
		snprintf(f[3], sizeof(f[3]), "%jd", (intmax_t)s->max);
		snprintf(f[4], sizeof(f[4]), ss->json ? "%.17Lg" : "%.3Lf",
		    summary_mean(s));
		snprintf(f[5], sizeof(f[5]), ss->json ? "%.17g" : "%.3f",
		    summary_stddev(s));
	}
	if (ss->json) {
		/* the bad-record count goes next to the count, as pipesup's */
		stage_printf(st, "{\"count\":%s,\"bad\":%ju", f[0],
		    (uintmax_t)st->counts.bad);
		for (i = 1; i < 9; i++)
			stage_printf(st, ",\"%s\":%s", keys[i], f[i]);
		stage_printf(st, ",\"final\":%s}\n", final ? "true" : "false");
		st->counts.out++;
		return;
	}
	for (i = 0; i < 9; i++) {
		if (f[i][0] == '\0')
			continue;
		stage_printf(st, "%-9s %s%s\n", labels[i], f[i],
		    i == 6 ? " s" : i >= 7 ? " records/s" : "");
		st->counts.out++;
	}
}

static void
final(struct stage *st)
{
	report(st, 1);
}

static void
interim(struct stage *st)
{
	struct statsink *ss = st->ctx;

	report(st, 0);
	if (!ss->json)
		stage_printf(st, "\n");
}

static void
periodic(struct stage *st, int64_t now)
{
	struct statsink *ss = st->ctx;

	interim(st);
	/* on the start's grid, so reports do not drift; skip missed ones */
	st->deadline = now + ss->every - (now - ss->start) % ss->every;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "json",	no_argument,		NULL,	'j' },
		{ "every",	required_argument,	NULL,	OPT_EVERY },
		STAGE_LONGOPTS,
		{ NULL,		0,			NULL,	0 }
	};
	static const struct stage_ops ops = {
		.record = add,
		.tick = periodic,
		.finish = final,
		.usr1 = interim,
	};
	struct statsink ss = { 0 };
	struct stage st;
	int ch;

	prog_init(argc, argv);
	stage_init(&st, &ops, &ss);
	while ((ch = getopt_long(argc, argv, "hj", longopts, NULL)) != -1) {
		switch (ch) {
		case 'j':
			ss.json = 1;
			break;
		case OPT_EVERY:
			ss.every = prog_interval("--every", optarg);
			break;
		default:
			stage_option(&st, ch, optarg, help);
		}
	}
	stage_operands(&st, argc - optind, argv + optind);
	ss.start = ss.last = loop_now();
	if (ss.every != 0)
		st.deadline = ss.start + ss.every;
	return stage_run(&st);
}
