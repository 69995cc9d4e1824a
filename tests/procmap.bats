# SPDX-License-Identifier: ISC
load helpers

MIN=-9223372036854775808
MAX=9223372036854775807

# map OPTIONS... : procmap OPTIONS over the values in $IN, one a line
map() {
	# shellcheck disable=SC2086 # one value a word
	printf '%s\n' $IN | procmap "$@"
}

@test "procmap: each operation, on negative and positive values" {
	IN="-7 0 7"
	run -0 map --add 3;	assert_output "$(printf '%s\n' -4 3 10)"
	run -0 map --sub 3;	assert_output "$(printf '%s\n' -10 -3 4)"
	run -0 map --mul -2;	assert_output "$(printf '%s\n' 14 0 -14)"
	run -0 map --div 2;	assert_output "$(printf '%s\n' -3 0 3)"
	run -0 map --div -2;	assert_output "$(printf '%s\n' 3 0 -3)"
	run -0 map --mod 3;	assert_output "$(printf '%s\n' -1 0 1)"
	run -0 map --mod -3;	assert_output "$(printf '%s\n' -1 0 1)"
	run -0 map --neg;	assert_output "$(printf '%s\n' 7 0 -7)"
	run -0 map --abs;	assert_output "$(printf '%s\n' 7 0 7)"
	run -0 map --clamp -5,5;	assert_output "$(printf '%s\n' -5 0 5)"
}

@test "procmap: operations apply in the order given, and may repeat" {
	IN="1 2 3"
	run -0 map --add 1 --mul 10
	assert_output "$(printf '%s\n' 20 30 40)"
	run -0 map --mul 10 --add 1
	assert_output "$(printf '%s\n' 11 21 31)"
	run -0 map --add 1 --add 1 --neg --clamp -3,0
	assert_output "$(printf '%s\n' -3 -3 -3)"
}

@test "procmap: no operation copies the records in canonical form" {
	run -0 bash -c "printf '+5\n-0\n 0012\r\n\n' | procmap"
	assert_output "$(printf '%s\n' 5 0 12)"
}

@test "procmap: empty input, one record" {
	run -0 procmap --add 1 </dev/null
	assert_output ""
	IN=41
	run -0 map --add 1
	assert_output 42
}

@test "procmap: INT64_MIN and INT64_MAX where the result fits" {
	IN="$MIN $MAX"
	run -0 map --div -2;	assert_output "$(printf '%s\n' 4611686018427387904 -4611686018427387903)"
	run -0 map --add 0 --mul 1 --div 1;	assert_output "$(printf '%s\n' $MIN $MAX)"
	run -0 map --mod $MIN;	assert_output "$(printf '%s\n' 0 $MAX)"
	run -0 map --mod -1;	assert_output "$(printf '%s\n' 0 0)"
	IN=$MAX
	run -0 map --neg;	assert_output -$MAX
	run -0 map --sub $MAX;	assert_output 0
	IN=$MIN
	run -0 map --sub $MIN;	assert_output 0
	run -0 map --add $MAX;	assert_output -1
}

@test "procmap: every overflow is a bad record, reported and counted (65)" {
	for op in "--add 1" "--sub 1" "--mul 2" "--div -1" "--neg" "--abs"; do
		IN="$MAX $MIN 3"
		# shellcheck disable=SC2086 # an option and its value
		run -65 --separate-stderr map $op
		case $op in
		"--add 1")
			assert_output "$(printf '%s\n' -9223372036854775807 4)"
			[ "$stderr" = "procmap: line 1: bad record \"$MAX\": overflow
procmap: 1 bad record" ] ;;
		"--mul 2")
			assert_output 6
			[ "$stderr" = "procmap: line 1: bad record \"$MAX\": overflow
procmap: line 2: bad record \"$MIN\": overflow
procmap: 2 bad records" ] ;;
		*)
			case $op in
			"--sub 1") assert_output "$(printf '%s\n' 9223372036854775806 2)" ;;
			"--div -1" | --neg) assert_output "$(printf '%s\n' -$MAX -3)" ;;
			--abs) assert_output "$(printf '%s\n' $MAX 3)" ;;
			esac
			[ "$stderr" = "procmap: line 2: bad record \"$MIN\": overflow
procmap: 1 bad record" ] ;;
		esac
	done
}

@test "procmap: an overflow in the middle of a chain rejects the record" {
	IN="1 4611686018427387904 2"
	run -65 --separate-stderr map --mul 2 --sub 1
	assert_output "$(printf '%s\n' 1 3)"
	[ "$stderr" = 'procmap: line 2: bad record "4611686018427387904": overflow
procmap: 1 bad record' ]
}

@test "procmap: --rejects gets the input line of an overflow, verbatim" {
	rej="$BATS_TEST_TMPDIR/rej"
	run -65 --separate-stderr bash -c "printf '1\n+9223372036854775807\nxyz\n2\n' | procmap --add 1 --rejects '$rej'"
	assert_output "$(printf '%s\n' 2 3)"
	[ "$(cat "$rej")" = "$(printf '+9223372036854775807\nxyz')" ]
}

@test "procmap: --strict stops at the first overflow" {
	run -65 --separate-stderr bash -c "printf '1\n9223372036854775807\n2\n' | procmap --strict --add 1"
	assert_output 2
	[ "$stderr" = 'procmap: line 2: bad record "9223372036854775807": overflow' ]
}

@test "procmap: --saturate takes the nearest limit, step by step" {
	IN="$MAX $MIN -7"
	run -0 map --saturate --add 1;	assert_output "$(printf '%s\n' $MAX -9223372036854775807 -6)"
	run -0 map --saturate --sub 1;	assert_output "$(printf '%s\n' 9223372036854775806 $MIN -8)"
	run -0 map --saturate --sub -1;	assert_output "$(printf '%s\n' $MAX -9223372036854775807 -6)"
	run -0 map --saturate --mul 2;	assert_output "$(printf '%s\n' $MAX $MIN -14)"
	run -0 map --saturate --mul -2;	assert_output "$(printf '%s\n' $MIN $MAX 14)"
	run -0 map --saturate --div -1;	assert_output "$(printf '%s\n' -$MAX $MAX 7)"
	run -0 map --saturate --neg;	assert_output "$(printf '%s\n' -$MAX $MAX 7)"
	run -0 map --saturate --abs;	assert_output "$(printf '%s\n' $MAX $MAX 7)"
	run -0 map --saturate --mul 2 --sub 1;	assert_output "$(printf '%s\n' 9223372036854775806 $MIN -15)"
}

@test "procmap: bad input lines are reported and the rest flows (65)" {
	run -65 --separate-stderr bash -c "printf '1\n1e3\n2\n' | procmap --mul 2"
	assert_output "$(printf '%s\n' 2 4)"
	[ "$stderr" = 'procmap: line 2: bad record "1e3": not an integer
procmap: 1 bad record' ]
}

@test "procmap: usage errors say what is wrong in one line (64)" {
	run -64 --separate-stderr procmap --div 0
	[ "$stderr" = "procmap: --div: \"0\": cannot divide by zero
Try 'procmap --help' for more information." ]
	run -64 --separate-stderr procmap --mod 0
	[ "${stderr%%$'\n'*}" = 'procmap: --mod: "0": cannot divide by zero' ]
	run -64 --separate-stderr procmap --add 9223372036854775808
	[ "${stderr%%$'\n'*}" = 'procmap: --add: "9223372036854775808" is too large' ]
	run -64 --separate-stderr procmap --mul two
	[ "${stderr%%$'\n'*}" = 'procmap: --mul: "two" is invalid' ]
	run -64 --separate-stderr procmap --clamp 5,1
	[ "${stderr%%$'\n'*}" = 'procmap: --clamp: "5,1": LO is greater than HI' ]
	run -64 --separate-stderr procmap --clamp 5
	[ "${stderr%%$'\n'*}" = 'procmap: --clamp: "5" is invalid' ]
	# an operand is a file to read (sluice(7), The programs)
	run -66 --separate-stderr procmap "$BATS_TEST_TMPDIR/3"
	[ "${stderr%%$'\n'*}" = "procmap: $BATS_TEST_TMPDIR/3: No such file or directory" ]
}

@test "procmap: --help and --version go to stdout (0)" {
	run -0 procmap --help
	assert_line --index 0 --partial 'usage: procmap'
	assert_line --partial '--saturate'
	run -0 procmap --version
	assert_output --regexp '^procmap \(sluice\) '
}

@test "procmap: a record goes downstream while input is still open; SIGTERM finishes (143)" {
	fifo="$BATS_TEST_TMPDIR/in" out="$BATS_TEST_TMPDIR/out"
	mkfifo "$fifo"
	procmap --mul 2 <"$fifo" >"$out" 3>&- &
	pid=$!
	exec 4>"$fifo"
	printf '1\n2\n' >&4
	wait_for has_lines "$out" 2
	printf '3\n' >&4
	wait_for has_lines "$out" 3
	kill -TERM "$pid"
	assert_status "$pid" 143
	exec 4>&-
	[ "$(cat "$out")" = "$(printf '2\n4\n6')" ]
}

@test "procmap: SIGINT finishes and dies by SIGINT (130)" {
	fifo="$BATS_TEST_TMPDIR/in" out="$BATS_TEST_TMPDIR/out"
	mkfifo "$fifo"
	sigint_default procmap --neg <"$fifo" >"$out" 3>&- &
	pid=$!
	exec 4>"$fifo"
	printf '5\n' >&4
	wait_for has_lines "$out" 1
	kill -INT "$pid"
	assert_status "$pid" 130
	exec 4>&-
	[ "$(cat "$out")" = "-5" ]
}

@test "procmap: the descriptors' flags are as they were, after a pipe" {
	run -0 bash -c 'seq 3 | { procmap --neg >/dev/null; fdprobe nonblock 0; }'
	assert_output "block"
	run -0 bash -c 'echo 1 | { procmap --neg; fdprobe nonblock 1 >&2; } 2>&1 | cat'
	assert_output "$(printf -- '-1\nblock')"
}

@test "procmap: a stalled reader stalls procmap, whose memory stays bounded" {
	stalled_stays_bounded procmap --mul 3
}

@test "procmap: agrees with python on a seeded stream, overflows included" {
	cmd='randsrc --rate 0 --count 20000 --seed 5 --min -9223372036854775808 --max 9223372036854775807'
	run -65 --separate-stderr bash -c "set -o pipefail; $cmd | procmap --div 3 --mul 5 --add 3 | cksum"
	want=$($cmd | python3 -c '
import sys
lo, hi = -2**63, 2**63 - 1
for line in sys.stdin:
    v = int(line)
    q = abs(v) // 3 * (1 if v >= 0 else -1)
    r = q * 5 + 3
    if lo <= r <= hi:
        print(r)' | cksum)
	assert_output "$want"
	[[ ${stderr##*$'\n'} =~ ^procmap:\ [0-9]+\ bad\ records,\ the\ first\ 10\ shown$ ]]
}

@test "procmap: SIGTERM puts back the flags of a pipe it shares with the shell" {
	term_restores_flags procmap --neg
}
