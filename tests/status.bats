#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# pipesup's figures for programs: the --status file (JSON), the --metrics
# file (the Prometheus text format), the --json summary; and the
# formats themselves, from lib/report's unit tests.

setup() {
	load helpers
	OUT=$BATS_TEST_TMPDIR/out
	ERR=$BATS_TEST_TMPDIR/err
	S=$BATS_TEST_TMPDIR/status.json
	M=$BATS_TEST_TMPDIR/metrics.prom
}

teardown() {
	kill_leftover_pipeline
}

# field FILE EXPR: EXPR (python, over the object j) of the JSON in FILE.
field() {
	python3 -c 'import json, sys
j = json.load(open(sys.argv[1]))
print(eval(sys.argv[2]))' "$@"
}

# status_running FILE: FILE says every stage runs and some records went through.
status_running() {
	[[ -s $1 ]] && [[ $(field "$1" '(j["state"] == "running" and
	    len(j["stages"]) > 1 and
	    all(s["state"] == "running" for s in j["stages"]) and
	    j["stages"][-1]["in"] > 0)' 2>/dev/null) == True ]]
}

# metric FILE NAME STAGE: the value of NAME{stage="STAGE"} in FILE.
metric() {
	sed -nE "s/^$2\\{stage=\"$3\"\\} ([0-9.]+)$/\\1/p" "$1"
}

@test "lib/report: every form of the figures, byte for byte" {
	run -0 unit_report
	assert_output "0 failures"
}

@test "--status: JSON while it runs, and at the end the figures of every record sent" {
	bg -q --status "$S" randsrc --rate 500 --seed 3 :: procfilter --even :: procprint
	wait_for status_running "$S"
	run -0 field "$S" '[(s["name"], s["restarts"], s["ended"]) for s in j["stages"]]'
	assert_output "[('randsrc', 0, None), ('procfilter', 0, None), ('procprint', 0, None)]"
	run -0 field "$S" '(j["exit_status"], j["final"])'
	assert_output "(None, False)"
	kill -TERM "$PID"
	finish
	assert_equal "$ST" 0
	local sent received
	received=$(lines "$OUT")
	sent=$(field "$S" 'j["stages"][0]["out"]')
	run -0 field "$S" '(j["state"], j["exit_status"], j["final"], [s["ended"] for s in j["stages"]])'
	assert_output "('ended', 0, True, ['SIGTERM (drain)', 'exit 0', 'exit 0'])"
	run -0 field "$S" '[(s["in"], s["out"], s["bad"]) for s in j["stages"]]'
	assert_output "[(0, $sent, 0), ($sent, $received, 0), ($received, $received, 0)]"
	assert_equal "$(randsrc --rate 0 --seed 3 -n "$sent" | procfilter --even | procprint)" "$(cat "$OUT")"
}

@test "--metrics: the Prometheus text format, each metric with HELP and TYPE, the same figures" {
	run -0 --separate-stderr pipesup -q --metrics "$M" --status "$S" \
	    randsrc -n 3000 --rate 0 --seed 8 :: procfilter --odd :: sh -c 'cat >/dev/null'
	local odd
	odd=$(randsrc -n 3000 --rate 0 --seed 8 | procfilter --odd | wc -l)
	assert_equal "$(metric "$M" sluice_stage_records_out_total randsrc)" 3000
	assert_equal "$(metric "$M" sluice_stage_records_planned randsrc)" 3000
	assert_equal "$(metric "$M" sluice_stage_records_in_total procfilter)" 3000
	assert_equal "$(metric "$M" sluice_stage_records_out_total procfilter)" "$odd"
	assert_equal "$(metric "$M" sluice_stage_restarts_total sh)" 0
	assert_equal "$(metric "$M" sluice_stage_up sh)" 0
	# a stage without counters has none
	assert_equal "$(metric "$M" sluice_stage_records_in_total sh)" ""
	assert_equal "$(sed -n 's/^sluice_pipeline_exit_status //p' "$M")" 0
	# the exposition format: every sample's metric has its HELP and TYPE
	# before it, once, and every line is a comment or a sample
	run -0 python3 -c 'import re, sys
seen = {}
for line in open(sys.argv[1]):
    m = re.match(r"# (HELP|TYPE) (sluice_[a-z_]+) (.+)$", line)
    if m:
        assert (m[2], m[1]) not in seen, line
        seen[(m[2], m[1])] = m[3]
        continue
    m = re.match(r"(sluice_[a-z_]+)(\{stage=\"[^\"]*\"\})? [0-9]+(\.[0-9]+)?$", line)
    assert m, line
    assert (m[1], "HELP") in seen and (m[1], "TYPE") in seen, line
    assert seen[(m[1], "TYPE")] in ("counter", "gauge"), line
    assert not m[1].endswith("_total") or seen[(m[1], "TYPE")] == "counter", line
print(len(seen) // 2)' "$M"
	# queued_bytes is gone with the pipes
	assert_output 9
	run -0 field "$S" 'j["stages"][1]["out"]'
	assert_output "$odd"
}

@test "--status and --metrics are replaced whole: a reader never sees a part" {
	bg -q --stats=10ms --status "$S" --metrics "$M" randsrc --rate 2000 :: procprint
	wait_for status_running "$S"
	run -0 python3 -c 'import json, sys
for i in range(400):
    j = json.load(open(sys.argv[1]))
    assert j["state"] == "running", j
    m = open(sys.argv[2]).read()
    assert m.endswith("\n") and "sluice_stage_up{stage=\"procprint\"} 1\n" in m, m
print("whole")' "$S" "$M"
	assert_output "whole"
	kill -TERM "$PID"
	finish
	assert_equal "$ST" 0
	# nothing left beside them
	run -0 ls "$BATS_TEST_TMPDIR"
	assert_output "err
metrics.prom
out
status.json"
}

@test "--json: the summary as one JSON object, then the line that names a failure" {
	run -3 --separate-stderr pipesup --json randsrc -n 5 --rate 0 :: sh -c 'cat >/dev/null; exit 3'
	assert_equal "${#stderr_lines[@]}" 2
	assert_equal "${stderr_lines[1]}" "pipesup: sh failed: exit 3"
	echo "${stderr_lines[0]}" >"$S"
	run -0 field "$S" '(j["state"], j["exit_status"], [(s["name"], s["ended"], s["out"]) for s in j["stages"]])'
	assert_output "('ended', 3, [('randsrc', 'exit 0', 5), ('sh', 'exit 3', None)])"
	# -j is --json, as in every program that has it
	run -0 --separate-stderr pipesup -j randsrc -n 2 --rate 0 :: procprint
	assert_equal "${#lines[@]}" 2
	assert_equal "${#stderr_lines[@]}" 1
	assert_regex "$stderr" '^\{"elapsed_s":[0-9.]+,"state":"ended","exit_status":0,"stages":\['
}

@test "a --status file that cannot be made is refused before anything starts" {
	run -73 --separate-stderr pipesup --status "$BATS_TEST_TMPDIR/no/such" sh -c "touch $OUT"
	assert_equal "$stderr" "pipesup: $BATS_TEST_TMPDIR/no/such: No such file or directory"
	[[ ! -e $OUT ]]
	run -73 --separate-stderr pipesup --metrics "$BATS_TEST_TMPDIR/no/such" true
}

@test "a --status file that stops being writable is said once, not each interval" {
	mkdir "$BATS_TEST_TMPDIR/d"
	bg -q --stats=20ms --status "$BATS_TEST_TMPDIR/d/s.json" randsrc --rate 100 :: procprint
	wait_for status_running "$BATS_TEST_TMPDIR/d/s.json"
	# pipesup may make its next file in d while rm empties it: again
	wait_for rm -rf "$BATS_TEST_TMPDIR/d"
	wait_for grep -q 'No such file' "$ERR"
	# ten intervals more
	sleep 0.2
	kill -TERM "$PID"
	finish
	assert_equal "$ST" 0
	# after the --stats lines of all those intervals
	run -0 grep -v '^pipesup: [0-9.]*s: randsrc ' "$ERR"
	assert_output "pipesup: $BATS_TEST_TMPDIR/d/s.json: No such file or directory"
	(($(grep -c '^pipesup: [0-9.]*s: randsrc ' "$ERR") > 10))
}
