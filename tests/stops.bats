#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# Every way a user or a service manager stops a pipeline is a drain that
# loses nothing, and no stop leaves a process behind (sluice(7), CRASH SAFETY).
# The pipelines hold a stage that is not a sluice program (sh and cat).

setup() {
	load helpers
	OUT=$BATS_TEST_TMPDIR/out
	ERR=$BATS_TEST_TMPDIR/err
}

teardown() {
	kill_leftover_pipeline
}

# bg5 ARGS...: as bg, with pipesup's stdout this shell's descriptor 5.
bg5() {
	env --default-signal=INT setsid pipesup "$@" >&5 2>"$ERR" 3>&- &
	PID=$!
}

# gone PID: no such process, or only its zombie, waiting to be reaped.
gone() {
	[[ ! -e /proc/$1/stat ]] || [[ $(cut -d' ' -f3 "/proc/$1/stat") == Z ]]
}

# state_of PID: the one-letter state of PID (R, S, T, ...).
state_of() {
	sed -E 's/.*\) (.).*/\1/' "/proc/$1/stat"
}

stopped() {
	[[ $(state_of "$1") == T ]]
}

not_stopped() {
	[[ $(state_of "$1") != T ]]
}

# The source, a stage that is not ours, and a sink that reports a count.
PIPELINE=(randsrc --rate 20000 --seed 9 :: sh -c 'cat' :: statsink)

flowing() {
	grep -qE 'statsink in [1-9]' "$ERR"
}

# counted_all: the source was drained, and the sink counted every record
# it wrote.
counted_all() {
	local sent
	sent=$(sed -nE 's/^randsrc +[0-9]+ +0 +SIGTERM \(drain\) +0 +([0-9]+) +0$/\1/p' "$ERR")
	[[ -n $sent ]] || {
		cat "$ERR" >&2
		return 1
	}
	((sent > 0))
	assert_equal "$(sed -nE 's/^count +//p' "$OUT")" "$sent"
}

# drained STATUS: pipesup exited 0, every stage ended well, and the sink
# counted every record the source wrote.
drained() {
	assert_equal "$1" 0
	counted_all
	run -0 grep -E '^sh +[0-9]+ +0 +exit 0 ' "$ERR"
	run -0 grep -E '^statsink +[0-9]+ +0 +exit 0 ' "$ERR"
}

@test "SIGTERM to pipesup's whole process group is one drain" {
	bg --stats=50ms --grace 10s "${PIPELINE[@]}"
	wait_for flowing
	kill -TERM -- "-$PID"
	finish
	drained "$ST"
}

@test "SIGINT to the whole process group (a terminal's ^C) is one drain" {
	bg --stats=50ms --grace 10s "${PIPELINE[@]}"
	wait_for flowing
	kill -INT -- "-$PID"
	finish
	drained "$ST"
}

@test "SIGHUP (a closed terminal) to the whole group is a drain" {
	bg --stats=50ms --grace 10s "${PIPELINE[@]}"
	wait_for flowing
	kill -HUP -- "-$PID"
	finish
	drained "$ST"
}

@test "SIGTERM to pipesup, then to its group at once, as timeout does, is one drain" {
	# sh lingers after its input ends, so both arrive while pipesup runs
	bg --stats=50ms --grace 10s randsrc --rate 20000 --seed 9 :: sh -c 'cat; sleep 1' :: statsink
	wait_for flowing
	kill -TERM "$PID"
	# two arrivals, not one: signals sent before the first is delivered
	# would be one to the kernel, and one request whatever the window
	wait_for not_pending "$PID" TERM
	kill -TERM -- "-$PID"
	kill -CONT -- "-$PID"
	finish
	drained "$ST"
}

@test "timeout(1) stops the pipeline with a drain" {
	run -0 --separate-stderr timeout --preserve-status -s TERM 1 \
		pipesup --stats=50ms --grace 10s "${PIPELINE[@]}"
	echo "$output" >"$OUT"
	echo "$stderr" >"$ERR"
	flowing
	drained "$status"
}

@test "SIGUSR1 prints each stage's figures once and stops nothing" {
	bg --stats=50ms --grace 10s "${PIPELINE[@]}"
	wait_for flowing
	kill -USR1 "$PID"
	wait_for grep -qE '^statsink +[0-9]+ +0 +running +[0-9]+ ' "$ERR"
	run -0 grep -E '^stage +pid +restarts +state +in +out +bad$' "$ERR"
	run -0 grep -E '^randsrc +[0-9]+ +0 +running ' "$ERR"
	kill -0 "$PID"
	kill -TERM "$PID"
	finish
	drained "$ST"
}

@test "pipesup SIGKILLed: its stages die with it" {
	local kids
	bg --grace 10s randsrc --rate 100 :: sh -c 'trap "" TERM; cat' :: cat
	wait_for kid cat
	wait_for kid sh
	kids=$(pgrep -P "$PID")
	kill -KILL "$PID"
	finish
	for k in $kids; do
		wait_for gone "$k"
	done
}

@test "a stage's descendants end with it, and a restart leaves none behind" {
	local sh sl
	bg -r on-failure --grace 10s randsrc --rate 100 :: sh -c 'sleep 1000 & cat' :: cat
	wait_for kid sh
	sh=$(kid sh)
	wait_for pgrep -P "$sh" -x sleep
	sl=$(pgrep -P "$sh" -x sleep)
	kill -KILL "$sh"
	wait_for gone "$sl"
	wait_for grep -q 'sh: SIGKILL; restarting' "$ERR"
	wait_for kid sh
	sh=$(kid sh)
	wait_for pgrep -P "$sh" -x sleep
	sl=$(pgrep -P "$sh" -x sleep)
	kill -TERM "$PID"
	finish
	assert_equal "$ST" 0
	gone "$sl"
}

@test "a drain starts at once a stage that waits out its backoff" {
	local c=$BATS_TEST_TMPDIR/runs
	# sh fails six times after 100 records each, then passes the rest
	# on; the drain comes while it waits 3.2 s, longer than the grace
	bg --max-restarts 100 --grace 2s -r on-failure randsrc --rate 1000 --seed 9 :: \
		sh -c 'n=$(cat '"$c"' 2>/dev/null || echo 0); echo $((n + 1)) >'"$c"'
			[ "$n" -ge 6 ] && exec cat
			i=0; while [ $i -lt 100 ] && read -r x; do echo "$x"; i=$((i + 1)); done
			exit 1' :: statsink
	wait_for grep -q 'sh: exit 1; restarting in 3200ms' "$ERR"
	kill -TERM "$PID"
	finish
	assert_equal "$ST" 0
	counted_all
}

@test "^Z stops the whole pipeline, and fg continues it" {
	local kids k
	bg --grace 10s randsrc --rate 1000 :: sh -c 'cat' :: procprint
	wait_for kid procprint
	kids=$(pgrep -P "$PID")
	kill -TSTP -- "-$PID"
	wait_for stopped "$PID"
	for k in $kids; do
		wait_for stopped "$k"
	done
	kill -CONT -- "-$PID"
	for k in $kids; do
		wait_for not_stopped "$k"
	done
	kill -TERM "$PID"
	finish
	assert_equal "$ST" 0
}

@test "pipesup puts its stdout's flags back after a restarted last stage" {
	exec 5> >(cat >/dev/null)
	bg5 -q -r on-failure randsrc --rate 1000 :: procprint
	wait_for nonblocking 5
	kill -KILL "$(kid procprint)"
	wait_for grep -q 'procprint: SIGKILL; restarting' "$ERR"
	kill -TERM "$PID"
	finish
	assert_equal "$ST" 0
	run -0 fdprobe nonblock 5
	exec 5>&-
	assert_output block
}

@test "the systemd unit example verifies, stops pipesup alone, and outwaits the grace" {
	local unit=$BATS_TEST_TMPDIR/sluice-pipeline.service grace timeout
	sed -e "s|/usr/local/bin/pipesup|$ROOT/bin/pipesup|" \
		-e "s|/etc/sluice/pipeline.pipe|$ROOT/scripts/pipelines/example.pipe|" \
		"$ROOT/contrib/systemd/sluice-pipeline.service" >"$unit"
	run -0 systemd-analyze verify --man=no "$unit"
	assert_output ""
	run -0 grep -x 'KillMode=mixed' "$unit"
	grace=$(sed -nE 's/^ExecStart=.* --grace ([0-9]+)s .*/\1/p' "$unit")
	timeout=$(sed -nE 's/^TimeoutStopSec=([0-9]+)s$/\1/p' "$unit")
	((timeout > grace))
	# what KillMode=mixed does on stop: SIGTERM to the main process only
	bg --grace "${grace}s" -f "$ROOT/scripts/pipelines/example.pipe"
	wait_for has_lines "$OUT" 1
	kill -TERM "$PID"
	finish
	assert_equal "$ST" 0
	run -1 grep -vxE 'Received data: [0-9]+' "$OUT"
}

@test "a first stage reads the terminal pipesup has in the foreground" {
	# script(1) gives pipesup a terminal; ^D at the start of a line ends it
	run -0 timeout 10 script -qec 'pipesup -q cat :: procprint' /dev/null \
		< <(printf '5\n7\n\004')
	assert_equal "$(tr -d '\r' <<<"$output" | grep Received)" "Received data: 5
Received data: 7"
}
