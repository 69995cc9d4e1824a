/* SPDX-License-Identifier: ISC */
/*
 * latsink: a sink that reads send times (ticksrc's records) and reports
 * how late they arrived: count, p50, p90, p99, p99.9 and max.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "loop.h"
#include "stage.h"

static const char help[] =
"usage: latsink [-dj] [-e duration] [--strict] [--rejects file]\n"
"               [file ...]\n"
"Read records that are send times (CLOCK_MONOTONIC nanoseconds, as ticksrc\n"
"writes them) and report the distribution of their latency at the end.\n"
"\n"
"  -e, --every D       also report every D (\"1s\", \"500ms\"): the running\n"
"                      distribution since the start\n"
"  -j, --json          report as one JSON object a line, in nanoseconds,\n"
"                      with the bad records seen and \"final\":true last\n"
"  -d, --durations     the records are latencies in nanoseconds already\n"
STAGE_HELP
"\n"
"Example: latsink --every 1s, at the end of a pipeline ticksrc starts:\n"
"         ticksrc -r 1000 | cat | latsink --every 1s\n";

/*
 * A log-linear histogram, as HdrHistogram keeps one: values below 2 * SUB
 * each have a bucket; above, every power of two is cut into SUB buckets
 * of equal width, so a bucket is at most 1/SUB (3.1%) of its values wide
 * and all of int64_t fits in a fixed 15 KiB.
 */
#define SUB_BITS	5
#define SUB		(1 << SUB_BITS)
#define NBUCKETS	((64 - SUB_BITS) * SUB)

struct lat {
	uint64_t	counts[NBUCKETS];
	uint64_t	n;
	int64_t		max;
	int64_t		every;
	int64_t		next;
	int		durations;
	int		json;
};

static int
bucket(int64_t v)
{
	int shift;

	if (v < (int64_t)2 * SUB)
		return (int)v;
	shift = 63 - __builtin_clzll((unsigned long long)v) - SUB_BITS;
	return shift * SUB + (int)(v >> shift);
}

/* The highest value that falls in bucket i. */
static int64_t
bucket_high(int i)
{
	int shift;

	if (i < 2 * SUB)
		return i;
	shift = i / SUB - 1;
	return ((int64_t)(i - shift * SUB) << shift) + (((int64_t)1 << shift) - 1);
}

/*
 * The smallest recorded value that at least permille / 1000 of the
 * records do not exceed, rounded up to the top of its bucket (never
 * reported below the truth) but never above the exact maximum.
 */
static int64_t
percentile(const struct lat *l, uint64_t permille)
{
	uint64_t rank, seen = 0;
	int i;

	rank = l->n / 1000 * permille + ((l->n % 1000) * permille + 999) / 1000;
	if (rank == 0)
		rank = 1;
	for (i = 0; i < NBUCKETS; i++) {
		seen += l->counts[i];
		if (seen >= rank)
			break;
	}
	return i < NBUCKETS && bucket_high(i) < l->max ? bucket_high(i) :
	    l->max;
}

/* Three significant digits and a unit, cut rather than rounded up. */
static void
format_ns(char *dst, size_t size, int64_t v)
{
	static const struct {
		const char	*name;
		int64_t		 ns;
	} units[] = { { "us", 1000 }, { "ms", 1000000 }, { "s", 1000000000 } };
	int64_t whole, part;
	size_t u;

	if (v < 1000) {
		snprintf(dst, size, "%" PRId64 "ns", v);
		return;
	}
	for (u = 0; u < 2 && v >= units[u].ns * 1000; u++)
		continue;
	whole = v / units[u].ns;
	part = v % units[u].ns;
	if (whole < 10)
		snprintf(dst, size, "%" PRId64 ".%02" PRId64 "%s", whole,
		    part * 100 / units[u].ns, units[u].name);
	else if (whole < 100)
		snprintf(dst, size, "%" PRId64 ".%" PRId64 "%s", whole,
		    part * 10 / units[u].ns, units[u].name);
	else
		snprintf(dst, size, "%" PRId64 "%s", whole, units[u].name);
}

static void
report(struct stage *st, int final)
{
	static const uint64_t pm[] = { 500, 900, 990, 999 };
	static const char *const name[] = { "p50", "p90", "p99", "p99.9" };
	static const char *const key[] = { "p50", "p90", "p99", "p999" };
	const struct lat *l = st->ctx;
	char line[256], v[32];
	size_t i, len;

	if (l->json) {
		len = (size_t)snprintf(line, sizeof(line), "{\"count\":%" PRIu64
		    ",\"bad\":%" PRIu64, l->n, st->counts.bad);
		for (i = 0; i < 4; i++) {
			if (l->n > 0)
				snprintf(v, sizeof(v), "%" PRId64,
				    percentile(l, pm[i]));
			len += (size_t)snprintf(line + len, sizeof(line) - len,
			    ",\"%s\":%s", key[i], l->n > 0 ? v : "null");
		}
		if (l->n > 0)
			snprintf(v, sizeof(v), "%" PRId64, l->max);
		stage_printf(st, "%s,\"max\":%s,\"final\":%s}\n", line,
		    l->n > 0 ? v : "null", final ? "true" : "false");
	} else if (l->n == 0)
		stage_printf(st, "count 0\n");
	else {
		len = (size_t)snprintf(line, sizeof(line), "count %" PRIu64,
		    l->n);
		for (i = 0; i < 4; i++) {
			format_ns(v, sizeof(v), percentile(l, pm[i]));
			len += (size_t)snprintf(line + len, sizeof(line) - len,
			    "  %s %6s", name[i], v);
		}
		format_ns(v, sizeof(v), l->max);
		stage_printf(st, "%s  max %6s\n", line, v);
	}
	st->counts.out++;
}

/*
 * Both clocks are CLOCK_MONOTONIC of this machine, so a good send time
 * lies in [0, now]: anything else (a stamp from the future, another
 * machine's clock, not a ticksrc stream) is a bad record, not a latency.
 */
static int
record(struct stage *st, int64_t v)
{
	struct lat *l = st->ctx;
	int64_t now;

	if (!l->durations) {
		now = loop_now();
		if (v < 0 || v > now)
			return REC_RANGE;
		v = now - v;
	} else if (v < 0)
		return REC_RANGE;
	l->counts[bucket(v)]++;
	l->n++;
	if (v > l->max)
		l->max = v;
	return 0;
}

static void
interim(struct stage *st)
{
	report(st, 0);
}

static void
final(struct stage *st)
{
	report(st, 1);
}

/* A fixed schedule: a slow reader makes reports late, never drift. */
static void
tick(struct stage *st, int64_t now)
{
	struct lat *l = st->ctx;

	interim(st);
	while (l->next <= now)
		l->next += l->every;
	st->deadline = l->next;
}

int
main(int argc, char *argv[])
{
	static const struct option longopts[] = {
		{ "durations",	no_argument,		NULL,	'd' },
		{ "every",	required_argument,	NULL,	'e' },
		{ "json",	no_argument,		NULL,	'j' },
		STAGE_LONGOPTS,
		{ NULL,		0,			NULL,	0 }
	};
	static const struct stage_ops ops = {
		.record = record,
		.tick = tick,
		.finish = final,
		.usr1 = interim,
		.maxout = 0,
	};
	static struct lat l;
	struct stage st;
	int ch;

	prog_init(argc, argv);
	stage_init(&st, &ops, &l);
	while ((ch = getopt_long(argc, argv, "de:hj", longopts, NULL)) != -1) {
		switch (ch) {
		case 'd':
			l.durations = 1;
			break;
		case 'e':
			l.every = prog_interval("--every", optarg);
			break;
		case 'j':
			l.json = 1;
			break;
		default:
			stage_option(&st, ch, optarg, help);
		}
	}
	stage_operands(&st, argc - optind, argv + optind);
	if (l.every > 0)
		st.deadline = l.next = loop_now() + l.every;
	return stage_run(&st);
}
