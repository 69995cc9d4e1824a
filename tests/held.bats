# SPDX-License-Identifier: ISC
load helpers

# Crash safety (sluice(7), CRASH SAFETY): with SLUICE_HELD=1 a stage reads a
# pipe that someone else holds open, as pipesup holds it, and consumes
# only whole lines whose output it has written.  Here this shell plays
# pipesup: it holds both ends of the FIFOs (exec {fd}<>) and starts each
# stage with its own copies closed.

setup() {
	cd "$BATS_TEST_TMPDIR" || return 1
	mkfifo in outp
	exec {hold}<>in {ohold}<>outp
	# the stages' output reaches the file through one pipe, where a
	# write of at most PIPE_BUF is atomic: a kill cannot tear it there
	cat outp >out {hold}>&- {ohold}>&- 3>&- &
	catpid=$!
}

teardown() {
	# a failed test may leave its stage or its writer waiting; only
	# those, not every job: bats's own timeout watchdog is one, and a
	# killed watchdog leaves its sleep behind holding bats's output
	kill -KILL ${pid:+"$pid"} ${src:+"$src"} "$catpid" 2>/dev/null || true
	exec {hold}>&- {ohold}>&-
	wait "$catpid" || true
}

# held CMD...: start CMD on the held FIFOs in the background, as pipesup
# would start a stage; its pid is in $pid.
held() {
	SLUICE_HELD=1 "$@" <in >outp {hold}>&- {ohold}>&- 3>&- &
	pid=$!
}

# crash_and_restart N LINES KILLS CMD...: seq 1 N into the held FIFO,
# read by CMD, which writes about LINES lines; SIGKILL it KILLS times
# mid-stream (the k-th time once out has k / (KILLS + 1) of them), each
# time starting a successor on the same FIFO; the last one reads to the
# end.  Leaves the output in out.
crash_and_restart() {
	local n=$1 nout=$2 kills=$3 k
	shift 3
	seq 1 "$n" >in {hold}>&- {ohold}>&- 3>&- &
	src=$!
	for ((k = 1; k <= kills; k++)); do
		held "$@"
		wait_for has_lines out $((k * nout / (kills + 1)))
		kill -KILL "$pid"
		assert_status "$pid" 137
	done
	held "$@"
	wait "$src"
	exec {hold}>&-
	assert_status "$pid" 0
	exec {ohold}>&-
	wait "$catpid"
}

# at_least_once N KILLS: out holds 1..N in order, where each crash may
# have gone back (repeated what was written but not consumed), never
# forward (lost a record), and holds nothing else (no torn or made-up
# line).  Prints "drops D dups R maxbytes B": how many went back, how
# many records came twice, and the most bytes one crash repeated.
at_least_once() {
	awk -v n="$1" -v kills="$2" '
	!/^[1-9][0-9]*$/ || $1 > n { print "not a record: " NR ": " $0; exit 1 }
	{ v = $1 + 0 }
	v == last + 1 { last = v; next }
	v > last { print "lost " last + 1 " to " v - 1; exit 1 }
	{
		drops++
		bytes = 0
		for (i = v; i <= last; i++)
			bytes += length(i "") + 1
		dups += last - v + 1
		if (bytes > maxbytes)
			maxbytes = bytes
		last = v
	}
	END {
		if (last != n) { print "ends at " last; exit 1 }
		if (drops > kills) { print drops " drops for " kills " kills"; exit 1 }
		printf "drops %d dups %d maxbytes %d\n", drops, dups, maxbytes
	}' out
}

@test "held: a processor SIGKILLed mid-stream loses nothing; its successor repeats at most one write" {
	crash_and_restart 2000000 2000000 4 procmap
	run -0 at_least_once 2000000 4
	echo "# $output" >&3
	[[ $output =~ maxbytes\ ([0-9]+) ]]
	assert [ "${BASH_REMATCH[1]}" -le 61440 ]
}

@test "held: procprint, the per-record sink, is at-least-once too" {
	crash_and_restart 1000000 1000000 3 procprint
	sed -i 's/^Received data: //' out
	run -0 at_least_once 1000000 3
	echo "# $output" >&3
	[[ $output =~ maxbytes\ ([0-9]+) ]]
	assert [ "${BASH_REMATCH[1]}" -le 61440 ]
}

@test "held: procwin keeps its open window in the pipe, so a successor recounts it whole" {
	seq 1 2000000 | procwin --count 100 >expected
	crash_and_restart 2000000 20000 4 procwin --count 100
	# each window's sum is distinct: number them as the whole run did
	awk 'NR == FNR { at[$1] = FNR; next }
	    !($1 in at) { print "not a window: " $0; exit 1 }
	    { print at[$1] }' expected out >indices
	mv indices out
	run -0 at_least_once "$(lines expected)" 4
	echo "# $output" >&3
}

@test "held: a part line in the pipe does not make the stage spin" {
	local t0 t1
	held procmap --add 1
	printf '12' >&"$hold"
	wait_for blocked "$pid"
	t0=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
	sleep 0.5	# the span over which it must not use the CPU
	t1=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
	assert [ $((t1 - t0)) -le 2 ]
	printf '3\n4' >&"$hold"
	wait_for has_lines out 1
	printf '\n' >&"$hold"
	exec {hold}>&-
	assert_status "$pid" 0
	exec {ohold}>&-
	wait "$catpid"
	assert_equal "$(cat out)" "$(printf '%s\n' 124 5)"
}

@test "held: a writer blocked in a large write behind a part line does not stall the stage" {
	seq 1 300000 >all
	tail -c +2 all >rest
	held procmap
	# a part line first, so that the pipe is never empty again ...
	head -c 1 all >&"$hold"
	# ... then cat's 128 KiB writes, which wake no reader when they block
	cat rest >in {hold}>&- {ohold}>&- 3>&- &
	src=$!
	wait_for has_lines out 300000
	wait "$src"
	exec {hold}>&-
	assert_status "$pid" 0
	exec {ohold}>&-
	wait "$catpid"
	cmp out all
}

@test "held: the end of input comes when the last writer goes, a last line without newline too" {
	held procmap
	printf '1\n2\n3' >&"$hold"
	wait_for has_lines out 2
	exec {hold}>&-
	assert_status "$pid" 0
	exec {ohold}>&-
	wait "$catpid"
	assert_equal "$(cat out)" "$(printf '%s\n' 1 2 3)"
}

@test "held: SIGTERM leaves the lines not read, and a part line, to the successor" {
	held procmap
	printf '1\n2\n3' >&"$hold"
	wait_for has_lines out 2
	kill -TERM "$pid"
	assert_status "$pid" 143
	printf '4\n5\n' >&"$hold"
	held procmap
	wait_for has_lines out 4
	exec {hold}>&-
	assert_status "$pid" 0
	exec {ohold}>&-
	wait "$catpid"
	assert_equal "$(cat out)" "$(printf '%s\n' 1 2 34 5)"
}

@test "held: a successor sees an overlong line from its start, never its rest as a record" {
	SLUICE_HELD=1 procmap <in >outp 2>err {hold}>&- {ohold}>&- 3>&- &
	pid=$!
	head -c 4500 /dev/zero | tr '\0' a >&"$hold"
	wait_for grep -q 'bad record' err
	kill -KILL "$pid"
	assert_status "$pid" 137
	printf '123\n5\n' >&"$hold"
	SLUICE_HELD=1 procmap <in >outp 2>err {hold}>&- {ohold}>&- 3>&- &
	pid=$!
	wait_for has_lines out 1
	exec {hold}>&-
	assert_status "$pid" 65
	exec {ohold}>&-
	wait "$catpid"
	assert_equal "$(cat out)" 5
	grep -q 'line 1: bad record "aaaa' err
}

@test "held: without SLUICE_HELD=1, or on a file, a stage reads as it comes" {
	seq 1 5 >file
	run -0 env SLUICE_HELD=1 procmap --add 1 <file
	assert_output "$(seq 2 6)"
	run -0 bash -c 'seq 1 3 | SLUICE_HELD=0 procmap'
	assert_output "$(seq 1 3)"
}
