#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# ticksrc: records that are their own send time.

load helpers

setup() {
	TMP=$(mktemp -d)
}

teardown() {
	rm -rf "$TMP"
}

# span FILE: the last record minus the first, in nanoseconds
span() {
	echo $(($(tail -n 1 "$1") - $(head -n 1 "$1")))
}

@test "--count records, canonical, never going back in time" {
	ticksrc --rate 0 --count 1000 >"$TMP/out"
	run -0 lines "$TMP/out"
	assert_output 1000
	run -1 grep -Ev '^[1-9][0-9]*$' "$TMP/out"
	run -0 sort -c -n "$TMP/out"
}

@test "the records are send times on latsink's clock" {
	run -0 bash -c 'ticksrc -r 0 -n 500 | latsink --json'
	assert_output --regexp '^\{"count":500,"bad":0,"p50":[0-9]+,"p90":[0-9]+,"p99":[0-9]+,"p999":[0-9]+,"max":[0-9]+,"final":true\}$'
}

@test "--rate spaces the stamps on an absolute schedule" {
	ticksrc -n 5 -r 50 >"$TMP/out"
	run -0 lines "$TMP/out"
	assert_output 5
	# record 4 is due 80 ms after record 0 and stamped when made
	(($(span "$TMP/out") >= 79000000))
	(($(span "$TMP/out") < 1000000000))
}

@test "the default rate is 1000 a second" {
	ticksrc -n 501 >"$TMP/out"
	# record 500 is due 500 ms after record 0: never early, and late by
	# less than 150 ms (a rate of 770 a second would take 650 ms)
	local ns
	ns=$(span "$TMP/out")
	((ns >= 499000000 && ns < 650000000)) || fail "501 records took $ns ns"
}

@test "--count 0 writes nothing" {
	run -0 ticksrc -n 0
	assert_output ''
}

@test "a reader that goes away ends it quietly by SIGPIPE" {
	run -0 bash -c 'ticksrc -r 0 | head -n 1 >/dev/null; echo "${PIPESTATUS[0]}"'
	assert_output 141
}

@test "SIGTERM: every record made is written whole, then death by SIGTERM" {
	# its reader stalled, ticksrc holds records the full pipe cannot take
	mkfifo "$TMP/fifo"
	counters "$TMP/page"
	(SLUICE_STATS_FD=5 SLUICE_STATS_PID=$BASHPID exec ticksrc -r 0 >"$TMP/fifo" 5<>"$TMP/page" 3>&-) &
	pid=$!
	exec 4<"$TMP/fifo"
	wait_for blocked "$pid"
	kill -TERM "$pid"
	cat <&4 >"$TMP/out"
	exec 4<&-
	assert_status "$pid" 143
	# every record it made, by its own count, came out whole and in order
	run -0 lines "$TMP/out"
	assert_output "$(counter "$TMP/page" out)"
	run -0 tail -c 1 "$TMP/out"
	assert_output ''
	run -1 grep -Ev '^[1-9][0-9]*$' "$TMP/out"
	run -0 sort -c -n "$TMP/out"
}

@test "--help and --version" {
	run -0 ticksrc --help
	assert_line --index 0 'usage: ticksrc [-n count] [-r rate]'
	assert_line --partial 'default 1000'
	run -0 ticksrc --version
	assert_line --index 0 --regexp '^ticksrc \(sluice\) [0-9]+\.[0-9]+\.[0-9]+$'
}

@test "usage errors exit 64 with one line and a pointer to --help" {
	run -64 --separate-stderr ticksrc --rate -1
	assert_output ''
	[ "$stderr" = 'ticksrc: --rate: "-1" is invalid
Try '\''ticksrc --help'\'' for more information.' ]
	run -64 --separate-stderr ticksrc --count x
	[ "$stderr" = 'ticksrc: --count: "x" is invalid
Try '\''ticksrc --help'\'' for more information.' ]
	run -64 --separate-stderr ticksrc 5
	[ "$stderr" = 'ticksrc: unexpected argument "5"
Try '\''ticksrc --help'\'' for more information.' ]
	run -64 --separate-stderr ticksrc --bogus
	[ "${stderr_lines[1]}" = "Try 'ticksrc --help' for more information." ]
}
