/* SPDX-License-Identifier: ISC */
#include "report.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void
report_line(FILE *fp, const struct report *r)
{
	const struct report_stage *s;
	size_t i;

	fprintf(fp, "%.1fs:", r->elapsed);
	for (i = 0; i < r->n; i++) {
		s = &r->st[i];
		if (i > 0) {
			if (s->queued >= 0)
				fprintf(fp, " | %" PRId64 " B |", s->queued);
			else
				fputs(" | - B |", fp);
		}
		if (s->counted)
			fprintf(fp, " %s in %" PRIu64 " out %" PRIu64 " bad %"
			    PRIu64 " %.0f/s", s->name, s->in, s->out, s->bad,
			    i == 0 || s->source ? s->out_rate : s->in_rate);
		else
			fprintf(fp, " %s -", s->name);
	}
	fputc('\n', fp);
}

/* Records a second in three figures or so: "998/s", "1.0k/s", "12.3M/s". */
static void
brief_rate(FILE *fp, double rate)
{
	if (rate < 999.5)
		fprintf(fp, "%.0f/s", rate);
	else if (rate < 999950)
		fprintf(fp, "%.1fk/s", rate / 1e3);
	else if (rate < 999950000)
		fprintf(fp, "%.1fM/s", rate / 1e6);
	else
		fprintf(fp, "%.1fG/s", rate / 1e9);
}

void
report_brief(FILE *fp, const struct report *r)
{
	const struct report_stage *s;
	int running;
	size_t i;

	fprintf(fp, "%s:", r->state);
	for (i = 0; i < r->n; i++) {
		s = &r->st[i];
		fprintf(fp, "%s %s ", i > 0 ? " |" : "", s->name);
		if (s->counted)
			brief_rate(fp, i == 0 || s->source ? s->out_rate :
			    s->in_rate);
		else
			fputc('-', fp);
		running = strcmp(s->state, "running") == 0;
		if (running && s->restarts == 0)
			continue;
		fprintf(fp, " (%s%s", running ? "" : s->state,
		    running ? "" : s->restarts > 0 ? ", " : "");
		if (s->restarts > 0)
			fprintf(fp, "%d restart%s", s->restarts,
			    s->restarts == 1 ? "" : "s");
		fputc(')', fp);
	}
}

static int
name_width(const struct report *r)
{
	size_t i;
	int w = 5;	/* "stage" */

	for (i = 0; i < r->n; i++)
		if ((int)strlen(r->st[i].name) > w)
			w = (int)strlen(r->st[i].name);
	return w;
}

/* A graph's pipes under the stages: "src -> src.tee  0". */
static void
edge_table(FILE *fp, const struct report *r)
{
	const struct report_edge *e;
	char q[24];
	size_t i;
	int w = 4;	/* "pipe" */

	if (r->nedges == 0)
		return;
	for (i = 0; i < r->nedges; i++) {
		e = &r->edges[i];
		if ((int)(strlen(e->from) + strlen(e->to) + 4) > w)
			w = (int)(strlen(e->from) + strlen(e->to) + 4);
	}
	fprintf(fp, "%-*s %12s\n", w, "pipe", "queued bytes");
	for (i = 0; i < r->nedges; i++) {
		e = &r->edges[i];
		if (e->queued >= 0)
			snprintf(q, sizeof(q), "%" PRId64, e->queued);
		else
			strlcpy(q, "-", sizeof(q));
		fprintf(fp, "%s -> %s%*s %12s\n", e->from, e->to,
		    w - (int)(strlen(e->from) + strlen(e->to) + 4), "", q);
	}
}

void
report_table(FILE *fp, const struct report *r, const char *state_head)
{
	const struct report_stage *s;
	char in[24], out[24], bad[24];
	size_t i;
	int w = name_width(r);

	fprintf(fp, "%-*s %8s %8s  %-20s %10s %10s %6s\n", w, "stage", "pid",
	    "restarts", state_head, "in", "out", "bad");
	for (i = 0; i < r->n; i++) {
		s = &r->st[i];
		if (s->counted) {
			snprintf(in, sizeof(in), "%" PRIu64, s->in);
			snprintf(out, sizeof(out), "%" PRIu64, s->out);
			snprintf(bad, sizeof(bad), "%" PRIu64, s->bad);
		} else {
			strlcpy(in, "-", sizeof(in));
			strlcpy(out, "-", sizeof(out));
			strlcpy(bad, "-", sizeof(bad));
		}
		fprintf(fp, "%-*s %8ld %8d  %-20s %10s %10s %6s\n", w, s->name,
		    s->pid, s->restarts, s->ended != NULL ? s->ended : s->state,
		    in, out, bad);
	}
	edge_table(fp, r);
}

/* A JSON string: names come from a file and may hold anything. */
static void
json_string(FILE *fp, const char *s)
{
	const unsigned char *p;

	fputc('"', fp);
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(fp, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			fprintf(fp, "\\u%04x", *p);
		else
			fputc(*p, fp);
	}
	fputc('"', fp);
}

/* A rate: finite, with no more digits than it means. */
static void
json_rate(FILE *fp, double v)
{
	fprintf(fp, "%.1f", isfinite(v) ? v : 0.0);
}

void
report_json(FILE *fp, const struct report *r)
{
	const struct report_stage *s;
	size_t i;

	fprintf(fp, "{\"elapsed_s\":%.3f,\"state\":", r->elapsed);
	json_string(fp, r->state);
	if (r->exit_status >= 0)
		fprintf(fp, ",\"exit_status\":%d", r->exit_status);
	else
		fputs(",\"exit_status\":null", fp);
	fputs(",\"stages\":[", fp);
	for (i = 0; i < r->n; i++) {
		s = &r->st[i];
		fputs(i > 0 ? ",{\"name\":" : "{\"name\":", fp);
		json_string(fp, s->name);
		fprintf(fp, ",\"pid\":%ld,\"state\":", s->pid);
		json_string(fp, s->state);
		fputs(",\"ended\":", fp);
		if (s->ended != NULL)
			json_string(fp, s->ended);
		else
			fputs("null", fp);
		fprintf(fp, ",\"restarts\":%d", s->restarts);
		if (s->counted) {
			fprintf(fp, ",\"in\":%" PRIu64 ",\"out\":%" PRIu64
			    ",\"bad\":%" PRIu64 ",\"in_rate\":", s->in, s->out,
			    s->bad);
			json_rate(fp, s->in_rate);
			fputs(",\"out_rate\":", fp);
			json_rate(fp, s->out_rate);
		} else
			fputs(",\"in\":null,\"out\":null,\"bad\":null,"
			    "\"in_rate\":null,\"out_rate\":null", fp);
		if (s->total > 0)
			fprintf(fp, ",\"total\":%" PRIu64, s->total);
		else
			fputs(",\"total\":null", fp);
		if (s->queued >= 0)
			fprintf(fp, ",\"queued_bytes\":%" PRId64 "}", s->queued);
		else
			fputs(",\"queued_bytes\":null}", fp);
	}
	fputc(']', fp);
	for (i = 0; i < r->nedges; i++) {
		fputs(i > 0 ? ",{\"from\":" : ",\"edges\":[{\"from\":", fp);
		json_string(fp, r->edges[i].from);
		fputs(",\"to\":", fp);
		json_string(fp, r->edges[i].to);
		if (r->edges[i].queued >= 0)
			fprintf(fp, ",\"queued_bytes\":%" PRId64 "}",
			    r->edges[i].queued);
		else
			fputs(",\"queued_bytes\":null}", fp);
	}
	if (r->nedges > 0)
		fputc(']', fp);
	/* the last object, as the sinks' JSON says it */
	fprintf(fp, ",\"final\":%s}\n", r->exit_status >= 0 ? "true" : "false");
}

/* A label value: backslash, double quote and newline escaped. */
static void
prom_label(FILE *fp, const char *s)
{
	for (; *s != '\0'; s++) {
		if (*s == '\\' || *s == '"')
			fprintf(fp, "\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", fp);
		else
			fputc(*s, fp);
	}
}

enum figure { F_IN, F_OUT, F_BAD, F_RESTARTS, F_UP, F_QUEUED, F_TOTAL };

static const struct {
	const char	*name;
	const char	*type;
	const char	*help;
} metrics[] = {
	[F_IN] = { "sluice_stage_records_in_total", "counter",
	    "Good records the stage read." },
	[F_OUT] = { "sluice_stage_records_out_total", "counter",
	    "Records (or lines) the stage wrote." },
	[F_BAD] = { "sluice_stage_records_bad_total", "counter",
	    "Bad records the stage skipped." },
	[F_RESTARTS] = { "sluice_stage_restarts_total", "counter",
	    "Times the stage was started again." },
	[F_UP] = { "sluice_stage_up", "gauge",
	    "1 while a process of the stage runs." },
	[F_QUEUED] = { "sluice_stage_queued_bytes", "gauge",
	    "Bytes waiting in the pipe the stage reads." },
	[F_TOTAL] = { "sluice_stage_records_planned", "gauge",
	    "The records a source was told to make (--count)." },
};

/* Whether stage s has figure f, and its value. */
static int
figure(const struct report_stage *s, enum figure f, double *v)
{
	switch (f) {
	case F_IN:
		*v = (double)s->in;
		return s->counted;
	case F_OUT:
		*v = (double)s->out;
		return s->counted;
	case F_BAD:
		*v = (double)s->bad;
		return s->counted;
	case F_RESTARTS:
		*v = s->restarts;
		return 1;
	case F_UP:
		*v = s->up;
		return 1;
	case F_QUEUED:
		*v = (double)s->queued;
		return s->queued >= 0;
	case F_TOTAL:
		*v = (double)s->total;
		return s->total > 0;
	}
	return 0;
}

void
report_metrics(FILE *fp, const struct report *r)
{
	size_t f, i, k;
	double v;

	fputs("# HELP sluice_pipeline_uptime_seconds Seconds since pipesup "
	    "started the pipeline.\n"
	    "# TYPE sluice_pipeline_uptime_seconds gauge\n", fp);
	fprintf(fp, "sluice_pipeline_uptime_seconds %.3f\n", r->elapsed);
	fputs("# HELP sluice_pipeline_draining 1 once a drain has begun.\n"
	    "# TYPE sluice_pipeline_draining gauge\n", fp);
	fprintf(fp, "sluice_pipeline_draining %d\n",
	    strcmp(r->state, "draining") == 0 ||
	    strcmp(r->state, "stopping") == 0);
	if (r->exit_status >= 0)
		fprintf(fp, "# HELP sluice_pipeline_exit_status What pipesup "
		    "exits with, once every stage ended.\n"
		    "# TYPE sluice_pipeline_exit_status gauge\n"
		    "sluice_pipeline_exit_status %d\n", r->exit_status);
	for (f = 0; f < sizeof(metrics) / sizeof(metrics[0]); f++) {
		for (i = k = 0; i < r->n; i++) {
			if (!figure(&r->st[i], (enum figure)f, &v))
				continue;
			if (k++ == 0)
				fprintf(fp, "# HELP %s %s\n# TYPE %s %s\n",
				    metrics[f].name, metrics[f].help,
				    metrics[f].name, metrics[f].type);
			fprintf(fp, "%s{stage=\"", metrics[f].name);
			prom_label(fp, r->st[i].name);
			fprintf(fp, "\"} %.0f\n", v);
		}
	}
	for (i = k = 0; i < r->nedges; i++) {
		if (r->edges[i].queued < 0)
			continue;
		if (k++ == 0)
			fputs("# HELP sluice_pipe_queued_bytes Bytes waiting in "
			    "the pipe from one stage to another.\n"
			    "# TYPE sluice_pipe_queued_bytes gauge\n", fp);
		fputs("sluice_pipe_queued_bytes{from=\"", fp);
		prom_label(fp, r->edges[i].from);
		fputs("\",to=\"", fp);
		prom_label(fp, r->edges[i].to);
		fprintf(fp, "\"} %" PRId64 "\n", r->edges[i].queued);
	}
}

/* n as at most 5 characters: 999, 1.2k, 12.3k, 123k, 1.2M ... */
static void
human(char *buf, size_t len, double n)
{
	static const char units[] = "kMGTPE";
	size_t u = 0;

	if (!isfinite(n) || n < 0)
		n = 0;
	if (n < 1000) {
		snprintf(buf, len, "%.0f", n);
		return;
	}
	n /= 1000;
	while (n >= 999.5 && u + 1 < sizeof(units) - 1) {
		n /= 1000;
		u++;
	}
	snprintf(buf, len, n < 9.95 ? "%.1f%c" : "%.0f%c", n, units[u]);
}

/* A duration as 59s, 1:02, 1:02:03. */
static void
clock_span(char *buf, size_t len, double secs)
{
	long s = !(secs > 0) ? 0 : secs > 1e8 ? 99999999 : (long)(secs + 0.5);

	if (s < 60)
		snprintf(buf, len, "%lds", s);
	else if (s < 3600)
		snprintf(buf, len, "%ld:%02ld", s / 60, s % 60);
	else
		snprintf(buf, len, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60,
		    s % 60);
}

#define BAR_MAX		20
#define STATE_MIN	11	/* "backing off": a restart moves nothing */
#define STATE_MAX	21	/* "SIGPIPE (reader gone)" */
#define FIGS_W		35	/* the blanks, rst, in/s, out/s, in, out, bad */
#define BYTES_W		6	/* the bytes queued */
#define DONE_W		11	/* " 100%  1:02", longer ETAs stick out */

/* The columns of the live view that depend on what it shows. */
struct layout {
	int	name;		/* widths of the name and state columns */
	int	state;
	int	bar;		/* cells between the queue's brackets; 0: none */
	int	done;		/* a source has a count: "% done" and ETA */
};

/*
 * The bar takes what the other columns leave of cols, up to BAR_MAX;
 * narrower than 4 it says nothing, and goes.
 */
static void
layout(const struct report *r, int cols, struct layout *lo)
{
	const struct report_stage *s;
	size_t i;
	int n;

	lo->name = name_width(r);
	lo->state = STATE_MIN;
	lo->done = 0;
	for (i = 0; i < r->n; i++) {
		s = &r->st[i];
		n = (int)strlen(s->ended != NULL ? s->ended : s->state);
		if (n > lo->state)
			lo->state = n < STATE_MAX ? n : STATE_MAX;
		lo->done |= s->total > 0;
	}
	lo->bar = cols - lo->name - lo->state - FIGS_W - BYTES_W -
	    (lo->done ? DONE_W : 0) - 3;
	if (lo->bar > BAR_MAX)
		lo->bar = BAR_MAX;
	if (lo->bar < 4)
		lo->bar = 0;
}

/* The line in buf, cut at cols and without trailing blanks, to fp. */
static void
put_cut(FILE *fp, const char *buf, int n, int cols)
{
	if (n > cols)
		n = cols;
	if (n < 0)
		n = 0;
	/* no trailing blanks: a cut line leaves nothing to erase */
	while (n > 0 && buf[n - 1] == ' ')
		n--;
	fprintf(fp, "%.*s\n", n, buf);
}

/* Appends to line, which holds *n bytes of its size, as snprintf would. */
static void
append(char *line, size_t size, int *n, const char *fmt, ...)
    __attribute__((__format__(__printf__, 4, 5)));

static void
append(char *line, size_t size, int *n, const char *fmt, ...)
{
	va_list ap;
	int k;

	if (*n < 0 || (size_t)*n >= size - 1)
		return;
	va_start(ap, fmt);
	k = vsnprintf(line + *n, size - (size_t)*n, fmt, ap);
	va_end(ap);
	if (k > 0)
		*n = *n + k < (int)size ? *n + k : (int)size - 1;
}

/*
 * A stage's row: the name, the state (or how it ended), its figures,
 * the queue of its input pipe as a bar with the bytes, and for a source
 * with a count the share written and the time left at the current rate.
 */
static void
live_row(FILE *fp, const struct report_stage *s, const struct layout *lo,
    int cols)
{
	char line[1024], in[8], out[8], inr[8], outr[8], bad[8], q[8], t[32];
	int n = 0, fill, k;

	if (s->counted) {
		human(in, sizeof(in), (double)s->in);
		human(out, sizeof(out), (double)s->out);
		human(inr, sizeof(inr), s->in_rate);
		human(outr, sizeof(outr), s->out_rate);
		human(bad, sizeof(bad), (double)s->bad);
	} else {
		strlcpy(in, "-", sizeof(in));
		strlcpy(out, "-", sizeof(out));
		strlcpy(inr, "-", sizeof(inr));
		strlcpy(outr, "-", sizeof(outr));
		strlcpy(bad, "-", sizeof(bad));
	}
	append(line, sizeof(line), &n, "%-*s %-*.*s %3d %5s %5s %5s %5s %5s",
	    lo->name, s->name, lo->state, lo->state,
	    s->ended != NULL ? s->ended : s->state, s->restarts, inr, outr,
	    in, out, bad);
	if (s->queued >= 0) {
		human(q, sizeof(q), (double)s->queued);
		append(line, sizeof(line), &n, " %5s", q);
	} else
		append(line, sizeof(line), &n, "%*s", BYTES_W, "");
	if (lo->bar > 0 && s->queued >= 0) {
		/* a byte queued shows: a pipe that is not empty */
		fill = s->capacity > 0 ? (int)((s->queued * lo->bar +
		    s->capacity - 1) / s->capacity) : 0;
		if (fill > lo->bar)
			fill = lo->bar;
		append(line, sizeof(line), &n, " [");
		for (k = 0; k < lo->bar; k++)
			append(line, sizeof(line), &n, "%c",
			    k < fill ? '#' : ' ');
		append(line, sizeof(line), &n, "]");
	} else if (lo->bar > 0)
		append(line, sizeof(line), &n, "%*s", lo->bar + 3, "");
	if (lo->done && s->total > 0 && s->counted) {
		if (s->out >= s->total)
			strlcpy(t, "", sizeof(t));
		else if (s->out_rate > 0)
			clock_span(t, sizeof(t),
			    (double)(s->total - s->out) / s->out_rate);
		else
			strlcpy(t, "?", sizeof(t));
		append(line, sizeof(line), &n, " %3d%% %5s",
		    (int)(s->out >= s->total ? 100 : s->out * 100 / s->total),
		    t);
	}
	put_cut(fp, line, n, cols);
}

int
report_live(FILE *fp, const struct report *r, int cols)
{
	struct layout lo;
	char line[1024], el[32];
	size_t i;
	int n = 0;

	layout(r, cols, &lo);
	append(line, sizeof(line), &n, "%-*s %-*s %3s %5s %5s %5s %5s %5s "
	    "%5s", lo.name, "stage", lo.state, "state", "rst", "in/s", "out/s",
	    "in", "out", "bad", "queue");
	if (lo.bar > 0)
		append(line, sizeof(line), &n, "%*s", lo.bar + 3, "");
	if (lo.done)
		append(line, sizeof(line), &n, " %4s %5s", "done", "ETA");
	put_cut(fp, line, n, cols);
	for (i = 0; i < r->n; i++)
		live_row(fp, &r->st[i], &lo, cols);
	clock_span(el, sizeof(el), r->elapsed);
	n = 0;
	append(line, sizeof(line), &n, "pipesup: %s, %s", r->state, el);
	put_cut(fp, line, n, cols);
	return (int)r->n + 2;
}

int
report_replace(const char *path,
    void (*render)(FILE *, const struct report *), const struct report *r)
{
	char tmp[4096];
	FILE *fp;
	int fd, e, ok;

	if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >=
	    (int)sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	if ((fd = mkstemp(tmp)) == -1)
		return -1;
	if ((fp = fdopen(fd, "w")) == NULL) {
		e = errno;
		close(fd);
		unlink(tmp);
		errno = e;
		return -1;
	}
	render(fp, r);
	/* mkstemp's 0600 would keep it from whoever scrapes it */
	ok = fchmod(fd, 0644) == 0 && fflush(fp) == 0 && !ferror(fp);
	e = errno;
	if (fclose(fp) == EOF && ok) {
		ok = 0;
		e = errno;
	}
	if (!ok) {
		unlink(tmp);
		errno = e;
		return -1;
	}
	if (rename(tmp, path) == -1) {
		e = errno;
		unlink(tmp);
		errno = e;
		return -1;
	}
	return 0;
}
