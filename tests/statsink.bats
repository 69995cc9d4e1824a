# SPDX-License-Identifier: ISC
load helpers

# catches PID SIG: PID has a handler for signal number SIG.
catches() {
	local mask
	mask=$(awk '/^SigCgt:/ { print $2 }' "/proc/$1/status")
	(( (16#$mask >> ($2 - 1)) & 1 ))
}

# table: statsink's table without the three lines that change run to run,
# which are checked for their form.
table() {
	statsink "$@" >"$BATS_TEST_TMPDIR/table" || return
	grep -Ev '^(elapsed   [0-9]+\.[0-9]{3} s|(rate     |mean rate) [0-9]+\.[0-9] records/s)$' \
	    "$BATS_TEST_TMPDIR/table"
}

export -f table

# nojson: drop the three timing keys of statsink --json, checking their
# form.
nojson() {
	sed -E 's/,"elapsed_s":[0-9]+\.[0-9]{6},"rate":[0-9]+\.[0-9],"mean_rate":[0-9]+\.[0-9],/,/'
}
export -f nojson

@test "statsink: a table at the end of input, aligned" {
	run -0 bash -c 'seq 1 5 | statsink'
	assert_line --index 0 'count     5'
	assert_line --index 5 'stddev    1.414'
	assert_line --index 6 --regexp '^elapsed   [0-9]+\.[0-9]{3} s$'
	assert_line --index 7 --regexp '^rate      [0-9]+\.[0-9] records/s$'
	assert_line --index 8 --regexp '^mean rate [0-9]+\.[0-9] records/s$'
	[ "${#lines[@]}" -eq 9 ]
	run -0 bash -c 'seq 1 5 | table'
	assert_output 'count     5
sum       15
min       1
max       5
mean      3.000
stddev    1.414'
	[ "${#lines[@]}" -eq 6 ]
}

@test "statsink: --json prints one object with every key" {
	run -0 bash -c 'seq 1 5 | statsink --json'
	assert_output --regexp '^\{"count":5,"bad":0,"sum":15,"min":1,"max":5,"mean":3,"stddev":1\.4142135623730951,"elapsed_s":[0-9]+\.[0-9]{6},"rate":[0-9]+\.[0-9],"mean_rate":[0-9]+\.[0-9],"final":true\}$'
	run -0 bash -c 'seq 1 5 | statsink -j | nojson'
	assert_output '{"count":5,"bad":0,"sum":15,"min":1,"max":5,"mean":3,"stddev":1.4142135623730951,"final":true}'
	echo "$output" | python3 -c 'import json, sys; json.load(sys.stdin)'
}

@test "statsink: empty input prints count 0 and no made-up figures" {
	run -0 table </dev/null
	assert_output 'count     0
sum       0'
	run -0 bash -c 'statsink --json </dev/null | nojson'
	assert_output '{"count":0,"bad":0,"sum":0,"min":null,"max":null,"mean":null,"stddev":null,"final":true}'
}

@test "statsink: one record" {
	run -0 bash -c 'echo -7 | table'
	assert_output 'count     1
sum       -7
min       -7
max       -7
mean      -7.000
stddev    0.000'
}

@test "statsink: INT64_MIN and INT64_MAX, and a sum beyond int64 printed exactly" {
	run -0 bash -c "printf -- '-9223372036854775808\n-9223372036854775808\n9223372036854775807\n' | statsink --json | nojson"
	assert_output '{"count":3,"bad":0,"sum":-9223372036854775809,"min":-9223372036854775808,"max":9223372036854775807,"mean":-3.0744573456182586e+18,"stddev":8.6958785502218547e+18,"final":true}'
	run -0 bash -c "yes 9223372036854775807 | head -n 1000 | statsink --json | nojson"
	assert_output '{"count":1000,"bad":0,"sum":9223372036854775807000,"min":9223372036854775807,"max":9223372036854775807,"mean":9.2233720368547758e+18,"stddev":0,"final":true}'
}

@test "statsink: the spread of large close values is not lost" {
	run -0 bash -c 'python3 -c "
for i in range(100000): print(10**15 + i % 10)" | statsink --json | nojson'
	assert_output '{"count":100000,"bad":0,"sum":100000000000000450000,"min":1000000000000000,"max":1000000000000009,"mean":1000000000000004.5,"stddev":2.872281323269013,"final":true}'
}

@test "statsink: agrees with python on a seeded stream" {
	run -0 bash -c 'randsrc --rate 0 --count 200000 --seed 9 --min -1000000000000 --max 1000000000000 | statsink --json'
	got=$output
	run -0 python3 -c '
import json, math, subprocess, sys
got = json.loads(sys.argv[1])
vals = [int(x) for x in subprocess.run(["randsrc", "--rate", "0", "--count",
    "200000", "--seed", "9", "--min", "-1000000000000", "--max",
    "1000000000000"], capture_output=True, check=True).stdout.split()]
n = len(vals)
s = sum(vals)
mean = s / n
sd = math.sqrt(sum((v - mean) ** 2 for v in vals) / n)
assert got["count"] == n, got
assert got["sum"] == s, (got["sum"], s)
assert got["min"] == min(vals) and got["max"] == max(vals), got
assert math.isclose(got["mean"], mean, rel_tol=1e-12), (got["mean"], mean)
assert math.isclose(got["stddev"], sd, rel_tol=1e-9), (got["stddev"], sd)
print("ok")' "$got"
	assert_output ok
}

@test "statsink: bad records are reported and left out of the figures (65)" {
	run -65 --separate-stderr bash -c "set -o pipefail; printf '1\nx\n3\n' | statsink --json | nojson"
	assert_output '{"count":2,"bad":1,"sum":4,"min":1,"max":3,"mean":2,"stddev":1,"final":true}'
	[ "$stderr" = 'statsink: line 2: bad record "x": not an integer
statsink: 1 bad record' ]
}

@test "statsink: --strict stops at the first bad record, with no report; --rejects keeps it" {
	rej="$BATS_TEST_TMPDIR/rej"
	run -65 --separate-stderr bash -c "printf '1\n2\n1.5\n3\n' | statsink --strict --rejects '$rej' --json"
	assert_output ""
	[ "$stderr" = 'statsink: line 3: bad record "1.5": not an integer' ]
	[ "$(cat "$rej")" = "1.5" ]
}

@test "statsink: usage errors say what is wrong in one line (64)" {
	run -64 --separate-stderr statsink --every 0
	[ "$stderr" = "statsink: --every: \"0\" is too small
Try 'statsink --help' for more information." ]
	run -64 --separate-stderr statsink --every soon
	[ "${stderr%%$'\n'*}" = 'statsink: --every: "soon" is invalid' ]
	run -64 --separate-stderr statsink --every
	[ "${stderr##*$'\n'}" = "Try 'statsink --help' for more information." ]
	# an operand is a file to read now (contract.bats): a flag's value is
	# what is left to refuse
	run -64 --separate-stderr statsink --json=yes
	[ "${stderr%%$'\n'*}" = "statsink: option '--json' doesn't allow an argument" ]
}

@test "statsink: --help and --version go to stdout (0)" {
	run -0 statsink --help
	assert_line --index 0 'usage: statsink [-j] [--every duration] [--strict] [--rejects file]'
	run -0 statsink --version
	assert_output --regexp '^statsink \(sluice\) '
}

@test "statsink: --every reports the running figures while the input stays open" {
	fifo="$BATS_TEST_TMPDIR/in" out="$BATS_TEST_TMPDIR/out"
	mkfifo "$fifo"
	t0=$(date +%s%N)
	statsink --json --every 50ms <"$fifo" >"$out" 3>&- &
	pid=$!
	exec 4>"$fifo"
	printf '1\n2\n3\n' >&4
	wait_for grep -q '"count":3,' "$out"
	n=$(lines "$out")
	wait_for has_lines "$out" $((n + 2))
	exec 4>&-
	assert_status "$pid" 0
	ms=$((($(date +%s%N) - t0) / 1000000))
	run -0 nojson <"$out"
	assert_line --index 0 --regexp '^\{"count":[0-3],"bad":0,'
	# every report but the last is interim
	assert_equal "$(grep -c '"final":false}$' "$out")" $((${#lines[@]} - 1))
	assert_line --index -1 '{"count":3,"bad":0,"sum":6,"min":1,"max":3,"mean":2,"stddev":0.81649658092772603,"final":true}'
	# one report for each 50 ms that statsink ran, at most, and the last
	((${#lines[@]} >= 4 && ${#lines[@]} <= ms / 50 + 1)) ||
		fail "${#lines[@]} reports in $ms ms"
}

@test "statsink: rate is since the last report, so a stalled stream reads 0; mean_rate is since the start" {
	fifo="$BATS_TEST_TMPDIR/in" out="$BATS_TEST_TMPDIR/out"
	mkfifo "$fifo"
	statsink -j --every 50ms <"$fifo" >"$out" 3>&- &
	pid=$!
	exec 4>"$fifo"
	printf '1\n2\n3\n' >&4
	wait_for grep -q '"count":3,' "$out"
	n=$(grep -n -m1 '"count":3,' "$out" | cut -d: -f1)
	# three reports of the stall, then the end
	wait_for has_lines "$out" $((n + 3))
	exec 4>&-
	assert_status "$pid" 0
	run -0 python3 -c '
import json, sys
objs = [json.loads(l) for l in open(sys.argv[1])]
n = int(sys.argv[2])
keys = ["count", "bad", "sum", "min", "max", "mean", "stddev",
    "elapsed_s", "rate", "mean_rate", "final"]
for o in objs:
    assert list(o) == keys, list(o)
assert [o["final"] for o in objs] == [False] * (len(objs) - 1) + [True]
assert objs[n - 1]["rate"] > 0, objs[n - 1]
for o in objs[n:]:
    assert o["count"] == 3 and o["rate"] == 0, o
for o in objs[n - 1:]:
    assert o["mean_rate"] > 0, o
    assert abs(o["mean_rate"] - 3 / o["elapsed_s"]) <= 0.06, o
print(len(objs[n:]), "stalled")' "$out" "$n"
	assert_output --regexp '^[0-9]+ stalled$'
	((${output%% *} >= 3))
}

@test "statsink: SIGUSR1 reports at once; SIGTERM gives the final figures (143)" {
	fifo="$BATS_TEST_TMPDIR/in" out="$BATS_TEST_TMPDIR/out"
	mkfifo "$fifo"
	statsink <"$fifo" >"$out" 3>&- &
	pid=$!
	exec 4>"$fifo"
	wait_for catches "$pid" 10
	printf '10\n20\n' >&4
	# ask until the report shows both records read
	asked=0
	usr1_count2() {
		kill -USR1 "$pid" && asked=$((asked + 1)) &&
			grep -q '^count     2$' "$out"
	}
	wait_for usr1_count2
	n=$(lines "$out")
	kill -TERM "$pid"
	assert_status "$pid" 143
	exec 4>&-
	# a report for each SIGUSR1 at most (two sent at once may be one),
	# and the final one
	reports=$(grep -c '^count ' "$out")
	((reports >= 2 && reports <= asked + 1)) ||
		fail "$reports reports for $asked SIGUSR1"
	run -0 bash -c "tail -n +$((n + 1)) '$out' | grep -Ev '^(elapsed|rate|mean rate) '"
	assert_output 'count     2
sum       30
min       10
max       20
mean      15.000
stddev    5.000'
}

@test "statsink: SIGINT gives the final figures too (130)" {
	fifo="$BATS_TEST_TMPDIR/in" out="$BATS_TEST_TMPDIR/out"
	mkfifo "$fifo"
	sigint_default statsink --json --every 20ms <"$fifo" >"$out" 3>&- &
	pid=$!
	exec 4>"$fifo"
	printf '4\n' >&4
	wait_for grep -q '"count":1,' "$out"
	kill -INT "$pid"
	assert_status "$pid" 130
	exec 4>&-
	run -0 bash -c "tail -n 1 '$out' | nojson"
	assert_output '{"count":1,"bad":0,"sum":4,"min":4,"max":4,"mean":4,"stddev":0,"final":true}'
}

@test "statsink: the descriptors' flags are as they were, after a pipe" {
	run -0 bash -c 'seq 3 | { statsink >/dev/null; fdprobe nonblock 0; }'
	assert_output "block"
}

@test "statsink: SIGTERM puts back the flags of a pipe it shares with the shell" {
	term_restores_flags statsink --json
}
