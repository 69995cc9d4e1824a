#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# latsink: the latency distribution of timestamped records.

load helpers

setup() {
	TMP=$(mktemp -d)
}

teardown() {
	rm -rf "$TMP"
}

# catches_usr1 PID: PID has its SIGUSR1 handler in place
catches_usr1() {
	local mask
	mask=$(awk '/^SigCgt:/ { print $2 }' "/proc/$1/status")
	((0x$mask & (1 << 9)))
}

JSON_RE='^\{"count":[0-9]+,"bad":0,"p50":[0-9]+,"p90":[0-9]+,"p99":[0-9]+,"p999":[0-9]+,"max":[0-9]+,"final":(true|false)\}$'

@test "percentiles: the top of their bucket, at most 1/32 above the truth" {
	run -0 bash -c 'seq 1 1000 | latsink --durations'
	assert_output 'count 1000  p50  503ns  p90  911ns  p99  991ns  p99.9 1.00us  max 1.00us'
	run -0 bash -c 'seq 1 1000 | latsink -dj'
	assert_output '{"count":1000,"bad":0,"p50":503,"p90":911,"p99":991,"p999":1000,"max":1000,"final":true}'
}

@test "values below 64 ns are exact, and the maximum always is" {
	run -0 bash -c 'printf "5\n7\n63\n" | latsink -dj'
	assert_output '{"count":3,"bad":0,"p50":7,"p90":63,"p99":63,"p999":63,"max":63,"final":true}'
	run -0 bash -c 'printf "1000001\n" | latsink -dj'
	assert_output '{"count":1,"bad":0,"p50":1000001,"p90":1000001,"p99":1000001,"p999":1000001,"max":1000001,"final":true}'
}

@test "units keep three significant digits, from ns to hours" {
	run -0 bash -c 'printf "999\n12345\n5000000\n3000000000\n7200000000000\n" | latsink -d'
	assert_output 'count 5  p50 5.11ms  p90  7200s  p99  7200s  p99.9  7200s  max  7200s'
	run -0 bash -c 'printf "50\n12345\n" | latsink -d'
	assert_output 'count 2  p50   50ns  p90 12.3us  p99 12.3us  p99.9 12.3us  max 12.3us'
}

@test "the whole int64 range fits: no overflow at the top" {
	run -0 bash -c 'printf "0\n9223372036854775807\n" | latsink -dj'
	assert_output '{"count":2,"bad":0,"p50":0,"p90":9223372036854775807,"p99":9223372036854775807,"p999":9223372036854775807,"max":9223372036854775807,"final":true}'
}

@test "no records: count 0, and null in JSON" {
	run -0 latsink </dev/null
	assert_output 'count 0'
	run -0 latsink --json </dev/null
	assert_output '{"count":0,"bad":0,"p50":null,"p90":null,"p99":null,"p999":null,"max":null,"final":true}'
}

@test "ticksrc's records through a pipe" {
	run -0 bash -c 'ticksrc -r 2000 -n 200 | cat | latsink -j'
	assert_output --regexp "$JSON_RE"
	assert_output --partial '{"count":200,'
	run -0 bash -c 'ticksrc -r 0 -n 200 | latsink'
	assert_output --regexp '^count 200  p50 +[0-9.]+[num]?s  p90 +[0-9.]+[num]?s  p99 +[0-9.]+[num]?s  p99.9 +[0-9.]+[num]?s  max +[0-9.]+[num]?s$'
}

@test "a send time in the future or below zero is a bad record, not a crash" {
	run -65 --separate-stderr bash -c 'printf "%s\n" -5 99999999999999999 -9223372036854775808 x | latsink -j'
	assert_output '{"count":0,"bad":4,"p50":null,"p90":null,"p99":null,"p999":null,"max":null,"final":true}'
	[ "$stderr" = 'latsink: line 1: bad record "-5": out of range
latsink: line 2: bad record "99999999999999999": out of range
latsink: line 3: bad record "-9223372036854775808": out of range
latsink: line 4: bad record "x": not an integer
latsink: 4 bad records' ]
}

@test "bad records: the good ones around them still count" {
	run -65 --separate-stderr bash -c 'printf "10\n1e3\n20\n-1\n30" | latsink -dj'
	assert_output '{"count":3,"bad":2,"p50":20,"p90":30,"p99":30,"p999":30,"max":30,"final":true}'
	[ "$stderr" = 'latsink: line 2: bad record "1e3": not an integer
latsink: line 4: bad record "-1": out of range
latsink: 2 bad records' ]
}

@test "--strict stops at the first bad record, without a report" {
	run -65 --separate-stderr bash -c 'printf "10\n20\n-1\n30\n" | latsink -dj --strict'
	assert_output ''
	[ "$stderr" = 'latsink: line 3: bad record "-1": out of range' ]
}

@test "--rejects keeps the bad lines verbatim" {
	run -65 --separate-stderr bash -c "printf '10\n-1\nabc\n' | latsink -d --rejects '$TMP/rej'"
	assert_output 'count 1  p50   10ns  p90   10ns  p99   10ns  p99.9   10ns  max   10ns'
	run -0 cat "$TMP/rej"
	assert_output $'-1\nabc'
}

@test "--every reports the running distribution on a schedule" {
	local t0 ms l count last=0
	t0=$(date +%s%N)
	run -0 bash -c 'ticksrc -r 1000 -n 400 | latsink --every 100ms --json'
	ms=$((($(date +%s%N) - t0) / 1000000))
	# 400 ms of input: a report each 100 ms, at most one for each 100 ms
	# that latsink ran, and the last at the end
	((${#lines[@]} >= 4 && ${#lines[@]} <= ms / 100 + 1)) ||
		fail "${#lines[@]} reports in $ms ms"
	for l in "${lines[@]}"; do
		assert_regex "$l" "$JSON_RE"
		# the running distribution: its count never goes back
		count=${l#'{"count":'}
		count=${count%%,*}
		((count >= last)) || fail "count $count after $last"
		last=$count
	done
	assert_equal "$last" 400
	# the last report is the final one, and only it
	assert_regex "${lines[-1]}" '"final":true}$'
	run -0 grep -c '"final":true' <<<"$output"
	assert_output 1
}

@test "SIGUSR1 reports at once; end of input reports again" {
	mkfifo "$TMP/in"
	latsink -dj <"$TMP/in" >"$TMP/out" 3>&- &
	pid=$!
	exec 4>"$TMP/in"
	printf '10\n20\n30\n' >&4
	wait_for catches_usr1 "$pid"
	# until a report shows the three records
	usr1_sees_three() {
		kill -USR1 "$pid"
		grep -q '"count":3,' "$TMP/out"
	}
	wait_for usr1_sees_three
	exec 4>&-
	assert_status "$pid" 0
	run -0 tail -n 1 "$TMP/out"
	assert_output '{"count":3,"bad":0,"p50":20,"p90":30,"p99":30,"p999":30,"max":30,"final":true}'
	# the reports SIGUSR1 asked for are running ones
	run -0 grep -c '"final":false}$' "$TMP/out"
	assert_equal "$output" $(($(wc -l <"$TMP/out") - 1))
}

@test "SIGTERM: report on what was read, then die by SIGTERM" {
	mkfifo "$TMP/in"
	latsink -d <"$TMP/in" >"$TMP/out" 3>&- &
	pid=$!
	exec 4>"$TMP/in"
	printf '40\n' >&4
	wait_for catches_usr1 "$pid"
	usr1_sees_one() {
		kill -USR1 "$pid"
		grep -q '^count 1 ' "$TMP/out"
	}
	wait_for usr1_sees_one
	kill -TERM "$pid"
	assert_status "$pid" 143
	exec 4>&-
	run -0 tail -n 1 "$TMP/out"
	assert_output 'count 1  p50   40ns  p90   40ns  p99   40ns  p99.9   40ns  max   40ns'
}

@test "--help and --version" {
	run -0 latsink --help
	assert_line --index 0 'usage: latsink [-dj] [-e duration] [--strict] [--rejects file]'
	run -0 latsink --version
	assert_line --index 0 --regexp '^latsink \(sluice\) [0-9]+\.[0-9]+\.[0-9]+$'
}

@test "usage errors exit 64 with one line and a pointer to --help" {
	run -64 --separate-stderr latsink --every 0
	assert_output ''
	[ "$stderr" = 'latsink: --every: "0" is too small
Try '\''latsink --help'\'' for more information.' ]
	run -64 --separate-stderr latsink --every soon
	[ "$stderr" = 'latsink: --every: "soon" is invalid
Try '\''latsink --help'\'' for more information.' ]
	# an operand is a file to read (sluice(7), The programs)
	run -66 --separate-stderr latsink "$BATS_TEST_TMPDIR/file"
	[ "$stderr" = "latsink: $BATS_TEST_TMPDIR/file: No such file or directory" ]
	run -64 --separate-stderr latsink --bogus
	[ "${stderr_lines[1]}" = "Try 'latsink --help' for more information." ]
}
