#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# redissrc: a Redis stream's consumer group to standard output (sluice(7),
# BEYOND ONE MACHINE), against a redis-server of each test's own.

load helpers

setup() {
	cd "$BATS_TEST_TMPDIR" || exit 1
	# pipesup's name for a stage must not leak in from outside
	unset SLUICE_STAGE
}

teardown() {
	if [[ -n ${pid:-} ]] && running "$pid"; then
		kill -KILL "$pid" 2>/dev/null || true
	fi
	redis_stop
}

# src ARG...: redissrc on the test's server, stream s, group g
src() {
	redissrc --socket "$RSOCK" --stream s --group g "$@"
}

# fill N [ARG...]: the seeded records 1..N of randsrc into stream s
fill() {
	local n=$1
	shift
	randsrc --seed 1 --count "$n" --rate 0 | redissink --socket "$RSOCK" --stream s "$@"
}

# seeded N: what fill N put in, one record a line
seeded() {
	randsrc --seed 1 --count "$1" --rate 0
}

# pending_n [GROUP]: how many entries of s the group has delivered and not
# had acknowledged
pending_n() {
	rcli XPENDING s "${1:-g}" | head -n 1
}

# consumers: the names of group g's consumers, one a line
consumers() {
	rcli --raw XINFO CONSUMERS s g | awk 'prev == "name" { print } { prev = $0 }'
}

# pending_of NAME: how many entries consumer NAME of group g holds
pending_of() {
	rcli --raw XINFO CONSUMERS s g | awk -v who="$1" '
		prev == "name" { name = $0 }
		prev == "pending" && name == who { print }
		{ prev = $0 }'
}

# give CONSUMER N: group g delivers the next N entries to CONSUMER, which
# does not acknowledge them (a consumer that died with them)
give() {
	rcli XGROUP CREATE s g 0 >/dev/null 2>&1 || true
	rcli XREADGROUP GROUP g "$1" COUNT "$2" STREAMS s '>' >/dev/null
}

# steady PAGE: the records redissrc took in, by its count in PAGE, stay
# the same over 0.2 s, and some came: it has stopped reading
steady() {
	local a b
	a=$(counter "$1" in)
	sleep 0.2
	b=$(counter "$1" in)
	((a > 0 && a == b))
}

has_consumer() {
	[[ -n $(consumers 2>/dev/null) ]]
}

# entry_id N: the ID of the stream's Nth entry (from 1)
entry_id() {
	rcli XRANGE s - + COUNT "$1" | awk -v n="$1" 'NR % 3 == 1 && ++k == n'
}

@test "redissrc: one record an entry comes out exactly, in order, then nothing is pending" {
	redis_start
	fill 2000
	run -0 --separate-stderr src --until-idle 300ms
	assert_equal "$output" "$(seeded 2000)"
	assert_equal "$stderr" ""
	assert_equal "$(pending_n)" 0
	# outside pipesup the consumer is named after the host
	assert_equal "$(consumers)" "$(uname -n)"
	# the group has had them all: a second run gets nothing
	run -0 --separate-stderr src --until-idle 300ms
	assert_output ""
	assert_equal "$stderr" ""
	# a new group starts at the stream's start
	run -0 --separate-stderr redissrc --socket "$RSOCK" --stream s --group g2 --until-idle 300ms
	assert_equal "$output" "$(seeded 2000)"
	assert_equal "$(pending_n g2)" 0
}

@test "redissrc: entries of --batch 100 give every record of each, in order" {
	redis_start
	fill 2000 --batch 100
	assert_equal "$(rcli XLEN s)" 20
	# a field that ends in a newline, as a hand-made entry may
	rcli XADD s '*' v $'7\n-8\n' >/dev/null
	run -0 --separate-stderr src --until-idle 300ms
	assert_equal "$output" "$(seeded 2000; printf '7\n-8')"
	assert_equal "$stderr" ""
	assert_equal "$(pending_n)" 0
}

@test "redissrc: over TCP as over the Unix socket" {
	RPORT=$(free_port)
	redis_start
	randsrc --seed 1 --count 500 --rate 0 |
		redissink --server "127.0.0.1:$RPORT" --stream s
	run -0 --separate-stderr redissrc --server "127.0.0.1:$RPORT" --stream s --group g --until-idle 300ms
	assert_equal "$output" "$(seeded 500)"
	assert_equal "$(pending_n)" 0
}

@test "redissrc: --password-file for a server that wants one; a wrong one is 69" {
	RPASS=hunter2
	redis_start --requirepass "$RPASS"
	echo hunter2 >pw
	echo wrong >bad
	randsrc --seed 1 --count 300 --rate 0 |
		redissink --socket "$RSOCK" --stream s --password-file pw
	run -0 --separate-stderr src --password-file pw --until-idle 300ms
	assert_equal "$output" "$(seeded 300)"
	assert_equal "$(pending_n)" 0
	run -69 --separate-stderr src --password-file bad --until-idle 300ms
	assert_output ""
	assert_regex "$stderr" "^redissrc: $RSOCK: AUTH: .*(WRONGPASS|invalid)"
	run -69 --separate-stderr src --until-idle 300ms
	assert_regex "$stderr" "^redissrc: $RSOCK: XGROUP CREATE: NOAUTH"
}

@test "redissrc: its own pending entries first, then the new ones; it says they came again" {
	redis_start
	fill 20
	give c1 5
	assert_equal "$(pending_of c1)" 5
	run -0 --separate-stderr src --consumer c1 --until-idle 300ms
	assert_equal "$output" "$(seeded 20)"
	assert_equal "$stderr" "redissrc: 5 entries were delivered again (pending after a failure, or taken over from a consumer that stopped): their records may come twice"
	assert_equal "$(pending_n)" 0
}

@test "redissrc: entries a dead consumer left are claimed once idle for --claim-idle" {
	redis_start
	fill 20
	give dead 5
	run -0 --separate-stderr src --consumer live --claim-idle 200ms --until-idle 1s
	# the claimed ones may come before or after the new ones
	assert_equal "$(sort -n <<<"$output")" "$(seeded 20 | sort -n)"
	assert_equal "$stderr" "redissrc: 5 entries were delivered again (pending after a failure, or taken over from a consumer that stopped): their records may come twice"
	assert_equal "$(pending_of dead)" 0
	assert_equal "$(pending_n)" 0
}

@test "redissrc: --until-idle shorter than --claim-idle ends before claiming" {
	redis_start
	fill 20
	give dead 5
	run -0 --separate-stderr src --consumer live --claim-idle 5s --until-idle 300ms
	assert_equal "$output" "$(seeded 20 | tail -n 15)"
	assert_equal "$stderr" ""
	assert_equal "$(pending_of dead)" 5
	# and by default (30s) neither
	run -0 --separate-stderr src --consumer live --until-idle 300ms
	assert_output ""
	assert_equal "$(pending_of dead)" 5
}

@test "redissrc: --until-idle ends with 0 once nothing came for that long" {
	redis_start
	local t0 ms
	t0=$(date +%s%N)
	src --until-idle 300ms >out 3>&- &
	pid=$!
	# what comes meanwhile is written, and the idle time starts again
	fill 10
	wait_while_running "$pid" has_lines out 10
	assert_status_within 5 "$pid" 0
	ms=$((($(date +%s%N) - t0) / 1000000))
	run -0 cat out
	assert_output "$(seeded 10)"
	assert [ "$ms" -ge 300 ]
	assert [ "$ms" -lt 3000 ]
}

@test "redissrc: without --until-idle it runs until SIGTERM, then dies by it (143), all acknowledged" {
	redis_start
	counters page
	(SLUICE_STATS_FD=5 SLUICE_STATS_PID=$BASHPID exec redissrc --socket "$RSOCK" --stream s --group g >out 5<>page 3>&-) &
	pid=$!
	fill 1000
	wait_while_running "$pid" has_lines out 1000
	fill 1000
	wait_while_running "$pid" has_lines out 2000
	kill -TERM "$pid"
	# each read waits at most 100 ms: the stop is prompt
	assert_status_within 2 "$pid" 143
	assert_equal "$(cat out)" "$( (seeded 1000; seeded 1000) )"
	assert_equal "$(counter page in) $(counter page out) $(counter page bad)" "2000 2000 0"
	assert_equal "$(pending_n)" 0
}

@test "redissrc: SIGINT stops it the same way (130)" {
	redis_start
	sigint_default redissrc --socket "$RSOCK" --stream s --group g >out 3>&- &
	pid=$!
	fill 500
	wait_while_running "$pid" has_lines out 500
	kill -INT "$pid"
	assert_status_within 2 "$pid" 130
	assert_equal "$(cat out)" "$(seeded 500)"
	assert_equal "$(pending_n)" 0
}

@test "redissrc: a stop with entries in hand writes and acknowledges them all; the rest stay for the next run" {
	redis_start
	# 1000 entries a read: far more records than its buffers hold
	fill 200000 --batch 100
	mkfifo fifo
	counters page
	(SLUICE_STATS_FD=5 SLUICE_STATS_PID=$BASHPID exec redissrc --socket "$RSOCK" --stream s --group g >fifo 5<>page 3>&-) &
	pid=$!
	exec 4<fifo
	# its reader stalled, it holds what it read and reads no more
	wait_while_running "$pid" steady page
	assert [ "$(pending_n)" -gt 0 ]
	kill -TERM "$pid"
	# now the reader takes everything
	cat <&4 >out
	exec 4<&-
	assert_status_within 5 "$pid" 143
	local n
	n=$(lines out)
	assert_equal "$n" "$(counter page out)"
	assert [ "$n" -lt 200000 ]
	# what it was given came out whole, in order, and was acknowledged
	run -0 cmp out <(seeded "$n")
	assert_equal "$(pending_n)" 0
	# the next run writes the rest, exactly
	run -0 --separate-stderr src --until-idle 300ms
	assert_equal "$output" "$(seeded 200000 | tail -n +$((n + 1)))"
}

@test "redissrc: SIGKILLed with records not yet written: the next run of the consumer writes them" {
	redis_start
	seq 1 50000 | redissink --socket "$RSOCK" --stream s --batch 10
	mkfifo fifo
	counters page
	(SLUICE_STATS_FD=5 SLUICE_STATS_PID=$BASHPID exec redissrc --socket "$RSOCK" --stream s --group g --consumer c1 >fifo 5<>page 3>&-) &
	pid=$!
	exec 4<fifo
	wait_while_running "$pid" steady page
	kill -KILL "$pid"
	assert_status "$pid" 137
	# what reached the pipe; the rest was in its hands
	cat <&4 >out
	exec 4<&-
	assert [ "$(lines out)" -lt 50000 ]
	run -0 --separate-stderr src --consumer c1 --until-idle 300ms
	echo "$output" >>out
	assert_regex "$stderr" '^redissrc: [1-9][0-9]* entries were delivered again '
	# at least once: none lost
	run -0 cmp <(sort -un out) <(seq 1 50000)
	assert_equal "$(pending_n)" 0
}

@test "redissrc: a reader stalled for longer than --claim-idle: its own entries are not claimed back and written twice" {
	redis_start
	# more than the pipe holds, less than the entries it may hold
	seq 1 11000 | redissink --socket "$RSOCK" --stream s
	mkfifo fifo
	counters page
	(SLUICE_STATS_FD=5 SLUICE_STATS_PID=$BASHPID exec redissrc --socket "$RSOCK" --stream s --group g --claim-idle 200ms --until-idle 1s >fifo 2>err 5<>page 3>&-) &
	pid=$!
	exec 4<fifo
	wait_while_running "$pid" steady page
	assert_equal "$(counter page in)" 11000
	assert [ "$(pending_n)" -gt 0 ]
	# its entries in hand grow idle; claim passes run every 100 ms
	sleep 0.6
	cat <&4 >out
	exec 4<&-
	assert_status_within 5 "$pid" 0
	run -0 cmp out <(seq 1 11000)
	assert_equal "$(cat err)" ""
	assert_equal "$(pending_n)" 0
}

@test "redissrc: a stalled reader stops it reading: memory stays bounded, the entries stay in the stream" {
	redis_start
	# 8-digit records: the buffers hold a quarter of them at most
	randsrc --seed 1 --count 100000 --rate 0 --min 10000000 --max 99999999 |
		redissink --socket "$RSOCK" --stream s
	mkfifo fifo
	counters page
	(SLUICE_STATS_FD=5 SLUICE_STATS_PID=$BASHPID exec redissrc --socket "$RSOCK" --stream s --group g --until-idle 1s --timeout 1s >fifo 5<>page 3>&-) &
	pid=$!
	exec 4<fifo
	wait_while_running "$pid" steady page
	local r1 r2 got p
	# the reader takes a little: what goes out is acknowledged while the
	# rest waits; then it stalls for longer than --timeout, which the
	# XACKs' answers must not look like the server's silence to
	dd bs=4096 count=5 status=none <&4 >out
	wait_while_running "$pid" steady page
	r1=$(rss_kib "$pid")
	sleep 1.2
	assert running "$pid"
	r2=$(rss_kib "$pid")
	got=$(counter page in)
	p=$(pending_n)
	assert [ "$r2" -lt "$RSS_LIMIT_KIB" ]
	assert [ $((r2 - r1)) -lt 1000 ]
	# most of the stream was not delivered, and little is in hand
	assert [ "$got" -lt 50000 ]
	assert [ "$p" -lt 10000 ]
	# the reader goes on: everything comes, once, in order
	cat <&4 >>out
	exec 4<&-
	assert_status_within 5 "$pid" 0
	run -0 cmp out <(randsrc --seed 1 --count 100000 --rate 0 --min 10000000 --max 99999999)
	assert_equal "$(pending_n)" 0
}

@test "redissrc: bad entries are reported with their ID, kept by --rejects, acknowledged; exit 65" {
	redis_start
	local x nov y
	printf '1\n2\n' | redissink --socket "$RSOCK" --stream s
	x=$(rcli XADD s '*' v x)
	nov=$(rcli XADD s '*' other 1)
	y=$(rcli XADD s '*' v $'3\ny\n4')
	echo 5 | redissink --socket "$RSOCK" --stream s
	counters page
	run -65 --separate-stderr bash -c 'SLUICE_STATS_FD=5 SLUICE_STATS_PID=$$ exec redissrc --socket "$1" --stream s --group g --rejects rej --until-idle 300ms 5<>page' _ "$RSOCK"
	assert_output "1
2
3
4
5"
	assert_equal "$stderr" "redissrc: entry $x: bad record \"x\": not an integer
redissrc: entry $nov: bad record \"\": no field v
redissrc: entry $y: bad record \"y\": not an integer
redissrc: 3 bad records"
	assert_equal "$(cat rej)" "x
y"
	assert_equal "$(counter page in) $(counter page out) $(counter page bad)" "5 5 3"
	# nothing is left for another consumer to claim
	assert_equal "$(pending_n)" 0
}

@test "redissrc: --strict stops at the first bad record with 65; what follows stays pending" {
	redis_start
	local x
	printf '1\n2\n' | redissink --socket "$RSOCK" --stream s
	x=$(rcli XADD s '*' v x)
	rcli XADD s '*' v 3 >/dev/null
	rcli XADD s '*' v 4 >/dev/null
	# bounded: a stop that waits for ever fails here, not in bats's time
	run -65 --separate-stderr timeout -k 1 5 redissrc --socket "$RSOCK" --stream s --group g --strict --rejects rej --until-idle 300ms --timeout 2s
	assert_output "1
2"
	assert_equal "$stderr" "redissrc: entry $x: bad record \"x\": not an integer"
	assert_equal "$(cat rej)" x
	# the bad entry is acknowledged; the two after it were never written
	assert_equal "$(pending_n)" 2
	run -0 --separate-stderr src --until-idle 300ms
	assert_output "3
4"
}

# found by fuzz_xread: with --rejects, an overlong bad line that ended its
# entry's field (no newline after it) did not stop --strict: what followed
# was written and acknowledged
@test "redissrc: --strict --rejects stops at an overlong bad line that ends its entry" {
	redis_start
	local x
	x=$(head -c 5000 /dev/zero | tr '\0' y)
	rcli XADD s '*' v 1 >/dev/null
	rcli XADD s '*' v "$x" >/dev/null
	rcli XADD s '*' v 3 >/dev/null
	run -65 --separate-stderr timeout -k 1 5 redissrc --socket "$RSOCK" --stream s --group g --strict --rejects rej --until-idle 300ms --timeout 2s
	assert_output 1
	assert_equal "$(cat rej)" "$x"
	assert_equal "$(pending_n)" 1
}

@test "redissrc: an entry deleted while pending is acknowledged and counted, not a bad record" {
	redis_start
	fill 5
	give c1 3
	rcli XDEL s "$(entry_id 2)" >/dev/null
	run -0 --separate-stderr src --consumer c1 --until-idle 300ms
	assert_equal "$output" "$(seeded 5 | sed 2d)"
	assert_equal "$stderr" "redissrc: 2 entries were delivered again (pending after a failure, or taken over from a consumer that stopped): their records may come twice
redissrc: 1 pending entry was deleted from the stream (XDEL, or trimming) before it was read again or taken over: its records are lost if they were not written before"
	assert_equal "$(pending_n)" 0
}

@test "redissrc: a server it cannot reach within --timeout is 69, with a message naming it" {
	local t0 ms port
	t0=$(date +%s%N)
	run -69 --separate-stderr redissrc --socket "$BATS_TEST_TMPDIR/none.sock" --stream s --group g --timeout 300ms --until-idle 100ms
	ms=$((($(date +%s%N) - t0) / 1000000))
	assert_output ""
	assert_equal "$stderr" "redissrc: cannot reach $BATS_TEST_TMPDIR/none.sock: connect: No such file or directory"
	assert [ "$ms" -ge 300 ]
	assert [ "$ms" -lt 2000 ]
	port=$(free_port)
	run -69 --separate-stderr redissrc --server "127.0.0.1:$port" --stream s --group g --timeout 300ms
	assert_regex "$stderr" "^redissrc: cannot reach 127\.0\.0\.1:$port: connect: "
}

@test "redissrc: a server that comes up later, within --timeout, is reached" {
	# where redis_start puts it
	local sock=$BATS_TEST_TMPDIR/redis/redis.sock
	redissrc --socket "$sock" --stream s --group g --until-idle 300ms --timeout 10s >out 2>err 3>&- &
	pid=$!
	# later than --until-idle: the time without a server is no idleness
	sleep 0.5
	redis_start
	# records that come once it is there are read too
	wait_while_running "$pid" has_consumer
	fill 100
	assert_status_within 5 "$pid" 0
	assert_equal "$(cat out)" "$(seeded 100)"
	assert_equal "$(cat err)" ""
}

@test "redissrc: the server killed and restarted: it reconnects, and every record comes at least once" {
	redis_start --appendonly yes --appendfsync always
	seq 1 100000 | redissink --socket "$RSOCK" --stream s --batch 10
	mkfifo fifo
	counters page
	(SLUICE_STATS_FD=5 SLUICE_STATS_PID=$BASHPID exec redissrc --socket "$RSOCK" --stream s --group g --until-idle 1s >fifo 2>err 5<>page 3>&-) &
	pid=$!
	exec 4<fifo
	# it has entries in hand, not yet written, when the server dies
	wait_while_running "$pid" steady page
	assert [ "$(pending_n)" -gt 0 ]
	redis_stop KILL
	redis_start --appendonly yes --appendfsync always
	cat <&4 >out
	exec 4<&-
	assert_status_within 8 "$pid" 0
	run -0 cmp <(sort -un out) <(seq 1 100000)
	assert_equal "$(pending_n)" 0
}

@test "redissrc: under pipesup, the consumer is HOST/STAGE and the records reach the next stage" {
	redis_start
	fill 300
	run -0 --separate-stderr pipesup -- redissrc --socket "$RSOCK" --stream s --group g --until-idle 500ms :: procprint
	assert_equal "$output" "$(seeded 300 | procprint)"
	assert_regex "$stderr" $'\nredissrc +[0-9]+ +0 +exit 0 +300 +300 +0\n'
	assert_equal "$(consumers)" "$(uname -n)/redissrc"
	assert_equal "$(pending_n)" 0
}

@test "redissrc: --help and --version go to stdout (0)" {
	run -0 --separate-stderr redissrc --help
	assert_equal "${lines[0]}" "usage: redissrc --stream KEY --group NAME [--server HOST:PORT |"
	assert_line --regexp '^      --claim-idle D '
	assert_line --regexp '^Example: redissrc --stream [^|]*--group [^|]*\| procprint$'
	assert_equal "$stderr" ""
	run -0 redissrc --version
	assert_line --index 0 "redissrc (sluice) 0.2.0"
}

@test "redissrc: usage errors say what is wrong in one line (64)" {
	run -64 --separate-stderr redissrc --group g
	assert_equal "$stderr" "redissrc: --stream KEY is required
Try 'redissrc --help' for more information."
	run -64 --separate-stderr redissrc --stream s
	assert_equal "${stderr_lines[0]}" "redissrc: --group NAME is required"
	run -64 --separate-stderr redissrc --stream s --group g operand
	assert_equal "${stderr_lines[0]}" 'redissrc: unexpected argument "operand"'
	run -64 --separate-stderr redissrc --stream s --group g --claim-idle 0
	assert_equal "${stderr_lines[0]}" 'redissrc: --claim-idle: "0" is too small'
	run -64 --separate-stderr redissrc --stream s --group g --until-idle soon
	assert_equal "${stderr_lines[0]}" 'redissrc: --until-idle: "soon" is invalid'
	run -64 --separate-stderr redissrc --stream s --group g --no-such
	assert_equal "${stderr_lines[0]}" "redissrc: unrecognized option '--no-such'"
	run -64 --separate-stderr redissrc --stream s --group g --socket x --server y:1
	assert_equal "${stderr_lines[0]}" "redissrc: --server and --socket: choose one"
	assert_output ""
}

@test "redissrc: a dead consumer's entry deleted while pending is counted when a claim finds it gone" {
	redis_start
	fill 5
	give dead 3
	rcli XDEL s "$(entry_id 2)" >/dev/null
	# idle since given: a claim pass of 100ms finds them, XAUTOCLAIM
	# reports the deleted one and drops it from the pending list
	run -0 --separate-stderr src --consumer c2 --claim-idle 100ms \
		--until-idle 600ms
	assert_equal "$(sort -n <<<"$output")" "$(seeded 5 | sed 2d | sort -n)"
	[[ $stderr == *'redissrc: 1 pending entry was deleted from the stream'* ]]
	assert_equal "$(pending_n)" 0
}
