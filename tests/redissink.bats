#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# redissink: records into a Redis stream (sluice(7), BEYOND ONE
# MACHINE), against a redis-server of each test's own (helpers.bash: redis_start).

setup() {
	load helpers
	cd "$BATS_TEST_TMPDIR" || return 1
	OUT=$BATS_TEST_TMPDIR/out
	ERR=$BATS_TEST_TMPDIR/err
	# the server's place, known before it starts (redis_start)
	RDIR=$BATS_TEST_TMPDIR/redis
	RSOCK=$RDIR/redis.sock
}

teardown() {
	kill_leftover_pipeline
	kill -KILL ${pid:+"$pid"} ${src:+"$src"} 2>/dev/null || true
	redis_stop
}

# seeded SEED COUNT [ARG...]: the seeded stream randsrc makes
seeded() {
	randsrc --seed "$1" --count "$2" --rate 0 "${@:3}"
}

xlen() {
	rcli XLEN "$1"
}

# xlen_at_least KEY N: the stream has N entries or more
xlen_at_least() {
	(($(xlen "$1") >= $2))
}

# entry_sizes KEY: the number of records in each entry, one a line
entry_sizes() {
	# shellcheck disable=SC2016 # Lua, not the shell's
	rcli --raw EVAL 'local out = {}
		for _, e in ipairs(redis.call("XRANGE", KEYS[1], "-", "+")) do
			local _, n = string.gsub(e[2][2], "\n", "")
			out[#out + 1] = n + 1
		end
		return table.concat(out, "\n")' 1 "$1"
}

# counter_is PAGE NAME N: the counter NAME (in, out, bad) in PAGE is N
counter_is() {
	(($(counter "$1" "$2") == $3))
}

# rchar PID: the bytes PID has read so far; rchar_at_least PID N
rchar() {
	awk '/^rchar:/ { print $2 }' "/proc/$1/io"
}

rchar_at_least() {
	(($(rchar "$1") >= $2))
}

# sink_bg ARG...: redissink ARG... in the background, reading in.fifo,
# with its counters in the page "page"; its pid in $pid
sink_bg() {
	counters page
	(SLUICE_STATS_FD=5 SLUICE_STATS_PID=$BASHPID exec redissink "$@" \
		<in.fifo 2>"$ERR" 5<>page 3>&-) &
	pid=$!
}

# at_least_once WANT KEY: the stream holds WANT's records in order, where
# a run may come again (at-least-once), none lost, none made up; prints
# chaos_check.py's figures, the duplicates among them
at_least_once() {
	stream_records "$2" >got
	chaos_check.py "$1" got
}

@test "redissink: seeded records arrive exactly and in order, one an entry" {
	redis_start
	seeded 3 20000 >want
	counters page
	# shellcheck disable=SC2016 # the inner shell's $BASHPID: redissink's pid
	run -0 --separate-stderr bash -c 'randsrc --seed 3 --count 20000 --rate 0 |
		SLUICE_STATS_FD=5 SLUICE_STATS_PID=$BASHPID exec redissink --stream s \
		--socket "$1" 5<>page' _ "$RSOCK"
	assert_equal "$stderr" ""
	assert_equal "$(xlen s)" 20000
	stream_records s >got
	cmp want got
	# it ended once the server had answered every one, by its own count
	assert_equal "$(counter page in) $(counter page out)" "20000 20000"
}

@test "redissink: over TCP with --server HOST:PORT" {
	RPORT=$(free_port)
	redis_start
	seeded 4 5000 --min -1000000 --max 1000000 >want
	run -0 --separate-stderr redissink --stream t --server "127.0.0.1:$RPORT" want
	assert_equal "$stderr" ""
	assert_equal "$(xlen t)" 5000
	stream_records t >got
	cmp want got
}

@test "redissink: records go out in canonical form" {
	redis_start
	run -0 redissink --stream c --socket "$RSOCK" < <(printf '+5\n 007 \n-0\r\n\n-12')
	assert_equal "$(stream_records c)" "$(printf '%s\n' 5 7 0 -12)"
}

@test "redissink: a closed stdout is no error, for it writes nothing there" {
	redis_start
	printf '1\n2\n' >in
	run -0 --separate-stderr bash -c "redissink --stream z --socket '$RSOCK' <in >&-"
	assert_equal "$stderr" ""
	assert_equal "$(stream_records z)" $'1\n2'
	# --help would write there
	run -74 --separate-stderr bash -c 'redissink --help >&-'
	assert_equal "$stderr" "redissink: stdout: Bad file descriptor"
}

@test "redissink: --batch N puts up to N records an entry, joined by newlines" {
	redis_start
	# a file is read whole at once: every entry full but the last
	seeded 5 10007 >want
	run -0 redissink --stream b --batch 100 --socket "$RSOCK" want
	assert_equal "$(entry_sizes b | sort -n | uniq -c | tr -s ' ')" " 1 7
 100 100"
	stream_records b >got
	cmp want got
	# the entry: field v, the records without a newline after the last
	seq 1 5 >five
	run -0 redissink --stream f --batch 3 --socket "$RSOCK" five
	# shellcheck disable=SC2016 # Lua, not the shell's
	run -0 rcli --raw EVAL 'local out = {}
		for _, e in ipairs(redis.call("XRANGE", KEYS[1], "-", "+")) do
			out[#out + 1] = table.concat(e[2], "=") .. "|"
		end
		return table.concat(out)' 1 f
	assert_output "$(printf 'v=1\n2\n3|v=4\n5|')"
	# from a pipe, as it comes: never more than N an entry, all of them
	randsrc --seed 5 --count 100000 --rate 0 | redissink --stream p --batch 64 --socket "$RSOCK"
	most=$(entry_sizes p | sort -n | tail -n 1)
	((most <= 64)) || fail "an entry of $most records"
	assert [ "$(xlen p)" -ge $((100000 / 64)) ]
	stream_records p >got
	cmp got <(seeded 5 100000)
}

@test "redissink: --depth 1 sends one entry at a time, and waits for the last answer" {
	redis_start
	seq 1 1000 | redissink --stream d --depth 1 --batch 7 --socket "$RSOCK"
	assert_equal "$(stream_records d)" "$(seq 1 1000)"
	assert_equal "$(xlen d)" $(((1000 + 6) / 7))
}

@test "redissink: file operands are one stream, as cat reads them; - is standard input" {
	redis_start
	printf '1\n2' >f1
	printf '3\n4\n' >f2
	printf '7\n8\n' >f3
	run -0 --separate-stderr redissink --stream o --socket "$RSOCK" f1 f2 - f3 < <(seq 5 6)
	assert_equal "$stderr" ""
	assert_equal "$(stream_records o)" "$(cat f1 f2 <(seq 5 6) f3)"
}

@test "redissink: a file that cannot be opened is reported, the others still sent (66)" {
	redis_start
	seq 1 3 >f1
	seq 4 6 >f2
	run -66 --separate-stderr redissink --stream o --socket "$RSOCK" f1 none f2
	assert_equal "$stderr" "redissink: none: No such file or directory"
	assert_equal "$(stream_records o)" "$(seq 1 6)"
}

@test "redissink: --maxlen trims the stream to about N entries, keeping the newest" {
	redis_start
	seeded 6 20000 >want
	run -0 redissink --stream m --maxlen 1000 --socket "$RSOCK" want
	n=$(xlen m)
	((n >= 1000 && n < 2000)) || fail "$n entries"
	stream_records m >got
	cmp got <(tail -n "$n" want)
}

@test "redissink: a bad record is reported and counted, the good ones still sent (65)" {
	redis_start
	counters page
	# shellcheck disable=SC2016 # the inner shell's $$: redissink's pid
	run -65 --separate-stderr bash -c 'SLUICE_STATS_FD=5 SLUICE_STATS_PID=$$ \
		exec redissink --stream x --socket "$1" 5<>page' _ "$RSOCK" < <(printf '1\nx\n3\n')
	assert_equal "$stderr" 'redissink: line 2: bad record "x": not an integer
redissink: 1 bad record'
	assert_equal "$(stream_records x)" "$(printf '1\n3')"
	assert_equal "$(counter page in) $(counter page out) $(counter page bad)" "2 2 1"
	# in a file operand, the file is named
	printf '4\n5\nfive\n' >f
	run -65 --separate-stderr redissink --stream y --socket "$RSOCK" f
	assert_equal "${stderr%%$'\n'*}" 'redissink: f:3: bad record "five": not an integer'
	assert_equal "$(stream_records y)" "$(printf '4\n5')"
}

@test "redissink: --rejects keeps the bad line; --strict stops at it, the records before it sent (65)" {
	redis_start
	run -65 --separate-stderr redissink --stream r --rejects rej --socket "$RSOCK" \
		< <(printf '1\n1e3\n2\n')
	assert_equal "$(cat rej)" 1e3
	assert_equal "$(stream_records r)" "$(printf '1\n2')"
	run -65 --separate-stderr redissink --stream s --strict --batch 10 --socket "$RSOCK" \
		< <(printf '1\n2\nx\n3\n')
	assert_equal "$stderr" 'redissink: line 3: bad record "x": not an integer'
	assert_equal "$(stream_records s)" "$(printf '1\n2')"
}

@test "redissink: no server: exits 69 once --timeout has passed, naming the server" {
	local t0 ms
	t0=$(date +%s%N)
	# (timeout: a fault that never gives up fails here, not in bats; KILL,
	# for a SIGTERM would wait for the answers that never come)
	run -69 --separate-stderr timeout -s KILL 10 redissink --stream s \
		--socket "$BATS_TEST_TMPDIR/none.sock" --timeout 300ms < <(seq 3)
	ms=$((($(date +%s%N) - t0) / 1000000))
	assert_equal "$stderr" "redissink: cannot reach $BATS_TEST_TMPDIR/none.sock: connect: No such file or directory"
	((ms >= 300 && ms < 3000)) || fail "gave up after $ms ms"
	port=$(free_port)
	run -69 --separate-stderr timeout -s KILL 10 redissink --stream s \
		--server "127.0.0.1:$port" --timeout 200ms < <(seq 3)
	assert_equal "$stderr" "redissink: cannot reach 127.0.0.1:$port: connect: Connection refused"
}

@test "redissink: a server that starts within --timeout is reached and gets everything" {
	seeded 7 1000 >want
	mkfifo in.fifo
	sink_bg --stream s --socket "$RSOCK" --timeout 20s
	exec 4>in.fifo
	cat want >&4
	exec 4>&-
	# it has read everything and waits for the server
	wait_while_running "$pid" counter_is page in 1000
	assert_equal "$(counter page out)" 0
	redis_start
	assert_status_within 10 "$pid" 0
	stream_records s >got
	cmp want got
	assert_equal "$(counter page out)" 1000
}

@test "redissink: a server that hangs for longer than --timeout: exits 69" {
	redis_start
	kill -STOP "$(<"$RDIR/redis.pid")"
	run -69 --separate-stderr timeout -s KILL 10 redissink --stream s --socket "$RSOCK" \
		--timeout 300ms < <(seq 3)
	assert_equal "$stderr" "redissink: cannot reach $RSOCK: no answer: the server is silent"
}

@test "redissink: the server SIGKILLed mid-stream and restarted: every record arrives, exit 0" {
	local aof=(--appendonly yes --appendfsync always)
	redis_start "${aof[@]}"
	seeded 8 100000 --min 10000000 --max 99999999 >want
	mkfifo in.fifo
	randsrc --seed 8 --count 100000 --rate 50000 --min 10000000 --max 99999999 \
		>in.fifo 3>&- &
	src=$!
	sink_bg --stream k --socket "$RSOCK"
	wait_while_running "$pid" xlen_at_least k 10000
	redis_stop KILL
	redis_start "${aof[@]}"
	assert_status_within 20 "$pid" 0
	assert_status "$src" 0
	assert_equal "$(cat "$ERR")" ""
	run -0 at_least_once want k
	echo "# $output" >&3
	assert_output --regexp '^records 100000, lost 0 in 0 gaps, torn or made up 0, repeats [0-9]+, duplicates [0-9]+$'
	assert_equal "$(counter page in) $(counter page out)" "100000 100000"
}

@test "redissink: --password-file sends AUTH; a wrong one exits 69 with the server's words; a missing file 66" {
	# shellcheck disable=SC2034 # rcli's
	RPASS=s3cret
	redis_start --requirepass s3cret
	echo s3cret >pw
	echo wrong >bad
	run -0 redissink --stream p --password-file pw --socket "$RSOCK" < <(seq 5)
	assert_equal "$(stream_records p)" "$(seq 5)"
	run -69 --separate-stderr redissink --stream p --password-file bad --socket "$RSOCK" < <(seq 5)
	assert_equal "$stderr" "redissink: $RSOCK: AUTH: WRONGPASS invalid username-password pair or user is disabled."
	run -69 --separate-stderr redissink --stream p --socket "$RSOCK" < <(seq 5)
	assert_equal "$stderr" "redissink: $RSOCK: XADD p: NOAUTH Authentication required."
	run -66 --separate-stderr redissink --stream p --password-file none --socket "$RSOCK" < <(seq 5)
	assert_equal "$stderr" "redissink: none: No such file or directory"
	assert_equal "$(xlen p)" 5
}

@test "redissink: a stopped server stops its reading: the writer waits, memory stays bounded, --depth entries at most await" {
	local spid in1 in2 out1 r1 r2
	redis_start
	spid=$(<"$RDIR/redis.pid")
	seeded 9 200000 >want
	kill -STOP "$spid"
	mkfifo in.fifo
	randsrc --seed 9 --count 200000 --rate 0 >in.fifo 3>&- &
	src=$!
	sink_bg --stream s --socket "$RSOCK" --depth 64 --batch 10 --timeout 60s
	wait_while_running "$pid" blocked "$src"
	wait_for blocked "$pid"
	in1=$(counter page in) out1=$(counter page out) r1=$(rss_kib "$pid")
	sleep 0.3	# the span over which it must not read on
	in2=$(counter page in) r2=$(rss_kib "$pid")
	assert_equal "$in2" "$in1"
	assert_equal "$out1" 0
	((in1 > 0 && in1 <= 640)) || fail "$in1 records await the server"
	assert [ "$r2" -lt "$RSS_LIMIT_KIB" ]
	assert [ $((r2 - r1)) -lt 1000 ]
	kill -CONT "$spid"
	assert_status_within 20 "$pid" 0
	assert_status "$src" 0
	stream_records s >got
	cmp want got
}

# term_delivers SIG STATUS [ARG...]: SIG stops redissink (with ARGs)
# reading a seeded stream; every record it read, by its own count, is in
# the stream, in order, and answered
term_delivers() {
	local sig=$1 status=$2
	shift 2
	redis_start
	mkfifo in.fifo
	randsrc --seed 10 --rate 0 >in.fifo 3>&- &
	src=$!
	counters page
	if [[ $sig == INT ]]; then
		(SLUICE_STATS_FD=5 SLUICE_STATS_PID=$BASHPID sigint_default \
			redissink --stream s --socket "$RSOCK" "$@" \
			<in.fifo 2>"$ERR" 5<>page 3>&-) &
		pid=$!
	else
		sink_bg --stream s --socket "$RSOCK" "$@"
	fi
	wait_while_running "$pid" xlen_at_least s 1000
	kill "-$sig" "$pid"
	assert_status_within 10 "$pid" "$status"
	assert_status "$src" 141
	n=$(counter page in)
	assert_equal "$(counter page out)" "$n"
	stream_records s >got
	assert_equal "$(lines got)" "$n"
	cmp got <(seeded 10 "$n")
	assert_equal "$(cat "$ERR")" ""
}

@test "redissink: SIGTERM: every record read is in the stream, then it dies by SIGTERM (143)" {
	term_delivers TERM 143 --batch 3
}

@test "redissink: SIGINT the same (130), one entry in flight at a time" {
	# the one in flight when the signal comes is waited for too
	term_delivers INT 130 --batch 5 --depth 1
}

@test "redissink: under pipesup, SIGKILLed mid-stream: every record arrives at least once, none made up" {
	redis_start
	seeded 11 100000 --min 10000000 --max 99999999 >want
	bg -r on-failure randsrc --seed 11 --count 100000 --rate 50000 \
		--min 10000000 --max 99999999 :: redissink --stream s --socket "$RSOCK"
	wait_for xlen_at_least s 20000
	victim=$(kid redissink)
	kill -KILL "$victim"
	finish
	assert_equal "$ST" 0
	assert_equal "$(head -n 1 "$ERR")" "pipesup: redissink: SIGKILL; restarting in 100ms"
	assert_equal "$(cat "$OUT")" ""
	run -0 at_least_once want s
	echo "# $output" >&3
	assert_output --regexp '^records 100000, lost 0 in 0 gaps, torn or made up 0, repeats [0-9]+, duplicates [0-9]+$'
}

@test "redissink: under pipesup, SIGKILLed while the server hangs, the server then SIGKILLed too: nothing lost" {
	local aof=(--appendonly yes --appendfsync always)
	redis_start "${aof[@]}"
	seeded 12 100000 --min 10000000 --max 99999999 >want
	bg -r on-failure randsrc --seed 12 --count 100000 --rate 50000 \
		--min 10000000 --max 99999999 :: redissink --stream s --socket "$RSOCK"
	wait_for xlen_at_least s 10000
	kill -STOP "$(<"$RDIR/redis.pid")"
	# what it sent unanswered is in the server's socket, and its input
	# waits in the pipe: the source can write no more
	wait_for blocked "$(kid randsrc)"
	victim=$(kid redissink)
	kill -KILL "$victim"
	redis_stop KILL
	redis_start "${aof[@]}"
	finish
	assert_equal "$ST" 0
	run -0 at_least_once want s
	echo "# $output" >&3
	assert_output --regexp '^records 100000, lost 0 in 0 gaps, torn or made up 0, repeats [0-9]+, duplicates [0-9]+$'
}

@test "redissink: under pipesup, more blank lines than it may hold back do not stall it" {
	redis_start
	mkfifo in.fifo
	# this shell holds the pipe, as pipesup does (held.bats)
	exec {hold}<>in.fifo
	SLUICE_HELD=1 redissink --stream s --socket "$RSOCK" <in.fifo {hold}>&- 3>&- &
	pid=$!
	printf '1\n' >&"$hold"
	wait_while_running "$pid" xlen_at_least s 1
	# more than half of what the pipe may keep unanswered (held_keep_max),
	# read before the next record comes
	n=$(rchar "$pid")
	head -c 30000 /dev/zero | tr '\0' '\n' >&"$hold"
	wait_while_running "$pid" rchar_at_least "$pid" $((n + 30000))
	printf '2\n' >&"$hold"
	exec {hold}>&-
	assert_status_within 10 "$pid" 0
	assert_equal "$(stream_records s)" "$(printf '1\n2')"
}

@test "redissink: usage errors say what is wrong in one line (64)" {
	run -64 --separate-stderr redissink
	assert_equal "$stderr" "redissink: --stream KEY is required
Try 'redissink --help' for more information."
	run -64 --separate-stderr redissink --stream s --batch 0
	assert_equal "${stderr%%$'\n'*}" 'redissink: --batch: "0" is too small'
	run -64 --separate-stderr redissink --stream s --depth 70000
	assert_equal "${stderr%%$'\n'*}" 'redissink: --depth: "70000" is too large'
	run -64 --separate-stderr redissink --stream s --server h:1 --socket /s
	assert_equal "${stderr%%$'\n'*}" 'redissink: --server and --socket: choose one'
	run -64 --separate-stderr redissink --stream s --server h:0
	assert_equal "${stderr%%$'\n'*}" "redissink: --server's port: \"0\" is too small"
	run -64 --separate-stderr redissink --stream s --timeout 0
	assert_equal "${stderr%%$'\n'*}" 'redissink: --timeout: "0" is too small'
	run -64 --separate-stderr redissink --stream s --bogus
	assert_equal "${stderr##*$'\n'}" "Try 'redissink --help' for more information."
	assert_equal "${#stderr_lines[@]}" 2
}

@test "redissink: --help and --version go to stdout (0)" {
	run -0 --separate-stderr redissink --help
	assert_equal "$stderr" ""
	assert_line --index 0 'usage: redissink --stream KEY [--server HOST:PORT | --socket PATH]'
	assert_line --regexp '^Example: randsrc .*\| redissink --stream '
	run -0 redissink --version
	assert_line --index 0 'redissink (sluice) 0.2.0'
}
