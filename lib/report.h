/* SPDX-License-Identifier: ISC */
/*
 * report: a pipeline's figures at one moment, and the forms pipesup
 * gives them: a line of text an interval, the table of the summary, a
 * JSON object, the Prometheus text format, the rows of the live view.
 * The caller fills a struct report; nothing here reads a clock, a stage
 * or a descriptor, so each form is tested from a table.
 *
 * JSON, for the whole project: one object a line, no blanks between
 * tokens (as `jq -c` writes it), keys in snake_case, counts as integers,
 * times in seconds as numbers with the suffix _s, null for a figure that
 * is not known.  One key, one meaning: "bad" is the bad records seen,
 * "rate" is records a second recently (since the last report), and the
 * average since the start is "mean_rate".  A sink's reports (statsink,
 * latsink) say "final":true on the last one and false on running ones;
 * pipesup's "state":"ended" says it here.  latsink's latencies, its own
 * keys, are integers of nanoseconds, as its man page says.
 */
#ifndef SLUICE_REPORT_H
#define SLUICE_REPORT_H

#include <stdint.h>
#include <stdio.h>

#include "pipeline.h"

struct report_stage {
	const char	*name;
	long		 pid;		/* now, or of its last run */
	const char	*state;		/* "running", "backing off", ... */
	const char	*ended;		/* how it ended ("exit 0"); NULL */
	int		 up;		/* a process of it is running */
	int		 restarts;
	int		 counted;	/* it publishes counters */
	int		 source;	/* reads no stage: its rate is its out's;
					   the first stage always is one */
	uint64_t	 in, out, bad;	/* since the start, all runs */
	double		 in_rate;	/* records a second, recently */
	double		 out_rate;
	uint64_t	 total;		/* a source's --count; 0: none */
	int64_t		 queued;	/* bytes in its input pipe; -1: none */
	int64_t		 capacity;	/* of that pipe, bytes */
};

/* A pipe of a graph, from one stage to another (sluice(7), THE SUPERVISOR). */
struct report_edge {
	const char	*from;
	const char	*to;
	int64_t		 queued;	/* bytes in it; -1: no longer held */
};

#define REPORT_EDGES_MAX	((size_t)2 * PIPELINE_MAX)

struct report {
	double			 elapsed;	/* seconds since the start */
	const char		*state;		/* "running", "draining", ... */
	int			 exit_status;	/* once "ended"; else -1 */
	size_t			 n;
	struct report_stage	 st[PIPELINE_MAX];
	/* a graph's pipes; none for a line, whose reports stay as they were */
	size_t			 nedges;
	struct report_edge	 edges[REPORT_EDGES_MAX];
};

/* "12.0s: randsrc in 0 out 12 bad 0 1/s | 0 B | procprint ..." */
void	report_line(FILE *, const struct report *);

/*
 * "running: randsrc 1.0k/s | procprint 998/s (backing off, 2 restarts)":
 * the state and each stage's rate, short enough for systemctl status
 * (STATUS= of sd_notify).  No newline.
 */
void	report_brief(FILE *, const struct report *);

/*
 * The summary's table; state_head names the state column.  A graph's
 * pipes follow, "FROM -> TO" and the bytes queued in each.
 */
void	report_table(FILE *, const struct report *, const char *state_head);

/*
 * {"elapsed_s":..,"state":..,"stages":[{..},..]} and a newline; a graph
 * adds "edges":[{"from":..,"to":..,"queued_bytes":..},..].
 */
void	report_json(FILE *, const struct report *);

/*
 * The Prometheus text exposition format, version 0.0.4: each metric with
 * its HELP and TYPE, one sample a stage, labelled stage="NAME"; a
 * graph's pipes labelled from="A",to="B".
 */
void	report_metrics(FILE *, const struct report *);

/*
 * The live view: a header, one row a stage and a last line with the
 * pipeline's state and age, each cut at cols (never wrapped) and ended
 * by '\n'.  A row holds the state, restarts, records in and out a
 * second and in all, bad records, the bytes queued in the stage's input
 * pipe as a bar (when cols leaves room for one), and for a source with
 * a count the share written and the time left.  Returns the number of
 * lines, r->n + 2.
 */
int	report_live(FILE *, const struct report *, int cols);

/*
 * Replaces the file at path with what render writes, atomically: into a
 * temporary file beside it, then rename(2), so a reader sees the old
 * whole or the new whole.  Returns 0, or -1 with errno.
 */
int	report_replace(const char *path,
	    void (*render)(FILE *, const struct report *),
	    const struct report *);

#endif
