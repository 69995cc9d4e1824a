# SPDX-License-Identifier: ISC
# Shared by every tests/*.bats: load with `load helpers`.
# shellcheck shell=bash

bats_require_minimum_version 1.5.0
bats_load_library bats-support
bats_load_library bats-assert

ROOT=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
PATH="$ROOT/bin:$ROOT/tests:$PATH"
# scripts/valgrind: its wrappers, each program under memcheck, come first
if [[ -n ${VALGRIND_BIN:-} ]]; then
	PATH="$VALGRIND_BIN:$PATH"
fi
export ROOT PATH

# The most memory a stage may hold, in KiB.  The sanitizers' shadow memory
# makes every process bigger, so CI's sanitized run raises it.
RSS_LIMIT_KIB=${RSS_LIMIT_KIB:-4096}

# wait_for CMD...: run CMD every 20 ms until it succeeds; fail after
# WAIT_TIMEOUT seconds (default 10).  Use it instead of a bare sleep.
wait_for() {
	local deadline=$((SECONDS + ${WAIT_TIMEOUT:-10}))
	until "$@"; do
		if ((SECONDS >= deadline)); then
			echo "wait_for: timed out: $*" >&2
			return 1
		fi
		sleep 0.02
	done
}

# size_is FILE N: FILE is there and holds N bytes (for wait_for: the
# size is looked at anew at each try).
size_is() {
	[[ -f $1 ]] && (($(wc -c <"$1") == $2))
}

# wait_while_running PID CMD...: as wait_for CMD, but fail at once when
# PID ends first: a test that waits for a stage to do something learns
# at once that the stage died instead of waiting out the timeout.
wait_while_running() {
	local pid=$1 deadline=$((SECONDS + ${WAIT_TIMEOUT:-10}))
	shift
	until "$@"; do
		if ! running "$pid"; then
			echo "wait_while_running: $pid ended first: $*" >&2
			return 1
		fi
		if ((SECONDS >= deadline)); then
			echo "wait_while_running: timed out: $*" >&2
			return 1
		fi
		sleep 0.02
	done
}

# running PID: PID has not ended (a zombie, not yet reaped, has).
running() {
	[[ -e /proc/$1/stat && $(sed -E 's/.*\) (.).*/\1/' "/proc/$1/stat") != Z ]]
}

# lines FILE: the number of lines in FILE (0 if it does not exist).
lines() {
	if [[ -f $1 ]]; then
		wc -l <"$1" | tr -d ' '
	else
		echo 0
	fi
}

# has_lines FILE N: FILE has at least N lines.
has_lines() {
	(($(lines "$1") >= $2))
}

# assert_status PID N: PID, a child of this shell, ends with status N as
# the shell reports it (128+S for a death by signal S).
assert_status() {
	local st=0
	wait "$1" || st=$?
	assert_equal "$st" "$2"
}

# assert_status_within SECS PID N: as assert_status, but a PID that has
# not ended after SECS seconds is killed and fails the test, instead of
# hanging it.
assert_status_within() {
	if ! WAIT_TIMEOUT=$1 wait_for not_running "$2"; then
		kill -KILL "$2" 2>/dev/null
		wait "$2" 2>/dev/null
		fail "pid $2 did not end within $1 s"
	fi
	assert_status "$2" "$3"
}

not_running() {
	! running "$1"
}

# counters FILE: a page of zeroed counters in FILE, as pipesup gives each
# stage (lib/stats.h).  A stage started with SLUICE_STATS_FD=N, N<>FILE
# and SLUICE_STATS_PID its own pid stores its counts there; `counter FILE
# out` reads one back (in, out or bad): how many records the stage made
# or wrote, from its own count.
counters() {
	head -c 40 /dev/zero >"$1"
}

counter() {
	local at
	case $2 in
	in) at=8 ;;
	out) at=16 ;;
	bad) at=24 ;;
	esac
	od -An -tu8 -j "$at" -N 8 "$1" | tr -d ' '
}

# rss_kib PID: the resident set size of PID in KiB.
rss_kib() {
	awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"
}

# sigint_default CMD...: exec CMD with SIGINT at its default action, as a
# foreground job in an interactive shell has it (bash ignores SIGINT in
# the background jobs of a script).  It replaces the shell that runs it:
# start it with &, so that $! is the pid of CMD itself.
sigint_default() {
	exec python3 -c 'import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_DFL)
os.execvp(sys.argv[1], sys.argv[1:])' "$@"
}

# blocked PID: PID is asleep in poll or in a write (its reader stalled).
blocked() {
	local state wchan
	state=$(awk '{ print $3 }' "/proc/$1/stat")
	wchan=$(cat "/proc/$1/wchan")
	[[ $state == S && $wchan == *poll* || $wchan == pipe_write ]]
}

# stamped CMD...: run CMD with its stdout read by stamp.py through a FIFO
# in the current directory, and print what stamp.py printed.
stamped() {
	rm -f stamp.fifo
	mkfifo stamp.fifo
	stamp.py stamp.fifo >stamp.out 3>&- &
	local reader=$!
	"$@" >stamp.fifo
	wait "$reader"
	cat stamp.out
}

# not_pending PID SIG: signal SIG (a name: TERM) is not pending for PID,
# in either of its pending sets: it has been delivered.
not_pending() {
	local bit name set
	bit=$((1 << ($(kill -l "$2") - 1)))
	while read -r name set; do
		[[ $name == SigPnd: || $name == ShdPnd: ]] || continue
		(((0x$set & bit) == 0)) || return 1
	done <"/proc/$1/status"
}

# term_restores_flags CMD...: CMD reads a pipe whose description this
# shell shares; once CMD has made it non-blocking, SIGTERM ends CMD (143)
# and the shell finds the pipe blocking again.
term_restores_flags() {
	local pid
	exec 5< <(yes 1 3>&-)
	"$@" <&5 >/dev/null 3>&- &
	pid=$!
	wait_for nonblocking 5
	kill -TERM "$pid"
	assert_status "$pid" 143
	run -0 fdprobe nonblock 5
	exec 5<&-
	assert_output block
}

# nonblocking FD: this shell's FD is non-blocking.
nonblocking() {
	[[ $(fdprobe nonblock "$1") == nonblock ]]
}

# stalled_stays_bounded CMD...: with randsrc feeding CMD as fast as it
# can and nobody reading CMD's output, CMD stops reading (it waits, not
# grows): its RSS is under RSS_LIMIT_KIB and grows by less than 1000 KiB
# over 0.3 s of the stall; once the reader goes, CMD dies by SIGPIPE.
stalled_stays_bounded() {
	local fifo="$BATS_TEST_TMPDIR/stall.out" pid r1 r2
	mkfifo "$fifo"
	randsrc --rate 0 | "$@" >"$fifo" 3>&- &
	pid=$!
	exec 4<"$fifo"
	wait_for blocked "$pid"
	r1=$(rss_kib "$pid")
	sleep 0.3
	r2=$(rss_kib "$pid")
	exec 4<&-
	assert_status "$pid" 141
	assert [ "$r2" -lt "$RSS_LIMIT_KIB" ]
	assert [ $((r2 - r1)) -lt 1000 ]
}

# For the pipesup tests, which set OUT and ERR.
# bg ARGS...: pipesup in the background, in a process group of its own
# (its pid), with SIGINT caught as it is at a terminal.
bg() {
	env --default-signal=INT setsid pipesup "$@" >"$OUT" 2>"$ERR" 3>&- &
	PID=$!
}

# finish: wait for pipesup; ST is its status as the shell reports it.
# shellcheck disable=SC2034 # ST is for the test that calls it
finish() {
	ST=0
	wait "$PID" || ST=$?
}

# kid NAME: the pid of pipesup's child NAME.  Under scripts/valgrind a
# stage's process name is memcheck's: its command line names the program.
kid() {
	pgrep -P "$PID" -x "$1" && return
	[[ -n ${VALGRIND_BIN:-} ]] &&
		pgrep -P "$PID" -f "valgrind.* $ROOT/bin/$1( |\$)"
}

# kill_leftover_pipeline: a failed test must not leave a pipeline running.
kill_leftover_pipeline() {
	if [[ -n ${PID:-} ]] && kill -0 "$PID" 2>/dev/null; then
		kill -KILL -- "-$PID" 2>/dev/null || true
	fi
}

# A Redis server of the test's own, for redissink and redissrc.
# redis_start [OPTION...]: starts redis-server on the Unix socket $RSOCK in
# $RDIR (default $BATS_TEST_TMPDIR/redis), and on 127.0.0.1:$RPORT too
# when RPORT is set (free_port gives one); extra OPTIONs go to the server
# ("--appendonly yes", "--requirepass PW").  No data is saved unless they
# ask.  Waits until it answers.  The test's teardown calls redis_stop.
redis_start() {
	RDIR=${RDIR:-$BATS_TEST_TMPDIR/redis}
	RSOCK=$RDIR/redis.sock
	mkdir -p "$RDIR"
	redis-server --port "${RPORT:-0}" --bind 127.0.0.1 \
		--unixsocket "$RSOCK" --unixsocketperm 700 --save '' \
		--appendonly no --dir "$RDIR" --pidfile "$RDIR/redis.pid" \
		--logfile "$RDIR/redis.log" --daemonize yes "$@"
	wait_for test -s "$RDIR/redis.pid"
	WAIT_TIMEOUT=${WAIT_TIMEOUT:-20} wait_for redis_answers
}

# rcli ARG...: redis-cli on the test's server
rcli() {
	redis-cli -s "$RSOCK" ${RPASS:+--no-auth-warning -a "$RPASS"} "$@"
}

redis_answers() {
	[[ $(rcli PING 2>/dev/null) == PONG ]]
}

# redis_stop [SIGNAL]: ends the test's server (SIGTERM, or SIGNAL) and
# waits until it is gone.  Harmless when none runs.  A server a test
# stopped (SIGSTOP) gets SIGCONT too, or SIGTERM would wait for ever.
redis_stop() {
	local pid
	[[ -n ${RDIR:-} && -s $RDIR/redis.pid ]] || return 0
	pid=$(<"$RDIR/redis.pid")
	kill "-${1:-TERM}" "$pid" 2>/dev/null || true
	kill -CONT "$pid" 2>/dev/null || true
	wait_for not_running "$pid"
	rm -f "$RDIR/redis.pid"
}

# free_port: a TCP port on 127.0.0.1 that nothing listens on now
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# stream_records KEY: every record of the stream's entries, in order, one
# a line (the field v of each entry, which may hold several)
stream_records() {
	# shellcheck disable=SC2016 # Lua, not the shell's
	rcli --raw EVAL 'local out = {}
		for _, e in ipairs(redis.call("XRANGE", KEYS[1], "-", "+")) do
			out[#out + 1] = e[2][2]
		end
		return table.concat(out, "\n")' 1 "$1" | sed '/^$/d'
}
