#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# A stream shared between processes and machines through Redis Streams
# (sluice(7), BEYOND ONE MACHINE), end to end: redissink into a server of the
# test's own, redissrc consumers of one group out of it.  Each entry goes
# to one consumer; a consumer killed with entries in hand loses nothing
# (the other claims them); a server killed and restarted with its data
# on disk loses nothing redissink was told it has; and the same across
# network namespaces, as on machines of their own.  tests/redissink.bats
# and tests/redissrc.bats check each program alone.
#
# Every process a test starts goes into PIDS, every namespace into NETNS
# before it is made: teardown ends them, even after a failure, and fails
# if one is left.

setup() {
	load helpers
	D=$BATS_TEST_TMPDIR
	PIDS=()
	NETNS=()
	WHERE=()
}

teardown() {
	local pid ns mine
	mine=" $(jobs -p | tr '\n' ' ') "
	# only this shell's own children: an ended one's pid may be reused
	for pid in "${PIDS[@]}"; do
		if [[ $mine == *" $pid "* ]]; then
			kill -KILL "$pid" 2>/dev/null || true
			wait "$pid" 2>/dev/null || true
		fi
	done
	redis_stop
	for ns in "${NETNS[@]}"; do
		ip netns del "$ns" 2>/dev/null || true
	done
	for pid in "${PIDS[@]}"; do
		if [[ $mine == *" $pid "* ]] && running "$pid"; then
			echo "teardown: pid $pid still runs" >&2
			return 1
		fi
	done
	for ns in "${NETNS[@]}"; do
		if ip netns list | grep -q "^$ns\\b"; then
			echo "teardown: namespace $ns is still there" >&2
			return 1
		fi
	done
}

# started PID: a process of the test's, for teardown; LAST is its pid
started() {
	PIDS+=("$1")
	LAST=$1
}

# consume NAME OPTION...: a redissrc of group g on stream s, consumer
# NAME, in the background (in the namespace IN_NAME says, a command
# prefix, when set): its records into $D/NAME.out, its stderr into
# $D/NAME.err; LAST is its pid.
consume() {
	local name=$1 in
	shift
	in="IN_${name}[@]"
	"${!in}" redissrc "${WHERE[@]}" --stream s --group g \
		--consumer "$name" "$@" >"$D/$name.out" 2>"$D/$name.err" 3>&- &
	started "$!"
}

# consumers N: N consumers of group g are known to the server (each has
# asked for entries once)
consumers() {
	[[ $(rcli XINFO CONSUMERS s g 2>/dev/null | grep -cx name) == "$1" ]]
}

# pending_of NAME: how many entries consumer NAME of group g holds
# unacknowledged
pending_of() {
	rcli XPENDING s g - + 100000 "$1" | grep -c -- - || true
}

# stream_has N: stream s has at least N entries
stream_has() {
	(($(rcli XLEN s) >= $1))
}

# sorted FILE...: their lines together, in one order for sort, comm, cmp
sorted() {
	LC_ALL=C sort "$@"
}

# assert_union_is_sent FILE...: the lines of the FILEs, as a multiset,
# are exactly those of $D/sent: each record once
assert_union_is_sent() {
	sorted "$@" >"$D/union.sorted"
	sorted "$D/sent" >"$D/sent.sorted"
	assert_equal "$(lines "$D/union.sorted")" "$(lines "$D/sent.sorted")"
	cmp "$D/union.sorted" "$D/sent.sorted"
}

# duplicates_over FILE...: every record of $D/sent is among the FILEs'
# lines as often as it was sent (nothing lost), and nothing else is
# there (nothing made up); DUPS: how many lines come more often
# (duplicates), which the TAP output shows too
duplicates_over() {
	sorted "$@" >"$D/union.sorted"
	sorted "$D/sent" >"$D/sent.sorted"
	LC_ALL=C comm -23 "$D/sent.sorted" "$D/union.sorted" >"$D/lost"
	assert_equal "$(lines "$D/lost")" 0
	cmp <(LC_ALL=C sort -u "$D/union.sorted") \
		<(LC_ALL=C sort -u "$D/sent.sorted")
	DUPS=$(($(lines "$D/union.sorted") - $(lines "$D/sent.sorted")))
	echo "# duplicates: $DUPS" >&3
}

@test "redis: 1e6 records in entries of 100, then 1e5 one an entry: two consumers of a group share them, each entry once" {
	local a b
	redis_start
	WHERE=(--socket "$RSOCK")

	# the stream waits whole for its readers: they start together on it
	randsrc --seed 12 --count 1000000 --rate 0 >"$D/sent"
	run -0 --separate-stderr redissink "${WHERE[@]}" --stream s --batch 100 "$D/sent"
	assert_equal "$stderr" ""
	run -0 rcli XLEN s
	assert [ "$output" -ge 10000 ] # no more than 100 records an entry
	assert [ "$output" -lt 20000 ] # and most entries are full
	consume a --until-idle 1s
	a=$LAST
	consume b --until-idle 1s
	b=$LAST
	assert_status_within 30 "$a" 0
	assert_status_within 30 "$b" 0
	assert_equal "$(cat "$D/a.err" "$D/b.err")" ""
	assert_union_is_sent "$D/a.out" "$D/b.out"
	assert [ -s "$D/a.out" ]
	assert [ -s "$D/b.out" ]
	run -0 rcli XPENDING s g
	assert_line --index 0 0

	# the readers wait for the writer, one record an entry
	rcli DEL s >/dev/null
	consume a --until-idle 1s
	a=$LAST
	consume b --until-idle 1s
	b=$LAST
	wait_for consumers 2
	randsrc --seed 13 --count 100000 --rate 0 >"$D/sent"
	run -0 --separate-stderr redissink "${WHERE[@]}" --stream s "$D/sent"
	assert_equal "$stderr" ""
	run -0 rcli XLEN s
	assert_output 100000
	assert_status_within 30 "$a" 0
	assert_status_within 30 "$b" 0
	assert_equal "$(cat "$D/a.err" "$D/b.err")" ""
	assert_union_is_sent "$D/a.out" "$D/b.out"
	assert [ -s "$D/a.out" ]
	assert [ -s "$D/b.out" ]
	run -0 rcli XPENDING s g
	assert_line --index 0 0
}

@test "redis: a consumer SIGKILLed with entries in hand: the other claims them, nothing is lost" {
	local a b n
	redis_start
	WHERE=(--socket "$RSOCK")
	randsrc --seed 14 --count 1000000 --rate 0 >"$D/sent"
	redissink "${WHERE[@]}" --stream s --batch 100 "$D/sent"

	# a writes into a pipe that the test reads only when it chooses: a's
	# first answer, 1000 entries of 100 records, is far more than a pipe
	# holds, so a waits with most of them written nowhere
	mkfifo "$D/a.fifo"
	redissrc "${WHERE[@]}" --stream s --group g --consumer a \
		--claim-idle 300ms --until-idle 1500ms >"$D/a.fifo" 2>"$D/a.err" 3>&- &
	started "$!"
	a=$LAST
	consume b --claim-idle 300ms --until-idle 1500ms
	b=$LAST
	exec 5<"$D/a.fifo"
	dd bs=4096 count=4 iflag=fullblock <&5 >"$D/a.out" 2>/dev/null
	assert has_lines "$D/a.out" 1000
	n=$(pending_of a)
	assert [ "$n" -gt 0 ]
	kill -KILL "$a"
	assert_status "$a" 137
	# what a wrote before it died is delivered too
	cat <&5 >>"$D/a.out"
	exec 5<&-

	assert_status_within 30 "$b" 0
	run -0 cat "$D/b.err"
	assert_output --regexp '^redissrc: [1-9][0-9]* entr(y was|ies were) delivered again '
	duplicates_over "$D/a.out" "$D/b.out"
	# at most what a had written and not yet acknowledged: the pipe's
	# 64 KiB and dd's 16 KiB, a record at least 2 bytes
	assert [ "$DUPS" -lt 40960 ]
	run -0 rcli XPENDING s g
	assert_line --index 0 0
}

# first_pending_long: the first entry consumer b holds has waited longer
# than 700 ms, or has been delivered again
first_pending_long() {
	local f
	mapfile -t f < <(rcli XPENDING s g - + 1 b)
	((${#f[@]} == 4 && (f[2] > 700 || f[3] > 1)))
}

@test "redis: a consumer whose output is slower than --claim-idle does not take over its own entries" {
	local b
	redis_start
	WHERE=(--socket "$RSOCK")
	# one answer of 300 entries, about 117 KiB: more than the pipe holds,
	# less than the pipe and redissrc's output buffer, so that b reads no
	# more and its entries wait, most of them written
	randsrc --seed 16 --count 30000 --rate 0 >"$D/sent"
	redissink "${WHERE[@]}" --stream s --batch 100 "$D/sent"
	mkfifo "$D/b.fifo"
	redissrc "${WHERE[@]}" --stream s --group g --consumer b \
		--claim-idle 300ms --until-idle 1s >"$D/b.fifo" 2>"$D/b.err" 3>&- &
	started "$!"
	b=$LAST
	exec 5<"$D/b.fifo"
	wait_while_running "$b" first_pending_long
	cat <&5 >"$D/b.out"
	exec 5<&-
	assert_status_within 30 "$b" 0
	assert_equal "$(cat "$D/b.err")" ""
	assert_union_is_sent "$D/b.out"
}

# paced: 1..200000 at about 200000 a second, 2000 at a time; the second
# half only once $D/restarted exists
paced() {
	local k
	for ((k = 0; k < 100; k++)); do
		if ((k == 50)); then
			wait_for test -e "$D/restarted" >&2 || return 1
		fi
		seq $((k * 2000 + 1)) $((k * 2000 + 2000))
		sleep 0.01
	done
}

@test "redis: the server SIGKILLed and restarted (appendfsync always) while redissink writes: it reconnects, nothing is lost" {
	# always: the server answers an XADD only once it is on disk, so
	# that what redissink was told it has survives the SIGKILL
	local sink opts=(--appendonly yes --appendfsync always)
	RPORT=$(free_port)
	redis_start "${opts[@]}"
	WHERE=(--server "127.0.0.1:$RPORT")
	seq 1 200000 >"$D/sent"
	mkfifo "$D/in"
	paced >"$D/in" 3>&- &
	started "$!"
	redissink "${WHERE[@]}" --stream s --timeout 20s "$D/in" \
		>"$D/sink.out" 2>"$D/sink.err" 3>&- &
	started "$!"
	sink=$LAST

	wait_for stream_has 20000
	redis_stop KILL
	# it was mid-stream, and waits for the server rather than failing
	assert running "$sink"
	redis_start "${opts[@]}"
	touch "$D/restarted"
	assert_status_within 60 "$sink" 0 || {
		cat "$D/sink.err"
		return 1
	}
	assert_equal "$(cat "$D/sink.out")" ""

	stream_records s >"$D/stream"
	duplicates_over "$D/stream"
	# at most what was in flight: --depth's 1024 entries
	assert [ "$DUPS" -le 1024 ]
}

# netns NAME...: new network namespaces, each remembered for teardown
# first; fails when one cannot be made
netns() {
	local ns
	for ns in "$@"; do
		NETNS+=("$ns")
		ip netns add "$ns" || return 1
	done
}

# Runs redis-server for redis_start, in the server's namespace.
redis_in_netns() {
	ip netns exec "$NS_SERVER" redis-server "$@"
}

@test "redis: two machines: the server, the producer and each consumer in network namespaces of their own, with a password" {
	local p ns k a b
	printf 'sl-%s%s\n' "$RANDOM" "$RANDOM" >"$D/pw"
	chmod 600 "$D/pw"
	RPASS=$(<"$D/pw")
	p=sl$BASHPID
	if [[ -z ${SLUICE_NO_NETNS:-} && $EUID -eq 0 ]] &&
		netns "$p-server" "$p-prod" "$p-a" "$p-b"; then
		# a bridge in the server's namespace, 10.213.0.1/24, and a veth
		# pair to each client's namespace, made there, never out here
		NS_SERVER=$p-server
		ip -n "$NS_SERVER" link add br0 type bridge
		ip -n "$NS_SERVER" addr add 10.213.0.1/24 dev br0
		ip -n "$NS_SERVER" link set br0 up
		k=2
		for ns in prod a b; do
			ip -n "$NS_SERVER" link add "to-$ns" type veth \
				peer name eth0 netns "$p-$ns"
			ip -n "$NS_SERVER" link set "to-$ns" master br0 up
			ip -n "$p-$ns" addr add "10.213.0.$k/24" dev eth0
			ip -n "$p-$ns" link set eth0 up
			k=$((k + 1))
		done
		IN_prod=(ip netns exec "$p-prod")
		IN_a=(ip netns exec "$p-a")
		IN_b=(ip netns exec "$p-b")
		# the test itself talks to the server through its Unix socket
		RPORT=6379
		# shellcheck disable=SC2317 # redis_start calls it
		redis-server() { redis_in_netns "$@"; }
		redis_start --bind 10.213.0.1 --requirepass "$RPASS"
		unset -f redis-server
		WHERE=(--server 10.213.0.1:6379)
		echo "# over veth pairs between network namespaces" >&3
	else
		IN_prod=()
		# shellcheck disable=SC2034 # consume reads IN_a and IN_b
		IN_a=() IN_b=()
		RPORT=$(free_port)
		redis_start --requirepass "$RPASS"
		WHERE=(--server "127.0.0.1:$RPORT")
		echo "# over loopback: no network namespaces here" >&3
	fi
	WHERE+=(--password-file "$D/pw")

	consume a --until-idle 1s
	a=$LAST
	consume b --until-idle 1s
	b=$LAST
	wait_for consumers 2
	randsrc --seed 15 --count 100000 --rate 0 >"$D/sent"
	run -0 --separate-stderr "${IN_prod[@]}" redissink "${WHERE[@]}" \
		--stream s --batch 10 "$D/sent"
	assert_equal "$stderr" ""
	assert_status_within 30 "$a" 0
	assert_status_within 30 "$b" 0
	assert_equal "$(cat "$D/a.err" "$D/b.err")" ""
	assert_union_is_sent "$D/a.out" "$D/b.out"
	assert [ -s "$D/a.out" ]
	assert [ -s "$D/b.out" ]

	# the password is what lets them in
	run -69 --separate-stderr "${IN_prod[@]}" redissink \
		"${WHERE[@]:0:2}" --stream s <<<1
	assert_regex "$stderr" 'NOAUTH'
}
