/*
 * procwin: a processor that writes one aggregate per tumbling window.
 */
#include <stdint.h>
#include <string.h>

#include "loop.h"
#include "stage.h"

static const char help[] =
"usage: procwin --count N | --time duration [--emit what] [--full-only]\n"
"               [--saturate] [--strict] [--rejects file]\n"
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
enum emit { COUNT, SUM, MIN, MAX, MEAN };

__extension__ typedef __int128 i128;

struct win {
	int64_t		size;		/* records a window; 0: by time */
	int64_t		period;		/* ns a window; 0: by count */
	enum emit	emit;
	int		full_only;
	int		saturate;
	int64_t		start;		/* of the grid of time windows */

	int64_t		n;		/* of the window open now */
	i128		sum;		/* exact: 2^64 records of 2^63 fit */
	int64_t		min, max;
};

/* Returns 0 and sets *v, or -1 when the window has nothing to show. */
static int
aggregate(const struct win *w, int64_t *v)
{
	i128 q;

	*v = 0;
	if (w->n == 0)
		return w->emit == COUNT ? 0 : -1;
	switch (w->emit) {
	case COUNT:
		*v = w->n;
		break;
	case SUM:
		/* only --saturate lets the sum out of range: see add() */
		*v = w->sum > INT64_MAX ? INT64_MAX :
		    w->sum < INT64_MIN ? INT64_MIN : (int64_t)w->sum;
		break;
	case MIN:
		*v = w->min;
		break;
	case MAX:
		*v = w->max;
		break;
	case MEAN:
		/* C truncates toward zero; step down for a floor */
		q = w->sum / w->n;
		if (w->sum % w->n < 0)
			q--;
		*v = (int64_t)q;
		break;
	}
	return 0;
}

static void
close_window(struct stage *st)
{
	struct win *w = st->ctx;
	int64_t v;

	if (aggregate(w, &v) == 0)
		stage_emit(st, v);
	w->n = 0;
	w->sum = 0;
	/* under pipesup, the records of this window are done with */
	stage_answered(st);
}

static int
add(struct stage *st, int64_t v)
{
	struct win *w = st->ctx;
	i128 sum = w->sum + v;

	/* the record that takes a sum out of int64 is the bad one */
	if (w->emit == SUM && !w->saturate &&
	    (sum > INT64_MAX || sum < INT64_MIN))
		return REC_OVERFLOW;
	if (w->n == 0 || v < w->min)
		w->min = v;
	if (w->n == 0 || v > w->max)
		w->max = v;
	w->sum = sum;
	if (++w->n == w->size)
		close_window(st);
	return 0;
}

static void
tick(struct stage *st, int64_t now)
{
	struct win *w = st->ctx;

	close_window(st);
	/*
	 * On the grid laid at start, so windows do not drift.  A window
	 * that ends late (a stalled reader held procwin up) stretches to
	 * the next line of the grid rather than inventing empty windows
	 * for the time it was not reading.
	 */
	st->deadline = now + w->period - (now - w->start) % w->period;
}

static void
finish(struct stage *st)
{
	struct win *w = st->ctx;

	if (w->n > 0 && !w->full_only)
		close_window(st);
}

static enum emit
parse_emit(const char *arg)
{
	static const char *const names[] = { "count", "sum", "min", "max",
	    "mean" };
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(arg, names[i]) == 0)
			return (enum emit)i;
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
	struct win w = { .emit = SUM };
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
	prog_no_operands(argc, argv);
	if ((w.size == 0) == (w.period == 0))
		prog_usage("one of --count and --time is needed");
	if (w.period != 0) {
		w.start = loop_now();
		st.deadline = w.start + w.period;
	}
	return stage_run(&st);
}
