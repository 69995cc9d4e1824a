/* SPDX-License-Identifier: ISC */
/*
 * unit_report: table tests of lib/report.c, the forms pipesup gives its
 * figures.  Each case renders a report into memory and compares it with
 * the text expected, byte for byte.  Prints one line per failure and
 * "N failures".
 */
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "report.h"

static int failures;

static void
check(const char *what, void (*render)(FILE *, const struct report *),
    const struct report *r, const char *want)
{
	char *got = NULL;
	size_t len = 0;
	FILE *mem;

	if ((mem = open_memstream(&got, &len)) == NULL) {
		perror("open_memstream");
		exit(2);
	}
	render(mem, r);
	fclose(mem);
	if (strcmp(got, want) != 0) {
		printf("%s:\n  got  <%s>\n  want <%s>\n", what, got, want);
		failures++;
	}
	free(got);
}

static void
table(FILE *fp, const struct report *r)
{
	report_table(fp, r, "ended");
}

/* A source, a processor that ran twice, a wrapper without counters. */
static void
pipeline(struct report *r)
{
	memset(r, 0, sizeof(*r));
	r->elapsed = 12.3456;
	r->state = "running";
	r->exit_status = -1;
	r->n = 3;
	r->st[0] = (struct report_stage){ .name = "src", .pid = 10,
	    .state = "running", .up = 1, .counted = 1, .out = 1234,
	    .out_rate = 100.04, .total = 5000, .queued = -1 };
	r->st[1] = (struct report_stage){ .name = "even", .pid = 11,
	    .state = "backing off", .restarts = 2, .counted = 1, .in = 1200,
	    .out = 600, .bad = 3, .in_rate = 99.96, .out_rate = 50,
	    .queued = 4096, .capacity = 65536 };
	r->st[2] = (struct report_stage){ .name = "sh \"x\"\\", .pid = 12,
	    .state = "running", .up = 1, .queued = 0, .capacity = 65536 };
}

int
main(void)
{
	static struct report r, line;
	char dir[] = "/tmp/unit_report.XXXXXX", path[64], text[256];
	const char *want = "{\"elapsed_s\":12.346,\"state\":\"ended\","
	    "\"exit_status\":141,";
	struct stat st;
	FILE *fp;
	size_t n;

	pipeline(&r);
	check("line", report_line, &r, "12.3s: src in 0 out 1234 bad 0 100/s"
	    " | 4096 B | even in 1200 out 600 bad 3 100/s | 0 B | sh \"x\"\\ -\n");
	check("json", report_json, &r,
	    "{\"elapsed_s\":12.346,\"state\":\"running\",\"exit_status\":null,"
	    "\"stages\":["
	    "{\"name\":\"src\",\"pid\":10,\"state\":\"running\",\"ended\":null,"
	    "\"restarts\":0,\"in\":0,\"out\":1234,\"bad\":0,\"in_rate\":0.0,"
	    "\"out_rate\":100.0,\"total\":5000,\"queued_bytes\":null},"
	    "{\"name\":\"even\",\"pid\":11,\"state\":\"backing off\","
	    "\"ended\":null,\"restarts\":2,\"in\":1200,\"out\":600,\"bad\":3,"
	    "\"in_rate\":100.0,\"out_rate\":50.0,\"total\":null,"
	    "\"queued_bytes\":4096},"
	    "{\"name\":\"sh \\\"x\\\"\\\\\",\"pid\":12,\"state\":\"running\","
	    "\"ended\":null,\"restarts\":0,\"in\":null,\"out\":null,"
	    "\"bad\":null,\"in_rate\":null,\"out_rate\":null,\"total\":null,"
	    "\"queued_bytes\":0}],\"final\":false}\n");
	check("metrics", report_metrics, &r,
	    "# HELP sluice_pipeline_uptime_seconds Seconds since pipesup "
	    "started the pipeline.\n"
	    "# TYPE sluice_pipeline_uptime_seconds gauge\n"
	    "sluice_pipeline_uptime_seconds 12.346\n"
	    "# HELP sluice_pipeline_draining 1 once a drain has begun.\n"
	    "# TYPE sluice_pipeline_draining gauge\n"
	    "sluice_pipeline_draining 0\n"
	    "# HELP sluice_stage_records_in_total Good records the stage read.\n"
	    "# TYPE sluice_stage_records_in_total counter\n"
	    "sluice_stage_records_in_total{stage=\"src\"} 0\n"
	    "sluice_stage_records_in_total{stage=\"even\"} 1200\n"
	    "# HELP sluice_stage_records_out_total Records (or lines) the "
	    "stage wrote.\n"
	    "# TYPE sluice_stage_records_out_total counter\n"
	    "sluice_stage_records_out_total{stage=\"src\"} 1234\n"
	    "sluice_stage_records_out_total{stage=\"even\"} 600\n"
	    "# HELP sluice_stage_records_bad_total Bad records the stage "
	    "skipped.\n"
	    "# TYPE sluice_stage_records_bad_total counter\n"
	    "sluice_stage_records_bad_total{stage=\"src\"} 0\n"
	    "sluice_stage_records_bad_total{stage=\"even\"} 3\n"
	    "# HELP sluice_stage_restarts_total Times the stage was started "
	    "again.\n"
	    "# TYPE sluice_stage_restarts_total counter\n"
	    "sluice_stage_restarts_total{stage=\"src\"} 0\n"
	    "sluice_stage_restarts_total{stage=\"even\"} 2\n"
	    "sluice_stage_restarts_total{stage=\"sh \\\"x\\\"\\\\\"} 0\n"
	    "# HELP sluice_stage_up 1 while a process of the stage runs.\n"
	    "# TYPE sluice_stage_up gauge\n"
	    "sluice_stage_up{stage=\"src\"} 1\n"
	    "sluice_stage_up{stage=\"even\"} 0\n"
	    "sluice_stage_up{stage=\"sh \\\"x\\\"\\\\\"} 1\n"
	    "# HELP sluice_stage_queued_bytes Bytes waiting in the pipe the "
	    "stage reads.\n"
	    "# TYPE sluice_stage_queued_bytes gauge\n"
	    "sluice_stage_queued_bytes{stage=\"even\"} 4096\n"
	    "sluice_stage_queued_bytes{stage=\"sh \\\"x\\\"\\\\\"} 0\n"
	    "# HELP sluice_stage_records_planned The records a source was told "
	    "to make (--count).\n"
	    "# TYPE sluice_stage_records_planned gauge\n"
	    "sluice_stage_records_planned{stage=\"src\"} 5000\n");

	/* at the end: how each ended, and the pipeline's status */
	r.state = "ended";
	r.exit_status = 141;
	r.st[0].ended = "exit 0";
	r.st[1].ended = "SIGPIPE (reader gone)";
	r.st[2].ended = "exit 141";
	r.st[2].name = "sh";
	check("table", table, &r,
	    "stage      pid restarts  ended                        in        "
	    "out    bad\n"
	    "src         10        0  exit 0                        0       "
	    "1234      0\n"
	    "even        11        2  SIGPIPE (reader gone)       1200        "
	    "600      3\n"
	    "sh          12        0  exit 141                      -          "
	    "-      -\n");

	/* a graph: its pipes, named by their ends, follow the stages */
	line = r;
	memset(&r, 0, sizeof(r));
	r.elapsed = 1;
	r.state = "running";
	r.exit_status = -1;
	r.n = 2;
	r.st[0] = (struct report_stage){ .name = "a", .pid = 1,
	    .state = "running", .queued = -1 };
	r.st[1] = (struct report_stage){ .name = "a.tee", .pid = 2,
	    .state = "running", .queued = 10 };
	r.nedges = 2;
	r.edges[0] = (struct report_edge){ "a", "a.tee", 10 };
	r.edges[1] = (struct report_edge){ "a.tee", "x\"", -1 };
	check("graph json", report_json, &r,
	    "{\"elapsed_s\":1.000,\"state\":\"running\",\"exit_status\":null,"
	    "\"stages\":["
	    "{\"name\":\"a\",\"pid\":1,\"state\":\"running\",\"ended\":null,"
	    "\"restarts\":0,\"in\":null,\"out\":null,\"bad\":null,"
	    "\"in_rate\":null,\"out_rate\":null,\"total\":null,"
	    "\"queued_bytes\":null},"
	    "{\"name\":\"a.tee\",\"pid\":2,\"state\":\"running\","
	    "\"ended\":null,\"restarts\":0,\"in\":null,\"out\":null,"
	    "\"bad\":null,\"in_rate\":null,\"out_rate\":null,\"total\":null,"
	    "\"queued_bytes\":10}],"
	    "\"edges\":[{\"from\":\"a\",\"to\":\"a.tee\",\"queued_bytes\":10},"
	    "{\"from\":\"a.tee\",\"to\":\"x\\\"\",\"queued_bytes\":null}],"
	    "\"final\":false}\n");
	check("graph table", table, &r,
	    "stage      pid restarts  ended                        in        "
	    "out    bad\n"
	    "a            1        0  running                       -          "
	    "-      -\n"
	    "a.tee        2        0  running                       -          "
	    "-      -\n"
	    "pipe        queued bytes\n"
	    "a -> a.tee            10\n"
	    "a.tee -> x\"            -\n");
	r.nedges = 1;
	r.st[0].restarts = 1;
	check("graph metrics", report_metrics, &r,
	    "# HELP sluice_pipeline_uptime_seconds Seconds since pipesup "
	    "started the pipeline.\n"
	    "# TYPE sluice_pipeline_uptime_seconds gauge\n"
	    "sluice_pipeline_uptime_seconds 1.000\n"
	    "# HELP sluice_pipeline_draining 1 once a drain has begun.\n"
	    "# TYPE sluice_pipeline_draining gauge\n"
	    "sluice_pipeline_draining 0\n"
	    "# HELP sluice_stage_restarts_total Times the stage was started "
	    "again.\n"
	    "# TYPE sluice_stage_restarts_total counter\n"
	    "sluice_stage_restarts_total{stage=\"a\"} 1\n"
	    "sluice_stage_restarts_total{stage=\"a.tee\"} 0\n"
	    "# HELP sluice_stage_up 1 while a process of the stage runs.\n"
	    "# TYPE sluice_stage_up gauge\n"
	    "sluice_stage_up{stage=\"a\"} 0\n"
	    "sluice_stage_up{stage=\"a.tee\"} 0\n"
	    "# HELP sluice_stage_queued_bytes Bytes waiting in the pipe the "
	    "stage reads.\n"
	    "# TYPE sluice_stage_queued_bytes gauge\n"
	    "sluice_stage_queued_bytes{stage=\"a.tee\"} 10\n"
	    "# HELP sluice_pipe_queued_bytes Bytes waiting in the pipe from one "
	    "stage to another.\n"
	    "# TYPE sluice_pipe_queued_bytes gauge\n"
	    "sluice_pipe_queued_bytes{from=\"a\",to=\"a.tee\"} 10\n");
	r = line;

	/* replaced whole, readable by others, nothing left beside it */
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 2;
	}
	snprintf(path, sizeof(path), "%s/status.json", dir);
	if (report_replace(path, report_json, &r) == -1 ||
	    report_replace(path, report_json, &r) == -1) {
		perror(path);
		failures++;
	} else if (stat(path, &st) == -1 || (st.st_mode & 0777) != 0644) {
		printf("replace: mode %o, want 644\n", st.st_mode & 0777);
		failures++;
	} else if ((fp = fopen(path, "r")) != NULL) {
		n = fread(text, 1, sizeof(text) - 1, fp);
		text[n] = '\0';
		fclose(fp);
		if (strncmp(text, want, strlen(want)) != 0) {
			printf("replace: got <%.60s>\n", text);
			failures++;
		}
	}
	unlink(path);
	if (rmdir(dir) == -1) {
		printf("replace: %s holds more than the file\n", dir);
		failures++;
	}
	/* a directory that is not there: an error, nothing made */
	snprintf(path, sizeof(path), "%s/status.json", dir);
	if (report_replace(path, report_json, &r) != -1) {
		printf("replace: no error in a missing directory\n");
		failures++;
	}
	printf("%d failures\n", failures);
	return failures != 0;
}
