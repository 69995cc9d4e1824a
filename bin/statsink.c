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
"usage: statsink [--json] [--every duration] [--strict] [--rejects file]\n"
"                [file ...]\n"
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

struct statsink {
	struct summary	s;
	int64_t		start;		/* loop_now() when statsink began */
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

static void
report(struct stage *st)
{
	struct statsink *ss = st->ctx;
	const struct summary *s = &ss->s;
	char f[8][48];
	static const char *const keys[] = { "count", "sum", "min", "max",
	    "mean", "stddev", "elapsed_s", "rate" };
	double secs = (double)(loop_now() - ss->start) / 1e9;
	int i;

	snprintf(f[0], sizeof(f[0]), "%ju", (uintmax_t)s->n);
	summary_i128_format(f[1], s->sum);
	snprintf(f[6], sizeof(f[6]), ss->json ? "%.6f" : "%.3f", secs);
	snprintf(f[7], sizeof(f[7]), ss->json ? "%.3f" : "%.1f",
	    secs > 0 ? (double)s->n / secs : 0.0);
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
	struct statsink *ss = st->ctx;

	report(st);
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
	struct statsink ss = { 0 };
	struct stage st;
	int ch;

	prog_init(argc, argv);
	stage_init(&st, &ops, &ss);
	while ((ch = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (ch) {
		case OPT_JSON:
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
	ss.start = loop_now();
	if (ss.every != 0)
		st.deadline = ss.start + ss.every;
	return stage_run(&st);
}
