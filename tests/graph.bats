#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# pipesup's graphs (sluice(7), THE SUPERVISOR): from= lists, the proctee and
# procmerge stages it adds, the drain from every source, restarts in a
# graph, the exit status in topological order, the descriptors.

setup() {
	load helpers
	OUT=$BATS_TEST_TMPDIR/out
	ERR=$BATS_TEST_TMPDIR/err
	F=$BATS_TEST_TMPDIR/g.pipe
	D=$BATS_TEST_TMPDIR
}

teardown() {
	kill_leftover_pipeline
}

# rows: the summary rows without the pid, "NAME RESTARTS ENDED | IN OUT BAD".
rows() {
	sed -nE 's/^(\S+) +[0-9]+ +([0-9]+) +(.*\S) +(\S+) +(\S+) +(\S+)$/\1 \2 \3 | \4 \5 \6/p' "$ERR"
}

ended() {
	rows | sed 's/ |.*//'
}

# pipes: the summary's table of pipes, header and all, blanks squeezed
pipes() {
	sed -n '/^pipe /,/^pipesup: /p' "$ERR" | grep -v '^pipesup: ' | tr -s ' '
}

# out_count NAME: the records stage NAME wrote, by the summary
out_count() {
	rows | awk -v n="$1" '$1 == n { print $(NF - 1) }'
}

# to_file NAME: a stage line that runs CMD with its stdout in $D/NAME
to_file() {
	local name=$1
	shift
	printf '%s from=%s: sh -c '\''exec "$@" >"$0"'\'' %s %s\n' \
		"$name" "$FROM" "$D/$name" "$*"
}

# at_least_once EXPECTED GOT: every record of EXPECTED is in GOT, in
# order, whole; only runs written again after a crash repeat
at_least_once() {
	run -0 chaos_check.py "$1" "$2"
	assert_output --regexp ', lost 0 in 0 gaps, torn or made up 0,'
}

@test "graph: an unknown from=, a cycle, a name twice, a name pipesup needs: FILE:LINE, exit 64, nothing runs" {
	# stages that end at once: a fault that lets one of these run ends
	printf 'a: true\nb from=c: true\n' >"$F"
	run -64 --separate-stderr pipesup -f "$F"
	assert_output ""
	assert_equal "$stderr" "pipesup: $F:2: from=: no stage is named c"
	printf 'a from=c: true\nb from=a: true\nc from=b: true\n' >"$F"
	run -64 --separate-stderr pipesup -f "$F"
	assert_equal "$stderr" "pipesup: $F:1: stages read each other in a cycle: a -> b -> c -> a"
	printf 'a: true\n\nb from=b: true\n' >"$F"
	run -64 --separate-stderr pipesup -f "$F"
	assert_equal "$stderr" "pipesup: $F:3: stage b reads itself"
	printf 'a: true\nb from=a,-,a: true\n' >"$F"
	run -64 --separate-stderr pipesup -f "$F"
	assert_equal "$stderr" "pipesup: $F:2: from= names a twice"
	printf 'a: true\nb from=a,: true\n' >"$F"
	run -64 --separate-stderr pipesup -f "$F"
	assert_equal "$stderr" "pipesup: $F:2: from= takes stage names separated by ',' (\"-\" for the standard input), or nothing"
	printf 'a: true\nb from=a: true\nc from=a: true\na.tee: true\n' >"$F"
	run -64 --separate-stderr pipesup -f "$F"
	assert_equal "$stderr" "pipesup: $F:4: the stage name a.tee is the one pipesup gives the proctee it adds"
}

@test "graph: the table of lib/graph, what pipesup runs for each from=" {
	run -0 unit_graph
	assert_output ""
}

@test "graph: an empty from= reads /dev/null, not pipesup's stdin; '-' reads it, a proctee where two do" {
	printf 'a from=: readlink /proc/self/fd/0\n' >"$F"
	run -0 --separate-stderr bash -c 'seq 3 | pipesup -q -f "$1"' sh "$F"
	assert_output "/dev/null"
	{
		FROM=- to_file x cat
		FROM=- to_file y procmap --add 10
	} >"$F"
	run -0 --separate-stderr bash -c 'seq 3 | pipesup -f "$1"' sh "$F"
	assert_output ""
	assert_equal "$(cat "$D/x")" "$(seq 3)"
	assert_equal "$(cat "$D/y")" "$(seq 11 13)"
	echo "$stderr" >"$ERR"
	assert_equal "$(ended)" "stdin.tee 0 exit 0
x 0 exit 0
y 0 exit 0
stdout.merge 0 exit 0"
}

@test "graph: a seeded source into three sinks through the proctee pipesup adds: each gets exactly the stream" {
	{
		echo "src: randsrc --seed 1 --count 20000 --rate 0"
		FROM=src to_file p procprint
		FROM=src to_file s statsink
		FROM=src to_file c cat
	} >"$F"
	run -0 --separate-stderr pipesup -f "$F"
	assert_output ""
	randsrc --seed 1 --count 20000 --rate 0 >"$D/want"
	cmp "$D/want" "$D/c"
	procprint <"$D/want" | cmp - "$D/p"
	# its figures, less the time they took
	statsink <"$D/want" | head -n 6 | cmp - <(head -n 6 "$D/s")
	echo "$stderr" >"$ERR"
	assert_equal "$(rows)" "src 0 exit 0 | 0 20000 0
src.tee 0 exit 0 | 20000 20000 0
p 0 exit 0 | 20000 20000 0
s 0 exit 0 | 20000 9 0
c 0 exit 0 | - - -
stdout.merge 0 exit 0 | 0 0 0"
	assert_equal "$(pipes)" "pipe queued bytes
src -> src.tee -
src.tee -> p -
src.tee -> s -
src.tee -> c -
p -> stdout.merge -
s -> stdout.merge -
c -> stdout.merge -"
}

@test "graph: sinks read by nobody share pipesup's stdout through procmerge --lines: each one's lines whole, in order" {
	printf '%s\n' "src: randsrc --seed 1 --count 20000 --rate 0" \
		"p from=src: procprint" "s from=src: statsink" >"$F"
	run -0 --separate-stderr pipesup -q -f "$F"
	randsrc --seed 1 --count 20000 --rate 0 >"$D/want"
	# procprint's lines, all of them in order, none torn by statsink's
	grep '^Received data: ' <<<"$output" | cmp - <(procprint <"$D/want")
	# statsink's figures, less the time they took, and nothing else
	grep -v '^Received data: ' <<<"$output" >"$D/s"
	assert_equal "$(wc -l <"$D/s")" 9
	statsink <"$D/want" | head -n 6 | cmp - <(head -n 6 "$D/s")
	assert_equal "${#lines[@]}" 20009
}

@test "graph: a branch whose reader ended for good: the proctee goes on with the others, and all end well" {
	{
		echo "src: randsrc --seed 7 --count 300000 --rate 0"
		FROM=src to_file x head -n 5
		FROM=src to_file y cat
	} >"$F"
	run -0 --separate-stderr pipesup -f "$F"
	randsrc --seed 7 --count 300000 --rate 0 >"$D/want"
	head -n 5 "$D/want" | cmp - "$D/x"
	cmp "$D/want" "$D/y"
	assert_regex "$stderr" $'^src.tee: proctee: stdout: its reader went away after [0-9]+ records\n'
	echo "$stderr" >"$ERR"
	assert_equal "$(ended)" "src 0 exit 0
src.tee 0 exit 0
x 0 exit 0
y 0 exit 0
stdout.merge 0 exit 0"
}

@test "graph: two seeded sources merged into one processor: their union, each in its order, no record torn" {
	cat >"$F" <<-'EOF'
	a:         randsrc --seed 1 --count 30000 --rate 0
	b from=:   randsrc --seed 2 --count 30000 --rate 0 --min 1000 --max 2000
	m from=a,b: procmap --add 0
	EOF
	pipesup --json -f "$F" >"$OUT" 2>"$ERR"
	randsrc --seed 1 --count 30000 --rate 0 >"$D/a"
	randsrc --seed 2 --count 30000 --rate 0 --min 1000 --max 2000 >"$D/b"
	run -1 grep -vxE '[0-9]+' "$OUT"
	assert_equal "$(lines "$OUT")" 60000
	awk '$1 < 1000' "$OUT" | cmp - "$D/a"
	awk '$1 >= 1000' "$OUT" | cmp - "$D/b"
	run -0 jq -c '[.exit_status, [.stages[] | .name], .edges]' "$ERR"
	assert_output '[0,["a","b","m.merge","m"],[{"from":"a","to":"m.merge","queued_bytes":null},{"from":"b","to":"m.merge","queued_bytes":null},{"from":"m.merge","to":"m","queued_bytes":null}]]'
}

@test "graph: SIGTERM drains from every source; every record they made reaches every sink, by the counters" {
	{
		echo "a: randsrc --seed 1 --rate 20000"
		echo "b from=: randsrc --seed 2 --rate 20000 --min 1000 --max 2000"
		echo "m from=a,b: procmap --add 0"
		FROM=m to_file x cat
		FROM=m to_file y procprint
	} >"$F"
	bg -f "$F"
	wait_for has_lines "$D/x" 3000
	kill -TERM "$PID"
	finish
	assert_equal "$ST" 0
	local na nb
	na=$(out_count a)
	nb=$(out_count b)
	assert_equal "$(ended)" "a 0 SIGTERM (drain)
b 0 SIGTERM (drain)
m.merge 0 exit 0
m 0 exit 0
m.tee 0 exit 0
x 0 exit 0
y 0 exit 0
stdout.merge 0 exit 0"
	assert_equal "$(lines "$D/x")" $((na + nb))
	awk '$1 < 1000' "$D/x" | cmp - <(randsrc --seed 1 --rate 0 --count "$na")
	awk '$1 >= 1000' "$D/x" | cmp - <(randsrc --seed 2 --rate 0 --count "$nb" --min 1000 --max 2000)
	procprint <"$D/x" | cmp - "$D/y"
}

@test "graph --restart on-failure: a processor after the proctee killed mid-stream; each branch gets every record" {
	{
		echo "src: randsrc --seed 3 --count 40000 --rate 40000"
		echo "m from=src: procmap --add 0"
		FROM=src to_file x cat
	} >"$F"
	bg --restart on-failure -f "$F"
	wait_for has_lines "$OUT" 4000
	kill -KILL "$(kid procmap)"
	finish
	assert_equal "$ST" 0
	assert_equal "$(head -n 1 "$ERR")" "pipesup: m: SIGKILL; restarting in 100ms"
	randsrc --seed 3 --count 40000 --rate 0 >"$D/want"
	cmp "$D/want" "$D/x"
	at_least_once "$D/want" "$OUT"
	assert_equal "$(ended)" "src 0 exit 0
src.tee 0 exit 0
m 1 exit 0
x 0 exit 0
stdout.merge 0 exit 0"
}

@test "graph --restart on-failure: the proctee pipesup adds killed mid-stream; each branch gets every record" {
	{
		echo "src: randsrc --seed 4 --count 40000 --rate 40000"
		FROM=src to_file x cat
		FROM=src to_file y procmap --add 0
	} >"$F"
	bg --restart on-failure -f "$F"
	wait_for has_lines "$D/x" 4000
	kill -KILL "$(kid proctee)"
	finish
	assert_equal "$ST" 0
	assert_equal "$(head -n 1 "$ERR")" "pipesup: src.tee: SIGKILL; restarting in 100ms"
	randsrc --seed 4 --count 40000 --rate 0 >"$D/want"
	at_least_once "$D/want" "$D/x"
	at_least_once "$D/want" "$D/y"
	assert_equal "$(ended)" "src 0 exit 0
src.tee 1 exit 0
x 0 exit 0
y 0 exit 0
stdout.merge 0 exit 0"
}

@test "graph --restart on-failure: the processor after a merge, then the merge, killed mid-stream; each source's records all arrive" {
	cat >"$F" <<-'EOF'
	a:          randsrc --seed 5 --count 40000 --rate 20000
	b from=:    randsrc --seed 6 --count 40000 --rate 20000 --min 1000 --max 2000
	m from=a,b: procmap --add 0
	EOF
	bg --restart on-failure -f "$F"
	wait_for has_lines "$OUT" 4000
	kill -KILL "$(kid procmap)"
	# the procmerge pipesup added holds both its inputs
	wait_for has_lines "$OUT" 12000
	kill -KILL "$(kid procmerge)"
	finish
	assert_equal "$ST" 0
	randsrc --seed 5 --count 40000 --rate 0 >"$D/a"
	randsrc --seed 6 --count 40000 --rate 0 --min 1000 --max 2000 >"$D/b"
	awk '$1 < 1000' "$OUT" >"$D/got.a"
	awk '$1 >= 1000' "$OUT" >"$D/got.b"
	at_least_once "$D/a" "$D/got.a"
	at_least_once "$D/b" "$D/got.b"
	assert_equal "$(ended)" "a 0 exit 0
b 0 exit 0
m.merge 1 exit 0
m 1 exit 0"
}

@test "graph: the exit status is the failing stage's last in topological order, not in the file" {
	cat >"$F" <<-'EOF'
	late  from=early: sh -c 'cat >/dev/null; exit 5'
	other from=:      sh -c 'exit 4'
	early from=:      sh -c 'exit 6'
	EOF
	run -5 --separate-stderr pipesup -f "$F"
	echo "$stderr" >"$ERR"
	assert_equal "$(ended)" "other 0 exit 4
early 0 exit 6
late 0 exit 5
stdout.merge 0 exit 0"
	assert_equal "$(tail -n 1 "$ERR")" "pipesup: late failed: exit 5"
	# two branches fail: the later in the file wins the tie
	cat >"$F" <<-'EOF'
	src:           randsrc -n 10 --rate 0
	x from=src:    sh -c 'cat >/dev/null; exit 3'
	y from=src:    sh -c 'cat >/dev/null; kill -TERM $$'
	EOF
	run -143 --separate-stderr pipesup -f "$F"
	assert_equal "${stderr##*$'\n'}" "pipesup: y failed: SIGTERM"
}

@test "graph: a stage gets only 0, 1, 2 and 3; a proctee and a procmerge their extra pipes from 4" {
	local bin
	bin=$BATS_TEST_TMPDIR/bin
	mkdir "$bin"
	# the programs pipesup adds are found in PATH: these look first
	for p in proctee procmerge; do
		printf '#!/bin/sh\nfdprobe fds >"%s/$SLUICE_STAGE.fds"\nPATH=%s exec %s "$@"\n' \
			"$D" "$PATH" "$p" >"$bin/$p"
		chmod +x "$bin/$p"
	done
	cat >"$F" <<-'EOF'
	a:          randsrc -n 3 --rate 0
	b from=:    randsrc -n 3 --rate 0
	m from=a,b: fdprobe fds
	x from=m:   fdprobe fds
	y from=m:   procmap --add 0
	EOF
	PATH=$bin:$PATH run -0 --separate-stderr pipesup -q -f "$F"
	assert_equal "$(sort -n <<<"$output" | uniq -c | tr -s ' ')" " 2 0
 2 1
 2 2
 2 3"
	assert_equal "$(cat "$D/m.tee.fds")" "$(seq 0 4)"
	assert_equal "$(cat "$D/m.merge.fds")" "$(seq 0 5)"
	assert_equal "$(cat "$D/stdout.merge.fds")" "$(seq 0 5)"
}
