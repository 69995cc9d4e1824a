#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# procprint: the sink of the original example.

load helpers

setup() {
	cd "$BATS_TEST_TMPDIR" || exit 1
}

@test "procprint: says Received data: N for each record" {
	run -0 --separate-stderr procprint <<<$'1\n42\n-7\n100'
	assert_output $'Received data: 1\nReceived data: 42\nReceived data: -7\nReceived data: 100'
	assert_equal "$stderr" ""
}

@test "procprint: runs of canonical records and other lines mixed, each printed as its value and counted" {
	# canonical runs take the fast path a run at a time; "+5", "007",
	# 19-digit values, blank and bad lines and a last line without its
	# newline break them at every offset
	python3 -c 'import random
r = random.Random(5)
odd = ["+5", "007", "-0", "9223372036854775807", "-9223372036854775808",
       "1234567890123456789", "", "x", "12a", " 3"]
lines = [str(r.randint(-10**r.randint(0, 18), 10**r.randint(0, 18)))
         if r.random() < 0.97 else r.choice(odd) for _ in range(200000)]
open("in", "w").write("\n".join(lines))
good, bad = [], 0
for l in lines:
    try:
        good.append("Received data: %d\n" % int(l))
    except ValueError:
        bad += l.strip() != ""
open("want", "w").write("".join(good))
print(len(good), bad)' >counts
	read -r good bad <counts
	counters page
	local status=0
	(SLUICE_STATS_FD=5 SLUICE_STATS_PID=$BASHPID exec procprint \
		<in >got 5<>page 2>err 3>&-) || status=$?
	assert_equal "$status" 65
	run -0 cmp got want
	assert_equal "$(counter page in)" "$good"
	assert_equal "$(counter page out)" "$good"
	assert_equal "$(counter page bad)" "$bad"
	assert_equal "$(tail -n 1 err)" "procprint: $bad bad records, the first 10 shown"
}

@test "procprint: empty input, no output, success" {
	run -0 procprint </dev/null
	assert_output ""
}

@test "procprint: a million seeded records, each printed once, in order" {
	run -0 bash -c 'randsrc --rate 0 --count 1000000 --seed 7 | procprint | cksum'
	local got=$output
	run -0 bash -c 'xoshiro.py 7 1 100 1000000 | sed "s/^/Received data: /" | cksum'
	assert_equal "$got" "$output"
}

@test "procprint: the original example, one a second, each line at once through | cat" {
	run -0 stamped bash -c 'randsrc --count 3 | procprint | cat'
	assert_equal "${#lines[@]}" 3
	assert_regex "${lines[2]}" '^[0-9.]+ Received data: ([1-9][0-9]?|100)$'
	local t1=${lines[1]%% *} t2=${lines[2]%% *}
	# due 1 s and 2 s after the first: not held back and let go together
	assert [ "$((10#${t1/./}))" -ge 900 ]
	assert [ "$((10#${t2/./}))" -ge 1900 ]
}

@test "procprint: a record read while input is otherwise idle is printed at once" {
	mkfifo in outp
	procprint <in >outp 3>&- &
	local pid=$!
	cat outp >out 3>&- &
	exec 4>in
	echo 5 >&4
	wait_for grep -qx 'Received data: 5' out
	echo 6 >&4
	wait_for grep -qx 'Received data: 6' out
	exec 4>&-
	assert_status "$pid" 0
}

@test "procprint: a closed stdout is an error at start (74), and its input stays unread" {
	run -0 --separate-stderr bash -c "printf '1\n' | { procprint >&-; echo \"status \$?\"; cat; }"
	assert_output $'status 74\n1'
	assert_equal "$stderr" "procprint: stdout: Bad file descriptor"
}

@test "procprint: a closed stdin reads as empty (0)" {
	run -0 --separate-stderr bash -c 'procprint <&-'
	assert_output ""
	assert_equal "$stderr" ""
}

@test "procprint: a closed reader ends it quietly by SIGPIPE (141)" {
	run -0 --separate-stderr bash -c 'randsrc --rate 0 | procprint | head -1; echo "${PIPESTATUS[1]}"'
	assert_regex "${lines[0]}" '^Received data: '
	assert_equal "${lines[1]}" 141
	assert_equal "$stderr" ""
}

@test "procprint: SIGTERM prints every record read, then dies by SIGTERM" {
	mkfifo in
	procprint <in >out 3>&- &
	local pid=$!
	exec 4>in
	printf '1\n2\n3\n' >&4
	wait_for has_lines out 3
	kill -TERM "$pid"
	assert_status "$pid" 143
	exec 4>&-
	assert_equal "$(cat out)" $'Received data: 1\nReceived data: 2\nReceived data: 3'
}

@test "procprint: SIGTERM while the output is stalled still writes all it read" {
	# procprint's reader stops reading; it holds a bufferful it read
	mkfifo in outp
	randsrc --rate 0 --count 200000 --seed 2 >in 3>&- &
	procprint <in >outp 3>&- &
	local pid=$!
	exec 5<outp
	wait_for blocked "$pid"
	kill -TERM "$pid"
	# now the reader takes everything: procprint finishes, then dies
	cat <&5 >out
	exec 5<&-
	assert_status "$pid" 143
	# what came out is a prefix of the stream, cut at a whole line
	local n=$(lines out)
	assert [ "$n" -gt 0 ]
	run -0 bash -c "xoshiro.py 2 1 100 $n | sed 's/^/Received data: /' | cmp - out"
	assert_equal "$(tail -c 1 out | od -An -c | tr -d ' ')" '\n'
}

@test "procprint: SIGINT (at its default) stops it the same way (130)" {
	mkfifo in
	sigint_default procprint <in >out 3>&- &
	local pid=$!
	exec 4>in
	printf '8\n' >&4
	wait_for has_lines out 1
	kill -INT "$pid"
	assert_status "$pid" 130
	exec 4>&-
	assert_equal "$(cat out)" 'Received data: 8'
}

@test "procprint: a second SIGTERM while draining stops it at once" {
	mkfifo outp
	randsrc --rate 0 | procprint >outp 2>/dev/null 3>&- &
	local pid=$!
	exec 5<outp
	wait_for blocked "$pid"
	kill -TERM "$pid"
	# two signals sent before the first is delivered are one to the
	# kernel: wait until it is no longer pending
	wait_for not_pending "$pid" TERM
	# the reader is stalled: the drain cannot end; a second one must
	kill -TERM "$pid"
	assert_status_within 5 "$pid" 143
	exec 5<&-
}

@test "procprint: leaves the pipes it shares blocking on every way out" {
	run -0 bash -c 'printf "1\n" | { procprint >/dev/null; fdprobe nonblock 0; }'
	assert_output block
	run -0 bash -c '{ procprint <<<1; fdprobe nonblock 1; } | tail -1'
	assert_output block
	run -0 --separate-stderr bash -c 'randsrc --rate 0 | { procprint; fdprobe nonblock 1 >&2; fdprobe nonblock 0 >&2; } | head -1 >/dev/null'
	assert_equal "$stderr" $'block\nblock'
}

@test "procprint: memory stays bounded while its reader is stalled" {
	stalled_stays_bounded procprint
}

@test "procprint: reads a regular file and writes a regular file" {
	seq -5 5 >in
	run -0 --separate-stderr bash -c 'procprint <in >out'
	assert_equal "$output$stderr" ""
	run -0 cmp out <(seq -5 5 | sed 's/^/Received data: /')
}

@test "procprint: SIGTERM puts back the flags of a pipe it shares with the shell" {
	term_restores_flags procprint
}
