#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# pipesup tells a service manager how the pipeline is doing: systemd's
# sd_notify datagrams (READY=1, STATUS=, STOPPING=1, WATCHDOG=1), read
# here from a socket each test binds itself, and s6's readiness
# descriptor (--notify-fd).

setup() {
	load helpers
	OUT=$BATS_TEST_TMPDIR/out
	ERR=$BATS_TEST_TMPDIR/err
	SOCK=$BATS_TEST_TMPDIR/notify.sock
	GOT=$BATS_TEST_TMPDIR/got
	READY=$BATS_TEST_TMPDIR/ready
}

teardown() {
	kill_leftover_pipeline
	if [[ -n ${LISTENER:-} ]]; then
		kill "$LISTENER" 2>/dev/null || true
	fi
	if [[ -n ${SV:-} ]]; then
		s6-svc -xk "$SV" 2>/dev/null || true
	fi
}

# listen ADDRESS: a service manager's socket at ADDRESS (a path, or @NAME
# in the abstract namespace); each datagram becomes a line of GOT,
# "MS PID PAYLOAD" (see notify_listen.py).
listen() {
	notify_listen.py "$1" >"$GOT" 3>&- &
	LISTENER=$!
	wait_for has_lines "$GOT" 1
}

# said: the payloads that pipesup ($PID) sent, in order, newlines as \n.
said() {
	sed -nE "s/^[0-9]+ $PID //p" "$GOT"
}

# heard ERE: pipesup sent a payload that ERE matches whole.
heard() {
	said | grep -qxE "$1"
}

# heard_n N ERE: at least N payloads that ERE matches whole.
heard_n() {
	(($(said | grep -cxE "$2") >= $1))
}

# ms_of ERE: the times, in ms, of the payloads ERE matches whole.
ms_of() {
	awk -v pid="$PID" -v re="^($1)\$" '$2 == pid {
		t = $1; $1 = $2 = ""; sub(/^  /, "")
		if ($0 ~ re) print t
	}' "$GOT"
}

# sv_up: pipesup with the watchdog variables systemd sets: WATCHDOG_PID
# must be pipesup's own pid, which only an exec from the shell that sets
# it can give.  Its stdout, stderr and pid as bg gives them.
sv_up() {
	env --default-signal=INT WATCHDOG_USEC=200000 NOTIFY_SOCKET="$SOCK" \
		setsid sh -c 'export WATCHDOG_PID=$$; exec pipesup "$@"' sh "$@" \
		>"$OUT" 2>"$ERR" 3>&- &
	PID=$!
}

@test "READY=1 comes from pipesup itself once every stage has been exec'd" {
	local stages=(randsrc --rate 100) i exes
	for ((i = 0; i < 12; i++)); do
		stages+=(:: cat)
	done
	stages+=(:: procprint)
	listen "$SOCK"
	NOTIFY_SOCKET=$SOCK bg "${stages[@]}"
	wait_for heard 'READY=1'
	# pipesup's children when READY=1 arrived: not one still pipesup
	exes=$(said | sed -n 's/^children: //p')
	assert_equal "$(wc -w <<<"$exes")" 14
	assert_equal "$(tr ' ' '\n' <<<"$exes" | sort | uniq -c | tr -s ' ')" \
		" 12 cat
 1 procprint
 1 randsrc"
	assert_equal "$(said | grep -c READY)" 1
	kill -TERM "$PID"
	finish
	assert_equal "$ST" 0
}

@test "no READY=1 when a stage is forked but cannot be exec'd" {
	# one argument longer than exec takes (E2BIG), after the checks passed
	printf 'big: sh -c : %0200000d\nprint: procprint\n' 0 >"$BATS_TEST_TMPDIR/p.pipe"
	listen "$SOCK"
	run -126 --separate-stderr env NOTIFY_SOCKET="$SOCK" \
		pipesup -q --notify-fd 5 -f "$BATS_TEST_TMPDIR/p.pipe" 5>"$READY"
	assert_equal "${stderr_lines[0]}" "big: cannot run sh: Argument list too long"
	refute_regex "$(cat "$GOT")" 'READY'
	assert [ ! -s "$READY" ]
}

@test "STATUS= each second: the state and each stage's rate" {
	listen "$SOCK"
	NOTIFY_SOCKET=$SOCK bg randsrc --rate 1000 :: procfilter --even :: sh -c 'exec cat' :: procprint
	wait_for heard_n 2 'STATUS=.*'
	# the second: a whole second of figures; the sh stage has none
	run -0 sh -c "sed -n 's/^[0-9]* $PID STATUS=//p' '$GOT' | sed -n 2p"
	# live figures (a loaded machine makes them uneven): 1000/s, 500/s
	assert_regex "$output" '^running: randsrc ([0-9]{3}/s|1\.[0-9]k/s) \| procfilter ([0-9]{3}/s|1\.[0-9]k/s) \| sh - \| procprint [0-9]{3}/s$'
	kill -TERM "$PID"
	finish
	assert_equal "$ST" 0
}

@test "STOPPING=1 when a drain begins, with the figures, after READY=1" {
	listen "$SOCK"
	NOTIFY_SOCKET=$SOCK bg randsrc --rate 100 :: procprint
	wait_for heard 'READY=1'
	kill -TERM "$PID"
	finish
	assert_equal "$ST" 0
	run -0 said
	assert_line --index 0 'READY=1'
	assert_regex "${lines[-1]}" '^STOPPING=1\\nSTATUS=draining: randsrc [0-9]+/s \(stopping\) \| procprint [0-9]+/s$'
	assert_equal "$(grep -c STOPPING <<<"$output")" 1
}

@test "a stage that gives up starts the drain: STOPPING=1" {
	listen "$SOCK"
	NOTIFY_SOCKET=$SOCK bg -r on-failure --max-restarts 1 randsrc --rate 100 :: sh -c 'sleep 0.1; exit 3'
	finish
	assert_equal "$ST" 3
	run -0 said
	assert_line --regexp '^STOPPING=1\\nSTATUS=draining: .*'
}

@test "WATCHDOG=1 every half of WATCHDOG_USEC, from pipesup's loop" {
	local t n i gaps
	listen "$SOCK"
	sv_up -q sleep 30
	wait_for heard 'READY=1'
	wait_for heard_n 11 'WATCHDOG=1'
	kill -TERM "$PID"
	finish
	assert_equal "$ST" 0
	# WATCHDOG_USEC=200000: a ping each 100 ms; a late one delays the
	# next, none comes early (the listener's own delays blur single gaps)
	mapfile -t t < <(ms_of 'WATCHDOG=1')
	n=${#t[@]}
	gaps=$(for ((i = 1; i < n; i++)); do
		echo $((t[i] - t[i - 1]))
	done | sort -n)
	echo "gaps: $gaps"
	(((t[n - 1] - t[0]) / (n - 1) >= 90))
	(($(sed -n "$((n / 2))p" <<<"$gaps") <= 140))
}

@test "no WATCHDOG=1 when WATCHDOG_PID names another process" {
	listen "$SOCK"
	WATCHDOG_USEC=200000 WATCHDOG_PID=1 NOTIFY_SOCKET=$SOCK bg -q sleep 30
	wait_for heard 'READY=1'
	# a tick, 1 s after the start, comes after five pings would have
	wait_for heard 'STATUS=.*'
	kill -TERM "$PID"
	finish
	run -0 said
	refute_line 'WATCHDOG=1'
}

@test "an abstract socket: NOTIFY_SOCKET=@NAME" {
	local name="@sluice-notify-$$-$BATS_TEST_NUMBER"
	listen "$name"
	NOTIFY_SOCKET=$name bg -q sleep 30
	wait_for heard 'READY=1'
	kill -TERM "$PID"
	finish
	assert_equal "$ST" 0
	heard 'STOPPING=1\\nSTATUS=draining: sleep - \(stopping\)'
}

@test "stages get neither the manager's variables nor its descriptors" {
	listen "$SOCK"
	run -0 --separate-stderr env NOTIFY_SOCKET="$SOCK" WATCHDOG_USEC=200000 \
		WATCHDOG_PID=1 pipesup -q --notify-fd 5 env 5>"$READY"
	assert_line 'SLUICE_STATS_FD=3'
	refute_line --regexp '^(NOTIFY_SOCKET|WATCHDOG_USEC|WATCHDOG_PID)='
	# not the socket, not --notify-fd, not the pipe that tells the exec
	run -0 --separate-stderr env NOTIFY_SOCKET="$SOCK" \
		pipesup -q --notify-fd 5 true :: fdprobe fds :: cat 5>"$READY"
	assert_output "0
1
2
3"
}

@test "a manager that is not there is said once; the pipeline runs" {
	run -0 --separate-stderr env NOTIFY_SOCKET="$BATS_TEST_TMPDIR/nobody" \
		pipesup -q randsrc --rate 5 --count 8 :: procprint
	assert_equal "${#lines[@]}" 8
	assert_equal "$stderr" "pipesup: NOTIFY_SOCKET: No such file or directory"
	run -0 --separate-stderr env NOTIFY_SOCKET=relative/path \
		pipesup -q randsrc --rate 0 --count 3 :: procprint
	assert_equal "${#lines[@]}" 3
	assert_equal "$stderr" "pipesup: NOTIFY_SOCKET: Invalid argument"
}

@test "--notify-fd 3: a newline once every stage runs, then closed" {
	env --default-signal=INT setsid pipesup --notify-fd 3 randsrc --rate 100 :: procprint \
		>"$OUT" 2>"$ERR" 3>"$READY" &
	PID=$!
	wait_for test -s "$READY"
	run -0 cmp "$READY" <(printf '\n')
	# pipesup keeps nothing of it: s6-supervise sees the end of the pipe
	wait_for test ! -e "/proc/$PID/fd/3"
	for i in $(pgrep -P "$PID"); do
		assert [ "$(readlink "/proc/$i/exe")" != "$ROOT/bin/pipesup" ]
	done
	kill -TERM "$PID"
	finish
	assert_equal "$ST" 0
	run -0 cmp "$READY" <(printf '\n')
}

@test "--notify-fd: a descriptor that is not open, or 0, 1, 2, is a usage error" {
	run -64 --separate-stderr pipesup --notify-fd 9 true 9>&-
	assert_equal "${stderr_lines[0]}" "pipesup: --notify-fd: 9 is not open"
	assert_equal "${stderr_lines[1]}" "Try 'pipesup --help' for more information."
	run -64 --separate-stderr pipesup --notify-fd 1 true
	assert_equal "${stderr_lines[0]}" 'pipesup: --notify-fd: "1" is too small'
	run -64 --separate-stderr pipesup --notify-fd three true
	assert_equal "${stderr_lines[0]}" 'pipesup: --notify-fd: "three" is invalid'
}

@test "lib/notify: the socket's address, the watchdog, the STATUS= line" {
	run -0 unit_notify
	assert_output "0 failures"
}

@test "the systemd unit is Type=notify with a watchdog; its ExecStart tells readiness" {
	local unit=$ROOT/contrib/systemd/sluice-pipeline.service cmd wd
	run -0 grep -x 'Type=notify' "$unit"
	run -0 grep -x 'NotifyAccess=main' "$unit"
	wd=$(sed -nE 's/^WatchdogSec=([0-9]+)s$/\1/p' "$unit")
	((wd >= 2))
	# what systemd runs, as it runs it: the variables, then SIGTERM alone
	cmd=$(sed -n 's/^ExecStart=//p' "$unit")
	cmd=${cmd/\/usr\/local\/bin\/pipesup/$ROOT\/bin\/pipesup}
	cmd=${cmd/\/etc\/sluice\/pipeline.pipe/$ROOT\/scripts\/pipelines\/example.pipe}
	listen "$SOCK"
	read -ra argv <<<"$cmd"
	env NOTIFY_SOCKET="$SOCK" WATCHDOG_USEC=$((wd * 1000000)) setsid \
		sh -c 'export WATCHDOG_PID=$$; exec "$@"' sh "${argv[@]}" \
		>"$OUT" 2>"$ERR" 3>&- &
	PID=$!
	wait_for heard 'READY=1'
	wait_for has_lines "$OUT" 1
	kill -TERM "$PID"
	finish
	assert_equal "$ST" 0
	heard 'STOPPING=1\\nSTATUS=draining: source .*'
}

@test "the s6 service directory: s6-supervise sees pipesup ready, s6-svc -d drains it" {
	SV=$BATS_TEST_TMPDIR/sluice-pipeline
	cp -R "$ROOT/contrib/s6/sluice-pipeline" "$SV"
	run -0 cat "$SV/notification-fd"
	assert_output 3
	run -0 grep -E -- '--notify-fd 3( |$)' "$SV/run"
	# longer than the drain may take, as TimeoutStopSec is for systemd
	(($(cat "$SV/timeout-kill") > 5000))
	sed -i -e "s|/usr/local/bin/pipesup|$ROOT/bin/pipesup|" \
		-e "s|/etc/sluice/pipeline.pipe|$ROOT/scripts/pipelines/example.pipe|" \
		"$SV/run"
	s6-supervise "$SV" >"$OUT" 2>"$ERR" 3>&- &
	run -0 s6-svwait -U -t 10000 "$SV"
	run -0 s6-svstat -o up,ready "$SV"
	assert_output "true true"
	wait_for has_lines "$OUT" 1
	run -0 s6-svc -wD -d -T 10000 "$SV"
	run -0 s6-svstat -o up,exitcode "$SV"
	assert_output "false 0"
	# the run script joins pipesup's stderr to the pipeline's output
	run -0 grep -vxE 'Received data: [0-9]+' "$OUT"
	assert_line --regexp '^source +[0-9]+ +0  SIGTERM \(drain\) .*'
	assert_line --regexp '^print +[0-9]+ +0  exit 0 .*'
	s6-svc -x "$SV"
}
