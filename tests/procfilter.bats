# SPDX-License-Identifier: ISC
load helpers

@test "procfilter: --even keeps the even values, negative ones too" {
	run -0 bash -c 'seq -4 4 | procfilter --even'
	assert_output "$(printf '%s\n' -4 -2 0 2 4)"
}

@test "procfilter: --odd keeps the odd values, negative ones too" {
	run -0 bash -c 'seq -4 4 | procfilter --odd'
	assert_output "$(printf '%s\n' -3 -1 1 3)"
}

@test "procfilter: --mod takes the remainder in [0, |M|) whatever the signs" {
	run -0 bash -c 'seq -7 7 | procfilter --mod 3,2'
	assert_output "$(printf '%s\n' -7 -4 -1 2 5)"
	run -0 bash -c 'seq -7 7 | procfilter --mod -3,2'
	assert_output "$(printf '%s\n' -7 -4 -1 2 5)"
}

@test "procfilter: --min and --max bound the values, both ends kept" {
	run -0 bash -c 'seq -5 5 | procfilter --min -2 --max 1'
	assert_output "$(printf '%s\n' -2 -1 0 1)"
}

@test "procfilter: --one-in K keeps the 1st, K+1th, 2K+1th records" {
	run -0 bash -c 'seq 10 20 | procfilter --one-in 4'
	assert_output "$(printf '%s\n' 10 14 18)"
}

@test "procfilter: --one-in counts every record, not only the matching ones" {
	run -0 bash -c 'seq 1 10 | procfilter --one-in 3 --even'
	assert_output "$(printf '%s\n' 4 10)"
}

@test "procfilter: all predicates must hold; -v keeps the others" {
	run -0 bash -c 'seq 1 10 | procfilter --even --min 4'
	assert_output "$(printf '%s\n' 4 6 8 10)"
	run -0 bash -c 'seq 1 10 | procfilter -v --even --min 4'
	assert_output "$(printf '%s\n' 1 2 3 5 7 9)"
	run -0 bash -c 'seq 1 5 | procfilter --invert --one-in 2'
	assert_output "$(printf '%s\n' 2 4)"
}

@test "procfilter: no predicate copies every record in canonical form" {
	run -0 bash -c "printf '+7\n 007 \r\n\n-0\n-12' | procfilter"
	assert_output "$(printf '%s\n' 7 7 0 -12)"
}

@test "procfilter: empty input gives empty output and status 0" {
	run -0 procfilter --even </dev/null
	assert_output ""
}

@test "procfilter: one record" {
	run -0 bash -c 'echo 42 | procfilter --even'
	assert_output "42"
	run -0 bash -c 'echo 43 | procfilter --even'
	assert_output ""
}

@test "procfilter: INT64_MIN and INT64_MAX, in every predicate" {
	in='-9223372036854775808\n9223372036854775807\n'
	run -0 bash -c "printf -- '$in' | procfilter --even"
	assert_output "-9223372036854775808"
	run -0 bash -c "printf -- '$in' | procfilter --odd"
	assert_output "9223372036854775807"
	run -0 bash -c "printf -- '$in' | procfilter --mod -1,0"
	assert_output "$(printf '%s\n' -9223372036854775808 9223372036854775807)"
	run -0 bash -c "printf -- '$in' | procfilter --mod -9223372036854775808,9223372036854775807"
	assert_output "9223372036854775807"
	run -0 bash -c "printf -- '$in' | procfilter --mod 9223372036854775807,9223372036854775806"
	assert_output "-9223372036854775808"
	run -0 bash -c "printf -- '$in' | procfilter --min 9223372036854775807"
	assert_output "9223372036854775807"
	run -0 bash -c "printf -- '$in' | procfilter --max -9223372036854775808"
	assert_output "-9223372036854775808"
}

@test "procfilter: a bad record is reported, skipped, and the rest flows (65)" {
	run -65 --separate-stderr bash -c "printf '2\nabc\n4\n99999999999999999999\n6\n' | procfilter --even"
	assert_output "$(printf '%s\n' 2 4 6)"
	[ "$stderr" = 'procfilter: line 2: bad record "abc": not an integer
procfilter: line 4: bad record "99999999999999999999": out of range
procfilter: 2 bad records' ]
}

@test "procfilter: --strict stops at the first bad record after the ones before" {
	run -65 --separate-stderr bash -c "printf '2\n4\n1e3\n6\n' | procfilter --even --strict"
	assert_output "$(printf '%s\n' 2 4)"
	[ "$stderr" = 'procfilter: line 3: bad record "1e3": not an integer' ]
}

@test "procfilter: --rejects keeps every bad line verbatim" {
	rej="$BATS_TEST_TMPDIR/rej"
	run -65 --separate-stderr bash -c "printf '2\n0x10\n4\nx y' | procfilter --rejects '$rej'"
	assert_output "$(printf '%s\n' 2 4)"
	[ "$(cat "$rej")" = "$(printf '0x10\nx y')" ]
}

@test "procfilter: usage errors say what is wrong in one line (64)" {
	run -64 --separate-stderr procfilter --mod 0,1
	[ "$stderr" = "procfilter: --mod: \"0,1\": M must not be 0
Try 'procfilter --help' for more information." ]
	run -64 --separate-stderr procfilter --mod 3,3
	[ "${stderr%%$'\n'*}" = 'procfilter: --mod: "3,3": R must be in [0, |M| - 1]' ]
	run -64 --separate-stderr procfilter --mod 3
	[ "${stderr%%$'\n'*}" = 'procfilter: --mod: "3" is invalid' ]
	run -64 --separate-stderr procfilter --one-in 0
	[ "${stderr%%$'\n'*}" = 'procfilter: --one-in: "0" is too small' ]
	# --every was its name up to 0.1.0: a report interval now, elsewhere
	run -64 --separate-stderr procfilter --every 2
	[ "${stderr%%$'\n'*}" = "procfilter: unrecognized option '--every'" ]
	run -64 --separate-stderr procfilter --min x
	[ "${stderr%%$'\n'*}" = 'procfilter: --min: "x" is invalid' ]
	run -64 --separate-stderr procfilter --min 5 --max 4
	[ "${stderr%%$'\n'*}" = 'procfilter: --min 5 is greater than --max 4' ]
	run -64 --separate-stderr procfilter --even --odd
	[ "${stderr%%$'\n'*}" = 'procfilter: --even and --odd exclude each other' ]
	run -64 --separate-stderr procfilter --even --mod 3,1
	[ "${stderr%%$'\n'*}" = 'procfilter: --even and --mod exclude each other' ]
	# an operand is a file to read (sluice(7), The programs)
	run -66 --separate-stderr procfilter "$BATS_TEST_TMPDIR/extra"
	[ "${stderr%%$'\n'*}" = "procfilter: $BATS_TEST_TMPDIR/extra: No such file or directory" ]
	run -64 --separate-stderr procfilter --bogus
	[ "${stderr##*$'\n'}" = "Try 'procfilter --help' for more information." ]
}

@test "procfilter: --help and --version go to stdout (0)" {
	run -0 procfilter --help
	assert_line --index 0 --partial 'usage: procfilter'
	assert_line --partial '--mod M,R'
	run -0 procfilter --version
	assert_output --regexp '^procfilter \(sluice\) '
}

@test "procfilter: a kept record goes downstream while input is still open; SIGTERM finishes (143)" {
	fifo="$BATS_TEST_TMPDIR/in" out="$BATS_TEST_TMPDIR/out"
	mkfifo "$fifo"
	procfilter --even <"$fifo" >"$out" 3>&- &
	pid=$!
	exec 4>"$fifo"
	printf '1\n2\n3\n4\n5\n' >&4
	wait_for has_lines "$out" 2
	kill -TERM "$pid"
	assert_status "$pid" 143
	exec 4>&-
	[ "$(cat "$out")" = "$(printf '2\n4')" ]
}

@test "procfilter: SIGINT also finishes, then dies by SIGINT (130)" {
	fifo="$BATS_TEST_TMPDIR/in" out="$BATS_TEST_TMPDIR/out"
	mkfifo "$fifo"
	sigint_default procfilter --odd <"$fifo" >"$out" 3>&- &
	pid=$!
	exec 4>"$fifo"
	printf '1\n2\n3\n' >&4
	wait_for has_lines "$out" 2
	kill -INT "$pid"
	assert_status "$pid" 130
	exec 4>&-
	[ "$(cat "$out")" = "$(printf '1\n3')" ]
}

@test "procfilter: the descriptors' flags are as they were, after a pipe" {
	run -0 bash -c 'seq 3 | { procfilter --odd >/dev/null; fdprobe nonblock 0; }'
	assert_output "block"
	run -0 bash -c 'echo 1 | { procfilter; fdprobe nonblock 1 >&2; } 2>&1 | cat'
	assert_output "$(printf '1\nblock')"
}

@test "procfilter: a stalled reader stalls procfilter, whose memory stays bounded" {
	stalled_stays_bounded procfilter --even
}

@test "procfilter: randsrc | procfilter --even agrees with awk on a seeded stream" {
	run -0 bash -c 'randsrc --rate 0 --count 20000 --seed 3 --min -1000 --max 1000 | procfilter --even --max 500 | cksum'
	want=$(randsrc --rate 0 --count 20000 --seed 3 --min -1000 --max 1000 | awk '$1 % 2 == 0 && $1 <= 500' | cksum)
	assert_output "$want"
}

@test "procfilter: SIGTERM puts back the flags of a pipe it shares with the shell" {
	term_restores_flags procfilter --even
}
