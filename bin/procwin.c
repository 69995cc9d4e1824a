/* SPDX-License-Identifier: ISC */
/*
 * procwin: a processor that writes one aggregate per tumbling window.
 */
#include <stdint.h>
#include <string.h>

#include "loop.h"
#include "stage.h"
#include "window.h"

static const char help[] =
"usage: procwin --count N | --time duration [--emit what] [--full-only]\n"
"               [--saturate] [--strict] [--rejects file] [file ...]\n"
"Write one aggregate of each window of records.\n"
"\n"
"  -n, --count N       windows of N records\n"
"  -t, --time T        windows of T on the clock (\"100ms\", \"1s\"), closed\n"
"                      on time even when no record comes\n"
"  -e, --emit WHAT     count, sum (default), min, max, or mean (rounded\n"
"                      toward negative infinity)\n"
"      --full-only     at end of input, drop a window not yet full\n"
"      --saturate      write a sum beyond int64 as the nearest limit\n"
"                      instead of rejecting the record that made it\n"
STAGE_HELP
"\n"
"Example: procwin --time 1s --emit mean <values.fifo | procprint\n";

enum { OPT_FULL_ONLY = OPT_PROGRAM, OPT_SATURATE };

static void
close_window(struct stage *st)
{
	struct win *w = st->ctx;
	int64_t v;

	if (win_close(w, &v) == 0)
		stage_emit(st, v);
	/* under pipesup, the records of this window are done with */
	stage_answered(st);
}

static int
add(struct stage *st, int64_t v)
{
	switch (win_add(st->ctx, v)) {
	case WIN_OVERFLOW:
		return REC_OVERFLOW;
	case WIN_FULL:
		close_window(st);
		break;
	case WIN_TAKEN:
		break;
	}
	return 0;
}

static void
tick(struct stage *st, int64_t now)
{
	close_window(st);
	st->deadline = win_next_end(st->ctx, now);
}

static void
finish(struct stage *st)
{
	struct win *w = st->ctx;

	if (w->n > 0 && !w->full_only)
		close_window(st);
}

static enum win_emit
parse_emit(const char *arg)
{
	static const char *const names[] = { "count", "sum", "min", "max",
	    "mean" };
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(arg, names[i]) == 0)
			return (enum win_emit)i;
	prog_usage("--emit: \"%s\" is not count, sum, min, max or mean", arg);
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "count",	required_argument,	NULL,	'n' },
		{ "time",	required_argument,	NULL,	't' },
		{ "emit",	required_argument,	NULL,	'e' },
		{ "full-only",	no_argument,		NULL,	OPT_FULL_ONLY },
		{ "saturate",	no_argument,		NULL,	OPT_SATURATE },
		STAGE_LONGOPTS,
		{ NULL,		0,			NULL,	0 }
	};
	static const struct stage_ops ops = {
		.record = add,
		.tick = tick,
		.finish = finish,
		.maxout = REC_FMT_MAX,
		.keeps = 1,
	};
	struct win w = { .emit = WIN_SUM };
	struct stage st;
	int ch;

	prog_init(argc, argv);
	stage_init(&st, &ops, &w);
	while ((ch = getopt_long(argc, argv, "he:n:t:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'n':
			w.size = prog_int64("--count", optarg, 1, INT64_MAX);
			break;
		case 't':
			w.period = prog_duration("--time", optarg);
			break;
		case 'e':
			w.emit = parse_emit(optarg);
			break;
		case OPT_FULL_ONLY:
			w.full_only = 1;
			break;
		case OPT_SATURATE:
			w.saturate = 1;
			break;
		default:
			stage_option(&st, ch, optarg, help);
		}
	}
	stage_operands(&st, argc - optind, argv + optind);
	if ((w.size == 0) == (w.period == 0))
		prog_usage("one of --count and --time is needed");
	if (w.period != 0) {
		w.start = loop_now();
		st.deadline = w.start + w.period;
	}
	return stage_run(&st);
}
