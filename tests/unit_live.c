/* SPDX-License-Identifier: ISC */
/*
 * unit_live: table tests of report_live(), the rows of pipesup's live
 * view.  Each row of the table is a pipeline's figures, a width and the
 * exact text expected.  Prints one line per failure and "N failures".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report.h"

#define KIB	((int64_t)1024)

/* A source with a count, a processor, a sink: figures to vary. */
static void
three(struct report *r)
{
	memset(r, 0, sizeof(*r));
	r->elapsed = 1.5;
	r->state = "running";
	r->exit_status = -1;
	r->n = 3;
	r->st[0] = (struct report_stage){ .name = "randsrc", .pid = 10,
	    .state = "running", .up = 1, .counted = 1, .out = 30,
	    .out_rate = 20, .total = 60, .queued = -1 };
	r->st[1] = (struct report_stage){ .name = "evens", .pid = 11,
	    .state = "running", .up = 1, .counted = 1, .in = 28, .out = 14,
	    .in_rate = 19.6, .out_rate = 9.8, .queued = 16 * KIB,
	    .capacity = 64 * KIB };
	r->st[2] = (struct report_stage){ .name = "procprint", .pid = 12,
	    .state = "running", .up = 1, .counted = 1, .in = 14, .out = 14,
	    .in_rate = 9.8, .out_rate = 9.8, .queued = 0,
	    .capacity = 64 * KIB };
}

/* No count: no done column.  Big numbers, a full pipe, restarts. */
static void
busy(struct report *r)
{
	three(r);
	r->elapsed = 3725;
	r->st[0].total = 0;
	r->st[0].out = 1234567;
	r->st[0].out_rate = 998765;
	r->st[1].in = 1234000;
	r->st[1].out = 999;
	r->st[1].bad = 12345;
	r->st[1].in_rate = 1e6;
	r->st[1].restarts = 3;
	r->st[1].state = "backing off";
	r->st[1].up = 0;
	r->st[1].queued = 64 * KIB;
	r->st[2].counted = 0;
	r->st[2].queued = 1;
}

/* Draining: the source ended by the drain, the sink still at it. */
static void
drained(struct report *r)
{
	three(r);
	r->state = "draining";
	r->st[0].ended = "SIGTERM (drain)";
	r->st[0].state = "ended";
	r->st[0].out_rate = 0;
	r->st[1].ended = "SIGPIPE (reader gone)!";
	r->st[1].state = "ended";
}

/* The source done, and one that has not begun. */
static void
done(struct report *r)
{
	three(r);
	r->n = 2;
	r->st[0].out = 60;
	r->st[1].name = "a-stage-named-at-length";
	r->st[1].total = 10;
	r->st[1].counted = 1;
	r->st[1].out = 0;
	r->st[1].out_rate = 0;
}

static const struct {
	void		 (*make)(struct report *);
	int		 cols;
	const char	*want;
} rows[] = {
	{ three, 120,
"stage     state       rst  in/s out/s    in   out   bad queue                        done   ETA\n"
"randsrc   running       0     0    20     0    30     0                               50%    2s\n"
"evens     running       0    20    10    28    14     0   16k [#####               ]\n"
"procprint running       0    10    10    14    14     0     0 [                    ]\n"
"pipesup: running, 2s\n" },
	/* the bar narrows to what is left, then goes */
	{ three, 80,
"stage     state       rst  in/s out/s    in   out   bad queue         done   ETA\n"
"randsrc   running       0     0    20     0    30     0                50%    2s\n"
"evens     running       0    20    10    28    14     0   16k [##   ]\n"
"procprint running       0    10    10    14    14     0     0 [     ]\n"
"pipesup: running, 2s\n" },
	{ three, 79,
"stage     state       rst  in/s out/s    in   out   bad queue        done   ETA\n"
"randsrc   running       0     0    20     0    30     0               50%    2s\n"
"evens     running       0    20    10    28    14     0   16k [#   ]\n"
"procprint running       0    10    10    14    14     0     0 [    ]\n"
"pipesup: running, 2s\n" },
	{ three, 78,
"stage     state       rst  in/s out/s    in   out   bad queue done   ETA\n"
"randsrc   running       0     0    20     0    30     0        50%    2s\n"
"evens     running       0    20    10    28    14     0   16k\n"
"procprint running       0    10    10    14    14     0     0\n"
"pipesup: running, 2s\n" },
	/* cut, never wrapped */
	{ three, 40,
"stage     state       rst  in/s out/s\n"
"randsrc   running       0     0    20\n"
"evens     running       0    20    10\n"
"procprint running       0    10    10\n"
"pipesup: running, 2s\n" },
	{ three, 12,
"stage     st\n"
"randsrc   ru\n"
"evens     ru\n"
"procprint ru\n"
"pipesup: run\n" },
	{ three, 0, "\n\n\n\n\n" },
	{ busy, 100,
"stage     state       rst  in/s out/s    in   out   bad queue\n"
"randsrc   running       0     0  999k     0  1.2M     0\n"
"evens     backing off   3  1.0M    10  1.2M   999   12k   66k [####################]\n"
"procprint running       0     -     -     -     -     -     1 [#                   ]\n"
"pipesup: running, 1:02:05\n" },
	/* the state column widens for how a stage ended, up to a point */
	{ drained, 120,
"stage     state                 rst  in/s out/s    in   out   bad queue                        done   ETA\n"
"randsrc   SIGTERM (drain)         0     0     0     0    30     0                               50%     ?\n"
"evens     SIGPIPE (reader gone)   0    20    10    28    14     0   16k [#####               ]\n"
"procprint running                 0    10    10    14    14     0     0 [                    ]\n"
"pipesup: draining, 2s\n" },
	{ done, 100,
"stage                   state       rst  in/s out/s    in   out   bad queue               done   ETA\n"
"randsrc                 running       0     0    20     0    60     0                     100%\n"
"a-stage-named-at-length running       0    20     0    28     0     0   16k [###        ]   0%     ?\n"
"pipesup: running, 2s\n" },
};

int
main(void)
{
	static struct report r;
	char *got;
	size_t len, i;
	FILE *mem;
	int fails = 0, lines;

	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		rows[i].make(&r);
		got = NULL;
		if ((mem = open_memstream(&got, &len)) == NULL)
			return 2;
		lines = report_live(mem, &r, rows[i].cols);
		if (fclose(mem) == EOF)
			return 2;
		if (strcmp(got, rows[i].want) != 0) {
			printf("row %zu, %d columns:\ngot:\n%swant:\n%s", i,
			    rows[i].cols, got, rows[i].want);
			fails++;
		}
		if (lines != (int)r.n + 2) {
			printf("row %zu: %d lines, not %zu\n", i, lines,
			    r.n + 2);
			fails++;
		}
		free(got);
	}
	printf("%d failures\n", fails);
	return fails > 0;
}
