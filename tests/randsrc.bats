#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# randsrc: the source of the original example.

load helpers

setup() {
	cd "$BATS_TEST_TMPDIR" || exit 1
}

@test "randsrc: defaults are integers from 1 to 100" {
	run -0 randsrc --rate 0 --count 2000
	assert_equal "${#lines[@]}" 2000
	local v lo=100 hi=1
	for v in "${lines[@]}"; do
		[[ $v =~ ^[1-9][0-9]*$ ]] && ((v >= 1 && v <= 100)) ||
			fail "out of range: $v"
		((v < lo)) && lo=$v
		((v > hi)) && hi=$v
	done
	# both ends are drawn (each is missed in 2000 draws with odds 2e-9)
	assert_equal "$lo $hi" "1 100"
}

@test "randsrc: a closed stdout is an error at start (74), with nothing made" {
	run -74 --separate-stderr bash -c 'randsrc --count 5 >&-'
	assert_output ""
	assert_equal "$stderr" "randsrc: stdout: Bad file descriptor"
	# at once: not after the five records' four seconds
	run -74 timeout 1 bash -c 'randsrc --count 5 >&-'
}

@test "randsrc: the first record comes at once, then one a second" {
	# from the FIFO's open, before randsrc starts (stamped): a reader
	# late for the first record cannot make the second look early
	STAMP_FROM_OPEN=1 run -0 stamped randsrc --count 2
	assert_equal "${#lines[@]}" 2
	assert_regex "${lines[0]}" '^0\.[0-4][0-9][0-9] ([1-9][0-9]?|100)$'
	# the second is due one second after the first: never early
	local t=${lines[1]%% *}
	assert [ "${t/./}" -ge 1000 ] && assert [ "${t/./}" -le 1500 ]
}

@test "randsrc: --seed gives the stream its man page names (xoshiro256**, batched draws)" {
	# batches of 9 (1..100), 16 (0..6, -1000..-1000), 6 (a table of
	# 1019), 3 (1e6 values), 2 (a width near 2^30), 1 (wide ranges)
	local args seed lo hi
	for args in "7 1 100" "-3 -9223372036854775808 9223372036854775807" \
		"123456789 0 6" "42 0 9223372036854775807" "9 -1000 -1000" \
		"5 1 1019" "6 -5 999994" "8 1 1057335768" \
		"3 -9223372036854775808 4611686018427387903"; do
		read -r seed lo hi <<<"$args"
		run -0 diff <(xoshiro.py "$seed" "$lo" "$hi" 2000) \
			<(randsrc --seed "$seed" --min "$lo" --max "$hi" --count 2000 --rate 0)
	done
}

@test "randsrc: the stream does not depend on how it is cut (a rate writes a few records at a time)" {
	# at --rate 0 records go out in batches of thousands; at a rate, a
	# few at a time: a batch of draws spans the writes either way
	run -0 diff <(xoshiro.py 7 1 100 300) <(randsrc --seed 7 --rate 3000 --count 300)
	run -0 diff <(xoshiro.py 8 1 1000000 100) \
		<(randsrc --seed 8 --max 1000000 --rate 2000 --count 100)
	local n
	for n in 1 8 9 10 17 18 19; do
		run -0 diff <(xoshiro.py 7 1 100 "$n") <(randsrc --seed 7 --rate 0 --count "$n")
	done
}

@test "randsrc: the same seed gives the same stream, another seed another" {
	run -0 bash -c 'randsrc -s 5 -r 0 -n 1000 | cksum'
	local a=$output
	run -0 bash -c 'randsrc --seed 5 --rate 0 --count 1000 | cksum'
	assert_equal "$output" "$a"
	run -0 bash -c 'randsrc --seed 6 --rate 0 --count 1000 | cksum'
	refute_output "$a"
}

@test "randsrc: without --seed two runs differ" {
	run -0 bash -c 'randsrc -r 0 -n 100 --max 1000000 | cksum'
	local a=$output
	run -0 bash -c 'randsrc -r 0 -n 100 --max 1000000 | cksum'
	refute_output "$a"
}

@test "randsrc: uniform over 1..100 (chi-square, 1e6 draws, seeded)" {
	# 99 degrees of freedom: the 0.1 % critical value is 148.2
	run -0 bash -c 'randsrc --rate 0 --count 1000000 --seed 11 |
		awk "{ n[\$1]++ } END {
			for (v = 1; v <= 100; v++) { d = n[v] - 10000; x += d * d / 10000 }
			for (k in n) if (k + 0 < 1 || k + 0 > 100) bad++
			printf \"%d %.1f\n\", bad, x }"'
	read -r bad chi <<<"$output"
	assert_equal "$bad" 0
	assert [ "${chi%.*}" -lt 148 ]
}

@test "randsrc: no modulo bias over a range of 3 * 2^62 values" {
	# with draw % range, the first quarter of 2^64 would come twice as
	# often: thirds of the range would be 1/2, 1/4, 1/4; without Lemire's
	# rejection, one value in three would: by value mod 3, 1/2, 1/4, 1/4
	run -0 bash -c 'randsrc --rate 0 --count 300000 --seed 3 \
		--min -9223372036854775808 --max 4611686018427387903 |
		python3 -c "import sys
n = [0, 0, 0]
m = [0, 0, 0]
for line in sys.stdin:
    v = int(line)
    n[0 if v < -2**62 else 1 if v < 0 else 2] += 1
    m[(v + 2**63) % 3] += 1
print(int(sum((x - 100000) ** 2 / 100000 for x in n)),
      int(sum((x - 100000) ** 2 / 100000 for x in m)))"'
	# 2 degrees of freedom: the 0.1 % critical value is 13.8
	read -r thirds mod3 <<<"$output"
	assert [ "$thirds" -lt 14 ]
	assert [ "$mod3" -lt 14 ]
}

# Drawn without their rejection step, the k draws of a batch are the
# base-n digits of T = floor(x * n^k / 2^64) for a uniform x: a T that
# 1 + floor(2^64 / n^k) values of x map to comes that much more often
# than one that floor(2^64 / n^k) do.  The share of such "heavy" T is
# (2^64 mod n^k) / n^k when the draws are unbiased; the test prints how
# many standard deviations the measured share is from it.
heavy_share() {
	python3 -c 'import sys
n, k = int(sys.argv[1]), int(sys.argv[2])
p, two64 = n ** k, 1 << 64
heavy = lambda t: (-(-(t + 1) * two64 // p)) - (-(-t * two64 // p)) > two64 // p
vals = [int(v) - 1 for v in sys.stdin]
batches = [vals[i:i + k] for i in range(0, len(vals) - k + 1, k)]
hits = 0
for b in batches:
    t = 0
    for d in b:
        t = t * n + d
    hits += heavy(t)
want = (two64 % p) / p
sd = (want * (1 - want) / len(batches)) ** 0.5
print("%.1f" % abs((hits / len(batches) - want) / sd))' "$@"
}

@test "randsrc: no bias in batches: a batch whose last remainder is low is drawn again" {
	# without the rejection (or with a threshold of 2^64 mod n instead
	# of mod n^k), heavy batches come 17/16.5 times as often: 9 standard
	# deviations at these sizes; the seeded streams keep it exact
	# 1..1019: batches of 6 from the preformatted table
	randsrc --rate 0 --count 600000 --seed 21 --max 1019 >vals
	run -0 heavy_share 1019 6 <vals
	assert [ "${output%.*}" -lt 4 ]
	# 1..1057335768: batches of 2, formatted
	randsrc --rate 0 --count 200000 --seed 22 --max 1057335768 >vals
	run -0 heavy_share 1057335768 2 <vals
	assert [ "${output%.*}" -lt 4 ]
}

@test "randsrc: successive draws are independent (chi-square over pairs of 1..100)" {
	# 9999 degrees of freedom: the 0.1 % critical value is 10535
	run -0 bash -c 'randsrc --rate 0 --count 2000000 --seed 12 |
		awk "NR % 2 { a = \$1; next } { n[a \" \" \$1]++ } END {
			for (k in n) { d = n[k] - 100; x += d * d / 100; c++ }
			x += (10000 - c) * 100
			printf \"%d\n\", x }"'
	assert [ "$output" -lt 10535 ]
}

@test "randsrc: --min equal to --max, and the int64 extremes" {
	run -0 randsrc --min -9223372036854775808 --max -9223372036854775808 -n 2 -r 0
	assert_output $'-9223372036854775808\n-9223372036854775808'
	run -0 randsrc --min 9223372036854775807 --max 9223372036854775807 -n 1 -r 0
	assert_output 9223372036854775807
}

@test "randsrc: --count 0 writes nothing" {
	run -0 randsrc --count 0
	assert_output ""
}

@test "randsrc: bad option values are usage errors that name the value" {
	run -64 --separate-stderr randsrc --count abc
	assert_output ""
	assert_equal "$stderr" $'randsrc: --count: "abc" is invalid\nTry \'randsrc --help\' for more information.'
	run -64 --separate-stderr randsrc --count -1
	assert_equal "${stderr_lines[0]}" 'randsrc: --count: "-1" is too small'
	run -64 --separate-stderr randsrc --rate -1
	assert_equal "${stderr_lines[0]}" 'randsrc: --rate: "-1" is invalid'
	run -64 --separate-stderr randsrc --rate inf
	assert_equal "${stderr_lines[0]}" 'randsrc: --rate: "inf" is invalid'
	run -64 --separate-stderr randsrc --rate 1e300
	assert_equal "${stderr_lines[0]}" 'randsrc: --rate: "1e300" is too large'
	run -64 --separate-stderr randsrc --max 9223372036854775808
	assert_equal "${stderr_lines[0]}" 'randsrc: --max: "9223372036854775808" is too large'
	run -64 --separate-stderr randsrc --seed 1x
	assert_equal "${stderr_lines[0]}" 'randsrc: --seed: "1x" is invalid'
}

@test "randsrc: --min greater than --max is a usage error" {
	run -64 --separate-stderr randsrc --min 5 --max 4
	assert_equal "$stderr" $'randsrc: --min 5 is greater than --max 4\nTry \'randsrc --help\' for more information.'
}

@test "randsrc: an unknown option or an operand is a usage error" {
	run -64 --separate-stderr randsrc --bogus
	assert_equal "$stderr" $'randsrc: unrecognized option \'--bogus\'\nTry \'randsrc --help\' for more information.'
	run -64 --separate-stderr randsrc 5
	assert_equal "${stderr_lines[0]}" 'randsrc: unexpected argument "5"'
}

@test "randsrc: decimal rates keep an absolute schedule without drift" {
	# 21 records at 40/s: record k is due at k/40 s after the first,
	# stamped from before randsrc starts
	STAMP_FROM_OPEN=1 run -0 stamped randsrc --rate 40 --count 21
	assert_equal "${#lines[@]}" 21
	local k t ms
	for ((k = 0; k < 21; k++)); do
		t=${lines[k]%% *}
		ms=$((10#${t/./}))
		# never early, and not late by 150 ms (and its start)
		((ms >= k * 25 && ms <= k * 25 + 200)) ||
			fail "record $k came at ${t}s, due at $((k * 25)) ms"
	done
}

@test "randsrc: a fractional rate (--rate 2.5) spaces records 400 ms apart" {
	# from the FIFO's open, before randsrc starts: a first record read
	# late cannot make the second look early
	STAMP_FROM_OPEN=1 run -0 stamped randsrc --rate 2.5 --count 2
	local ms=$((10#$(cut -d' ' -f1 <<<"${lines[1]}" | tr -d .)))
	((ms >= 400 && ms <= 600)) || fail "second record at $ms ms"
}

@test "randsrc: a closed reader ends it quietly by SIGPIPE (141)" {
	run -0 --separate-stderr bash -c 'randsrc --rate 0 | head -1; echo "${PIPESTATUS[0]}"'
	assert_equal "${lines[1]}" 141
	assert_equal "$stderr" ""
}

@test "randsrc: SIGTERM writes out what was made, then dies by SIGTERM" {
	# its reader stalled, randsrc holds records the full pipe cannot take
	mkfifo fifo
	counters page
	(SLUICE_STATS_FD=5 SLUICE_STATS_PID=$BASHPID exec randsrc --rate 0 --seed 4 >fifo 5<>page 3>&-) &
	local pid=$!
	exec 4<fifo
	wait_for blocked "$pid"
	kill -TERM "$pid"
	# now the reader takes everything
	cat <&4 >out
	exec 4<&-
	assert_status "$pid" 143
	# every record it made, by its own count, came out whole and in order
	local n=$(lines out)
	assert_equal "$n" "$(counter page out)"
	run -0 cmp out <(xoshiro.py 4 1 100 "$n")
}

@test "randsrc: SIGINT stops it the same way (130)" {
	sigint_default randsrc --rate 100 >out 3>&- &
	local pid=$!
	wait_for has_lines out 3
	kill -INT "$pid"
	assert_status "$pid" 130
	assert_equal "$(tail -c 1 out | od -An -c | tr -d ' ')" '\n'
}

@test "randsrc: a SIGINT ignored at start stays ignored" {
	# bash starts background jobs of a script with SIGINT ignored
	randsrc --rate 200 >out 3>&- &
	local pid=$!
	wait_for has_lines out 2
	kill -INT "$pid"
	wait_while_running "$pid" not_pending "$pid" INT
	local n=$(lines out)
	# it goes on writing: the SIGINT did not stop it
	wait_while_running "$pid" has_lines out $((n + 10))
	kill -TERM "$pid"
	assert_status "$pid" 143
}

@test "randsrc: leaves a shared pipe blocking on every way out" {
	run -0 bash -c '{ randsrc --count 3 --rate 0; fdprobe nonblock 1; } | tail -1'
	assert_output block
	# death by SIGPIPE: the flags are put back before it
	run -0 --separate-stderr bash -c '{ randsrc --rate 0; fdprobe nonblock 1 >&2; } | head -1 >/dev/null'
	assert_equal "$stderr" block
	# death by SIGTERM, once it has made the shared pipe non-blocking
	run -0 bash -c '{ exec 4>&1; randsrc --rate 0 & p=$!
		until [ "$(fdprobe nonblock 4)" = nonblock ]; do sleep 0.01; done
		kill $p; wait $p; echo "status $?" >&2; fdprobe nonblock 1 >&2; } 2>&1 | tail -2'
	assert_output $'status 143\nblock'
}

@test "randsrc: memory stays bounded while its reader is stalled" {
	local r1 r2
	mkfifo fifo
	randsrc --rate 0 >fifo 3>&- &
	local pid=$!
	exec 4<fifo
	# the reader takes nothing: the pipe fills, then randsrc waits
	wait_for blocked "$pid"
	r1=$(rss_kib "$pid")
	sleep 0.3	# the span over which it must not grow
	r2=$(rss_kib "$pid")
	# the reader goes: randsrc ends quietly by SIGPIPE
	exec 4<&-
	assert_status "$pid" 141
	assert [ "$r2" -lt "$RSS_LIMIT_KIB" ]
	assert [ $((r2 - r1)) -lt 1000 ]
}

@test "randsrc: into a file and a terminal-less stdout, O_NONBLOCK is never set" {
	# the file's description is this shell's: look at it while randsrc
	# writes into it, and after a SIGKILL gave it no chance to put
	# anything back
	exec 5>file
	randsrc --rate 1000 >&5 3>&- &
	local pid=$!
	wait_for has_lines file 1
	run -0 fdprobe nonblock 5
	assert_output block
	kill -KILL "$pid"
	assert_status "$pid" 137
	run -0 fdprobe nonblock 5
	exec 5>&-
	assert_output block
}

@test "randsrc: with SIGPIPE ignored by its parent, a closed reader still ends it quietly" {
	run -0 --separate-stderr bash -c 'trap "" PIPE; randsrc --rate 0 | head -1 >/dev/null; echo "${PIPESTATUS[0]}"'
	assert_output 141
	assert_equal "$stderr" ""
}
