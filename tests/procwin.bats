# SPDX-License-Identifier: ISC
load helpers

MIN=-9223372036854775808
MAX=9223372036854775807

@test "procwin: --count windows, each aggregate, the partial one last" {
	run -0 bash -c 'seq -5 2 | procwin --count 3 --emit count'
	assert_output "$(printf '%s\n' 3 3 2)"
	run -0 bash -c 'seq -5 2 | procwin --count 3 --emit sum'
	assert_output "$(printf '%s\n' -12 -3 3)"
	run -0 bash -c 'seq -5 2 | procwin --count 3 --emit min'
	assert_output "$(printf '%s\n' -5 -2 1)"
	run -0 bash -c 'seq -5 2 | procwin --count 3 --emit max'
	assert_output "$(printf '%s\n' -3 0 2)"
	run -0 bash -c 'seq -5 2 | procwin -n 3 -e mean'
	assert_output "$(printf '%s\n' -4 -1 1)"
}

@test "procwin: sum is the default; --full-only drops the partial window" {
	run -0 bash -c 'seq 1 8 | procwin --count 3'
	assert_output "$(printf '%s\n' 6 15 15)"
	run -0 bash -c 'seq 1 8 | procwin --count 3 --full-only'
	assert_output "$(printf '%s\n' 6 15)"
	run -0 bash -c 'seq 1 9 | procwin --count 3 --full-only'
	assert_output "$(printf '%s\n' 6 15 24)"
}

@test "procwin: mean rounds toward negative infinity" {
	run -0 bash -c "printf '%s\n' -1 -2 1 2 -7 0 7 0 -3 -3 | procwin --count 2 --emit mean"
	assert_output "$(printf '%s\n' -2 1 -4 3 -3)"
}

@test "procwin: empty input writes nothing; one record makes one window" {
	run -0 procwin --count 5 </dev/null
	assert_output ""
	run -0 procwin --time 1h --emit count </dev/null
	assert_output ""
	run -0 bash -c 'echo 7 | procwin --count 5 --emit mean'
	assert_output 7
	run -0 bash -c 'echo 7 | procwin --count 1 --emit count'
	assert_output 1
	run -0 bash -c 'echo 7 | procwin --count 5 --full-only'
	assert_output ""
}

@test "procwin: INT64_MIN and INT64_MAX: exact means, min, max" {
	run -0 bash -c "printf '%s\n' $MAX $MAX $MIN $MIN $MAX $MIN | procwin --count 2 --emit mean"
	assert_output "$(printf '%s\n' $MAX $MIN -1)"
	run -0 bash -c "printf '%s\n' $MAX $MIN | procwin --count 2 --emit min"
	assert_output $MIN
	run -0 bash -c "printf '%s\n' $MAX $MIN | procwin --count 2 --emit max"
	assert_output $MAX
	run -0 bash -c "printf '%s\n' $MAX $MIN | procwin --count 2 --emit sum"
	assert_output -1
}

@test "procwin: the record that takes a sum out of int64 is a bad record (65)" {
	run -65 --separate-stderr bash -c "printf '%s\n' $MAX 1 -1 5 | procwin --count 2"
	assert_output "$(printf '%s\n' 9223372036854775806 5)"
	[ "$stderr" = "procwin: line 2: bad record \"1\": overflow
procwin: 1 bad record" ]
	run -65 --separate-stderr bash -c "printf '%s\n' $MIN -1 | procwin --count 2"
	assert_output $MIN
	[ "${stderr%%$'\n'*}" = 'procwin: line 2: bad record "-1": overflow' ]
}

@test "procwin: --saturate writes the limit of a sum beyond int64" {
	run -0 bash -c "printf '%s\n' $MAX 1 -1 5 $MIN -1 | procwin --count 2 --saturate"
	assert_output "$(printf '%s\n' $MAX 4 $MIN)"
	# the exact sum is kept: out of range and back is exact
	run -0 bash -c "printf '%s\n' $MAX $MAX $MIN $MIN | procwin --count 4 --saturate"
	assert_output -2
}

@test "procwin: --rejects keeps an overflowing line; --strict stops there" {
	rej="$BATS_TEST_TMPDIR/rej"
	run -65 --separate-stderr bash -c "printf '%s\n' $MAX 1 -2 | procwin --count 2 --rejects '$rej'"
	assert_output 9223372036854775805
	[ "$(cat "$rej")" = 1 ]
	run -65 --separate-stderr bash -c "printf '%s\n' 1 2 3 x 4 | procwin --count 2 --strict"
	assert_output 3
	[ "$stderr" = 'procwin: line 4: bad record "x": not an integer' ]
}

@test "procwin: --time windows close on time, empty ones count 0" {
	fifo="$BATS_TEST_TMPDIR/in" out="$BATS_TEST_TMPDIR/out"
	mkfifo "$fifo"
	# on_time: one window for each 50 ms that procwin ran, at most
	on_time() {
		local n ms
		n=$(lines "$out")
		ms=$((($(date +%s%N) - t0) / 1000000))
		((n <= ms / 50 + 1)) || fail "$n windows in $ms ms"
	}
	t0=$(date +%s%N)
	procwin --time 50ms --emit count <"$fifo" >"$out" 3>&- &
	pid=$!
	exec 4>"$fifo"
	# no record at all: windows still close
	wait_for has_lines "$out" 2
	on_time
	printf '1\n2\n3\n' >&4
	wait_for grep -qx 3 "$out"
	n=$(lines "$out")
	wait_for has_lines "$out" $((n + 2))
	exec 4>&-
	assert_status "$pid" 0
	on_time
	run -0 sort -u "$out"
	assert_output "$(printf '%s\n' 0 3)"
	[ "$(grep -cx 3 "$out")" -eq 1 ]
}

@test "procwin: --time windows without records give nothing but for count" {
	fifo="$BATS_TEST_TMPDIR/in" out="$BATS_TEST_TMPDIR/out"
	mkfifo "$fifo"
	procwin --time 30ms --emit sum <"$fifo" >"$out" 3>&- &
	pid=$!
	exec 4>"$fifo"
	printf '5\n6\n' >&4
	wait_for has_lines "$out" 1
	printf '7\n' >&4
	wait_for has_lines "$out" 2
	exec 4>&-
	assert_status "$pid" 0
	run cat "$out"
	assert_output "$(printf '%s\n' 11 7)"
}

@test "procwin: usage errors say what is wrong in one line (64)" {
	run -64 --separate-stderr procwin
	[ "$stderr" = "procwin: one of --count and --time is needed
Try 'procwin --help' for more information." ]
	run -64 --separate-stderr procwin --count 2 --time 1s
	[ "${stderr%%$'\n'*}" = 'procwin: one of --count and --time is needed' ]
	run -64 --separate-stderr procwin --count 0
	[ "${stderr%%$'\n'*}" = 'procwin: --count: "0" is too small' ]
	run -64 --separate-stderr procwin --time 0s
	[ "${stderr%%$'\n'*}" = 'procwin: --time: "0s" is too small' ]
	run -64 --separate-stderr procwin --time 1d
	[ "${stderr%%$'\n'*}" = 'procwin: --time: "1d" is invalid' ]
	run -64 --separate-stderr procwin --count 2 --emit avg
	[ "${stderr%%$'\n'*}" = 'procwin: --emit: "avg" is not count, sum, min, max or mean' ]
	# an operand is a file to read (sluice(7), The programs)
	run -66 --separate-stderr procwin --count 2 "$BATS_TEST_TMPDIR/x"
	[ "${stderr%%$'\n'*}" = "procwin: $BATS_TEST_TMPDIR/x: No such file or directory" ]
}

@test "procwin: --help and --version go to stdout (0)" {
	run -0 procwin --help
	assert_line --index 0 --partial 'usage: procwin --count N | --time duration'
	run -0 procwin --version
	assert_output --regexp '^procwin \(sluice\) '
}

@test "procwin: SIGTERM writes the window in progress, then dies by it (143)" {
	fifo="$BATS_TEST_TMPDIR/in" out="$BATS_TEST_TMPDIR/out"
	mkfifo "$fifo"
	procwin --count 3 <"$fifo" >"$out" 3>&- &
	pid=$!
	exec 4>"$fifo"
	# one write, so the 4th record is read with the first three
	printf '1\n2\n3\n40\n' >&4
	wait_for has_lines "$out" 1
	kill -TERM "$pid"
	assert_status "$pid" 143
	exec 4>&-
	run cat "$out"
	assert_output "$(printf '%s\n' 6 40)"
}

@test "procwin: SIGINT does the same (130), and --full-only drops the partial window" {
	fifo="$BATS_TEST_TMPDIR/in" out="$BATS_TEST_TMPDIR/out"
	mkfifo "$fifo"
	sigint_default procwin --count 3 --full-only <"$fifo" >"$out" 3>&- &
	pid=$!
	exec 4>"$fifo"
	printf '1\n2\n3\n40\n' >&4
	wait_for has_lines "$out" 1
	kill -INT "$pid"
	assert_status "$pid" 130
	exec 4>&-
	run cat "$out"
	assert_output 6
}

@test "procwin: the descriptors' flags are as they were, after a pipe" {
	run -0 bash -c 'seq 3 | { procwin -n 2 >/dev/null; fdprobe nonblock 0; }'
	assert_output "block"
	run -0 bash -c 'seq 2 | { procwin -n 2; fdprobe nonblock 1 >&2; } 2>&1 | cat'
	assert_output "$(printf '3\nblock')"
}

@test "procwin: the composed pipeline agrees with python on the same seeded stream" {
	run -0 bash -c 'set -o pipefail; randsrc --rate 0 --count 1000000 --seed 1 | procfilter --even | procmap --mul 3 | procwin --count 100 --emit sum | statsink --json'
	got=$output
	run -0 bash -c 'set -o pipefail; randsrc --rate 0 --count 1000000 --seed 1 | python3 -c "
import json, math, sys
from fractions import Fraction
got = json.loads(sys.argv[1])
v = [int(x) * 3 for x in sys.stdin.buffer.read().split() if int(x) % 2 == 0]
w = [sum(v[i:i + 100]) for i in range(0, len(v), 100)]
n, s = len(w), sum(w)
mean = Fraction(s, n)
sd = math.sqrt(sum((x - mean) ** 2 for x in w) / n)
want = (n, s, min(w), max(w))
have = (got[\"count\"], got[\"sum\"], got[\"min\"], got[\"max\"])
assert have == want, (have, want)
assert math.isclose(got[\"mean\"], float(mean), rel_tol=1e-15), got
assert math.isclose(got[\"stddev\"], sd, rel_tol=1e-9), (got, sd)
print(n, s, min(w), max(w), \"%.3f\" % mean, \"%.3f\" % sd)
" "$1"' _ "$got"
	# and the table for people shows the same figures
	want=$output
	run -0 bash -c 'randsrc --rate 0 --count 1000000 --seed 1 | procfilter --even | procmap --mul 3 | procwin --count 100 --emit sum | statsink | head -6 | awk "{ print \$2 }" | paste -sd " "'
	assert_output "$want"
}

@test "procwin: SIGTERM puts back the flags of a pipe it shares with the shell" {
	term_restores_flags procwin --count 3
}

@test "procwin: a stalled reader stalls procwin, whose memory stays bounded" {
	stalled_stays_bounded procwin --count 1 --emit max
}
