#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# procmerge: several streams of records into one, whole records only,
# fair between the inputs that are ready, each input's order kept.
#
# Most tests tell the inputs apart by their values: the first's are 1 to
# 100 (randsrc's default), the second's 1001 to 1100.

load helpers

setup() {
	cd "$BATS_TEST_TMPDIR" || exit 1
}

teardown() {
	# a writer (or a held procmerge) a failed test left behind
	local p
	for p in ${BG:-} ${MERGE:-}; do
		kill -KILL "$p" 2>/dev/null || true
	done
}

# first FILE / second FILE: the lines of an output from each input
first() {
	awk '$1 <= 100' "$1"
}

second() {
	awk '$1 > 1000' "$1"
}

# wrote PID: the bytes PID has written so far
wrote() {
	awk '/^wchar:/ { print $2 }' "/proc/$1/io"
}

@test "procmerge: two seeded streams come out as their union, whole, each in its order" {
	randsrc --rate 0 --count 200000 --seed 1 >a
	randsrc --rate 0 --count 200000 --seed 2 | procmap --add 1000 >b
	counters page
	# through process substitution, each a pipe of its own
	(SLUICE_STATS_FD=5 SLUICE_STATS_PID=$BASHPID exec procmerge \
		<(cat a) <(cat b) >out 5<>page 3>&-)
	assert_equal "$(lines out)" 400000
	# every line a record, none torn: a torn one is no value of either
	run -1 grep -m 3 -vxE '[1-9][0-9]?|100|10[0-9][0-9]|1100' out
	assert_output ""
	run -0 cmp <(sort a b) <(sort out)
	run -0 cmp <(first out) a
	run -0 cmp <(second out) b
	assert_equal "$(counter page in)" 400000
	assert_equal "$(counter page out)" 400000
	assert_equal "$(counter page bad)" 0

	# the same through FIFOs whose writers come after procmerge opened them
	mkfifo fa fb
	procmerge fa fb >out2 3>&- &
	local pid=$!
	randsrc --rate 0 --count 200000 --seed 1 >fa 3>&- &
	randsrc --rate 0 --count 200000 --seed 2 --min 1001 --max 1100 >fb 3>&-
	assert_status "$pid" 0
	run -0 cmp <(first out2) a
	run -0 cmp <(second out2) b
}

@test "procmerge: a part line waits for its end while another input flows: never a torn record" {
	mkfifo a b c
	procmerge a b c >out 3>&- &
	local pid=$!
	exec 4>a 5>b
	# c flows all along, one-digit records at 2000 a second
	randsrc --rate 2000 --min 1 --max 9 >c 3>&- &
	BG=$!
	local i n x y
	local -a xs=(1234 2345 3456) ys=(5678 6789 7890)
	for i in 0 1 2; do
		x=${xs[i]} y=${ys[i]}
		printf '%s' "${x:0:2}" >&4
		printf '%s' "${y:0:1}" >&5
		# c goes on, many turns of the loop, while the halves wait
		n=$(lines out)
		wait_while_running "$pid" has_lines out $((n + 50))
		printf '%s\n' "${x:2}" >&4
		wait_while_running "$pid" grep -qx "$x" out
		n=$(lines out)
		wait_while_running "$pid" has_lines out $((n + 50))
		printf '%s\n' "${y:1}" >&5
		wait_while_running "$pid" grep -qx "$y" out
	done
	exec 4>&- 5>&-
	kill -TERM "$BG"
	wait "$BG" || true
	assert_status "$pid" 0
	# each line one of c's records or one written in two halves, whole
	run -0 grep -vxE '[1-9]' out
	assert_output "$(printf '%s\n' 1234 5678 2345 6789 3456 7890)"
}

@test "procmerge: two busy inputs advance together, turns of at most 64 records" {
	randsrc --rate 0 --count 200000 --seed 1 >a
	randsrc --rate 0 --count 200000 --seed 2 --min 1001 --max 1100 >b
	procmerge a b >out
	local n k
	# the second's records are longer: a share by bytes would favour
	# the first 5 to 3
	for n in 1000 10000 100000 300000; do
		k=$(head -n "$n" out | second /dev/stdin | wc -l)
		((k * 100 >= n * 45 && k * 100 <= n * 55)) ||
			fail "the second input has $k of the first $n records"
	done
	# while both have records, neither gives more than 64 in a row
	run -0 bash -c "head -n 390000 out | awk '{ s = \$1 > 1000 }
		s == p { r++ } s != p { r = 1; p = s } r > m { m = r }
		END { print m }'"
	assert_output 64
	run -0 cmp <(first out) a
	run -0 cmp <(second out) b
}

@test "procmerge: a record comes out at once while another input stays open and silent" {
	mkfifo a b
	# through | cat: nothing is held for a reader that is a pipe either
	procmerge a b 3>&- | cat >out 3>&- &
	local pid=$!
	exec 4>a 5>b
	echo 7 >&4
	wait_for grep -qx 7 out
	echo 1008 >&5
	wait_for grep -qx 1008 out
	echo 9 >&4
	wait_for grep -qx 9 out
	exec 4>&- 5>&-
	assert_status "$pid" 0
	assert_equal "$(cat out)" $'7\n1008\n9'
}

@test "procmerge: an input that ends early does not end the merge; the last one does" {
	mkfifo a b
	procmerge a b >out 3>&- &
	local pid=$!
	exec 4>a 5>b
	echo 1 >&4
	exec 4>&-
	wait_for grep -qx 1 out
	echo 1002 >&5
	wait_while_running "$pid" grep -qx 1002 out
	echo 1003 >&5
	wait_while_running "$pid" grep -qx 1003 out
	exec 5>&-
	assert_status_within 5 "$pid" 0
	assert_equal "$(cat out)" $'1\n1002\n1003'
}

@test "procmerge: a FIFO without a writer yet holds up no other input" {
	mkfifo late
	printf '1001\n1002\n' >b
	procmerge late b >out 3>&- &
	local pid=$!
	wait_while_running "$pid" has_lines out 2
	echo 5 >late
	assert_status_within 5 "$pid" 0
	assert_equal "$(cat out)" $'1001\n1002\n5'
}

@test "procmerge: stdin is - or no operand; the same pipe twice is refused (64)" {
	printf '1001\n' >b
	run -0 bash -c 'seq 3 | procmerge'
	assert_output $'1\n2\n3'
	run -0 bash -c 'seq 3 | procmerge b - | sort -n'
	assert_output $'1\n2\n3\n1001'
	# a regular file twice is two inputs, each read whole
	run -0 procmerge b b
	assert_output $'1001\n1001'
	run -64 --separate-stderr bash -c 'seq 3 | procmerge - /dev/stdin'
	assert_output ""
	assert_equal "$stderr" "procmerge: - and /dev/stdin are the same input: its records would be torn between two readers
Try 'procmerge --help' for more information."
	run -64 --separate-stderr procmerge - - </dev/null
	assert_equal "${stderr_lines[0]}" "procmerge: - and - are the same input: its records would be torn between two readers"
}

@test "procmerge: a file that cannot be opened or read is reported, the others read (66, 74)" {
	printf '1\n2\n' >a
	printf '1001\nx\n' >b
	run -66 --separate-stderr procmerge a missing b
	run -0 sort -n <<<"$output"
	assert_output $'1\n2\n1001'
	assert_equal "$stderr" "procmerge: missing: No such file or directory
procmerge: b:2: bad record \"x\": not an integer
procmerge: 1 bad record"
	run -66 --separate-stderr procmerge missing
	assert_output ""
	assert_equal "$stderr" "procmerge: missing: No such file or directory"
	mkdir dir
	run -74 --separate-stderr procmerge a dir missing
	assert_output $'1\n2'
	assert_equal "$stderr" "procmerge: missing: No such file or directory
procmerge: dir: Is a directory"
}

@test "procmerge: bad records are named by file and line, or by line on stdin (65)" {
	printf '1\nabc\n2\n' >a
	printf '1001\n\n1e3\n1002' >b
	run -65 --separate-stderr bash -c "printf '5\n0x10\n' | procmerge a b -"
	run -0 sort -n <<<"$output"
	assert_output $'1\n2\n5\n1001\n1002'
	run -0 sort <<<"$stderr"
	assert_output 'procmerge: 3 bad records
procmerge: a:2: bad record "abc": not an integer
procmerge: b:3: bad record "1e3": not an integer
procmerge: line 2: bad record "0x10": not an integer'
}

@test "procmerge: --strict stops at the first bad record after writing what came before it" {
	printf '1\n2\nx\n3\n' >a
	: >b
	run -65 --separate-stderr procmerge --strict a b
	assert_output $'1\n2'
	assert_equal "$stderr" 'procmerge: a:3: bad record "x": not an integer'
	run -65 --separate-stderr bash -c "printf '7\ny\n8\n' | procmerge --strict"
	assert_output 7
	assert_equal "$stderr" 'procmerge: line 2: bad record "y": not an integer'
}

@test "procmerge: --rejects keeps every input's bad lines, each whole" {
	mkfifo a b
	procmerge --rejects rej a b >out 2>err 3>&- &
	local pid=$!
	exec 4>a 5>b
	# an overlong bad line of a, its first 5000 bytes in the file
	head -c 5000 /dev/zero | tr '\0' x >&4
	wait_while_running "$pid" size_is rej 5000
	# b's good record goes by; its bad line waits for a's to end
	printf '1003\ny\n1004\n' >&5
	wait_while_running "$pid" grep -qx 1003 out
	assert_equal "$(wc -c <rej)" 5000
	printf 'xx\n5\n' >&4
	exec 4>&- 5>&-
	assert_status "$pid" 65
	assert_equal "$(head -c 5002 /dev/zero | tr '\0' x; printf '\ny')" "$(cat rej)"
	assert_equal "$(wc -l <rej)" 2
	run -0 sort -n out
	assert_output $'5\n1003\n1004'
	assert_equal "$(cat err)" 'procmerge: a:1: bad record "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...": line longer than 4096 bytes
procmerge: b:2: bad record "y": not an integer
procmerge: 2 bad records'
}

@test "procmerge: a stalled reader stops the reading of every input; memory stays bounded" {
	mkfifo a b o
	randsrc --rate 0 --seed 1 >a 3>&- &
	local w1=$!
	randsrc --rate 0 --seed 2 --min 1001 --max 1100 >b 3>&- &
	local w2=$!
	BG="$w1 $w2"
	procmerge a b >o 3>&- &
	local pid=$!
	exec 4<o
	wait_for blocked "$pid"
	wait_for blocked "$w1"
	wait_for blocked "$w2"
	local r1 r2 a1 b1
	r1=$(rss_kib "$pid") a1=$(wrote "$w1") b1=$(wrote "$w2")
	sleep 0.3
	r2=$(rss_kib "$pid")
	# neither writer got a byte more in: procmerge read nothing
	assert_equal "$(wrote "$w1")" "$a1"
	assert_equal "$(wrote "$w2")" "$b1"
	exec 4<&-
	assert_status "$pid" 141
	assert [ "$r2" -lt "$RSS_LIMIT_KIB" ]
	assert [ $((r2 - r1)) -lt 1000 ]
}

@test "procmerge: SIGTERM with the output stalled writes every record read, then dies by it" {
	mkfifo a b o
	randsrc --rate 0 --seed 1 >a 3>&- &
	local w1=$!
	randsrc --rate 0 --seed 2 --min 1001 --max 1100 >b 3>&- &
	local w2=$!
	BG="$w1 $w2"
	counters page
	(SLUICE_STATS_FD=5 SLUICE_STATS_PID=$BASHPID exec procmerge a b >o 5<>page 3>&-) &
	local pid=$!
	exec 4<o
	# stalled on its output, not waiting for slow writers to start
	stalled() { blocked "$pid" && (($(counter page in) > 30000)); }
	wait_for stalled
	kill -TERM "$pid"
	cat <&4 >out
	exec 4<&-
	assert_status "$pid" 143
	local n k
	n=$(lines out)
	# more than the pipe held: procmerge wrote out what it had read
	assert [ "$n" -gt 30000 ]
	assert_equal "$(counter page in)" "$n"
	assert_equal "$(counter page out)" "$n"
	assert_equal "$(tail -c 1 out | od -An -c | tr -d ' ')" '\n'
	# of each input, the first records, none lost, none torn
	k=$(first out | wc -l)
	run -0 cmp <(first out) <(randsrc --rate 0 --seed 1 --count "$k")
	k=$(second out | wc -l)
	run -0 cmp <(second out) <(randsrc --rate 0 --seed 2 --min 1001 --max 1100 --count "$k")
}

@test "procmerge: SIGINT while inputs flow stops reading and writes out the whole records (130)" {
	mkfifo a b
	randsrc --rate 0 --seed 1 >a 3>&- &
	local w1=$!
	randsrc --rate 0 --seed 2 --min 1001 --max 1100 >b 3>&- &
	local w2=$!
	BG="$w1 $w2"
	counters page
	(SLUICE_STATS_FD=5 SLUICE_STATS_PID=$BASHPID sigint_default procmerge a b >out 5<>page 3>&-) &
	local pid=$!
	wait_for has_lines out 100000
	kill -INT "$pid"
	assert_status "$pid" 130
	local n=$(lines out)
	assert_equal "$(counter page out)" "$n"
	assert_equal "$(counter page in)" "$n"
	assert_equal "$(tail -c 1 out | od -An -c | tr -d ' ')" '\n'
	run -0 cmp <(first out) <(randsrc --rate 0 --seed 1 --count "$(first out | wc -l)")
}

@test "procmerge: SIGTERM puts back the flags of a pipe it shares with the shell" {
	term_restores_flags procmerge
}

@test "procmerge: --help, --version, usage errors (64)" {
	run -0 procmerge --help
	assert_line --index 0 'usage: procmerge [--strict] [--rejects file] [file ...]'
	assert_line --regexp '^Example: procmerge '
	run -0 procmerge --version
	assert_output --regexp '^procmerge \(sluice\) '
	run -64 --separate-stderr procmerge --no-such
	assert_equal "${stderr_lines[1]}" "Try 'procmerge --help' for more information."
	run -64 --separate-stderr procmerge --rejects
	assert_equal "${stderr_lines[0]}" "procmerge: option '--rejects' requires an argument"
}

@test "procmerge --lines: text of two inputs, each line whole and in its order, lines longer than the buffer too" {
	run -0 python3 -c '
import os, random, subprocess, threading
random.seed(3)
ra, wa = os.pipe(); rb, wb = os.pipe()
p = subprocess.Popen(["procmerge", "--lines", "/dev/fd/%d" % ra, "/dev/fd/%d" % rb],
    stdout=subprocess.PIPE, pass_fds=(ra, rb))
os.close(ra); os.close(rb)
A = [b"a" * random.randint(1, 200000) for _ in range(40)]
B = [b"b%d " % i * random.randint(1, 30) for i in range(20000)]
def feed(w, lines):
    data = b"".join(l + b"\n" for l in lines)
    i = 0
    while i < len(data):
        n = random.randint(1, 9000)
        os.write(w, data[i:i + n]); i += n
    os.close(w)
t = [threading.Thread(target=feed, args=a) for a in ((wa, A), (wb, B))]
for x in t: x.start()
out = p.stdout.read().split(b"\n")
p.wait()
for x in t: x.join()
assert out.pop() == b""
assert [l for l in out if l[:1] == b"a"] == A, "a torn or out of order"
assert [l for l in out if l[:1] == b"b"] == B, "b torn or out of order"
print(p.returncode, len(out))'
	assert_output "0 20040"
}

@test "procmerge --lines: a last line without its newline gets one; no bad records, so no --strict or --rejects (64)" {
	printf 'Received data: 7\nlast' >a
	printf 'count    3\n' >b
	run -0 --separate-stderr procmerge --lines a b
	assert_output "Received data: 7
last
count    3"
	assert_equal "$stderr" ""
	run -64 --separate-stderr procmerge --lines --strict a
	assert_equal "${stderr_lines[0]}" "procmerge: --lines copies every line: it has no bad records for --strict or --rejects"
}

# Under pipesup (SLUICE_HELD=1) procmerge holds each input that is a pipe:
# here this shell plays pipesup, holding both ends of FIFOs a, b (the
# inputs, given as descriptors 3 and 4 and operands /dev/fd/3 /dev/fd/4,
# as pipesup gives them) and o (the output, which cat copies to out: a
# write of whole records into a pipe cannot be torn by a kill).

# held_merge: start procmerge on the held FIFOs; its pid is in $pid.
held_merge() {
	SLUICE_HELD=1 procmerge /dev/fd/3 /dev/fd/4 3<a 4<b >o \
		{ha}>&- {hb}>&- {ho}>&- &
	pid=$!
	MERGE=$pid
}

# holding PID: PID holds both inputs (an epoll descriptor each).  A FIFO
# opened after its last writer went never reports the hang-up (Linux), so
# this shell lets go of the inputs only after that.  (pipesup's pipes are
# not FIFOs: a reopened pipe reports it.)
holding() {
	(($(find "/proc/$1/fd" -lname 'anon_inode:*eventpoll*' | wc -l) >= 2))
}

@test "procmerge under pipesup: SIGKILLed with output waiting or mid-stream, its successors lose no record of either input" {
	local n=200000 k pid catpid w1 w2
	# wide values: a repeat or a gap cannot pass for the next record
	randsrc --seed 1 --count $n --rate 0 --min 1 --max 999999999 >want1
	randsrc --seed 2 --count $n --rate 0 --min 1000000000 \
		--max 1999999999 >want2
	mkfifo a b o
	exec {ha}<>a {hb}<>b {ho}<>o
	randsrc --seed 1 --count $n --rate 0 --min 1 --max 999999999 >a \
		{ha}>&- {hb}>&- {ho}>&- 3>&- &
	w1=$!
	randsrc --seed 2 --count $n --rate 0 --min 1000000000 \
		--max 1999999999 >b {ha}>&- {hb}>&- {ho}>&- 3>&- &
	w2=$!
	BG="$w1 $w2"
	# nobody reads o yet: procmerge waits with its output queued
	held_merge
	wait_for blocked "$pid"
	wait_for blocked "$w1"
	wait_for blocked "$w2"
	kill -KILL "$pid"
	assert_status "$pid" 137
	: >out
	cat o >out {ha}>&- {hb}>&- {ho}>&- 3>&- &
	catpid=$!
	BG="$BG $catpid"
	# then mid-stream, while the records flow
	for k in 1 2 3; do
		held_merge
		wait_for has_lines out $((k * n / 2))
		kill -KILL "$pid"
		assert_status "$pid" 137
	done
	held_merge
	wait "$w1" "$w2"
	wait_for holding "$pid"
	exec {ha}>&- {hb}>&-
	assert_status "$pid" 0
	exec {ho}>&-
	wait "$catpid"
	# every line a record of one input or the other, none torn
	run -1 grep -m 3 -vxE '[1-9][0-9]{0,9}' out
	awk '$1 < 1000000000' out >got1
	awk '$1 >= 1000000000' out >got2
	# each input's records all there, in order, runs repeated at most
	run -0 chaos_check.py want1 got1
	echo "# first: $output" >&3
	run -0 chaos_check.py want2 got2
	echo "# second: $output" >&3
}

@test "procmerge under pipesup: a successor sees an overlong line from its start, never its rest as a record" {
	local pid catpid
	mkfifo a b o
	exec {ha}<>a {hb}<>b {ho}<>o
	cat o >out {ha}>&- {hb}>&- {ho}>&- 3>&- &
	catpid=$!
	BG=$catpid
	held_merge 2>err
	head -c 4500 /dev/zero | tr '\0' a >&"$ha"
	wait_for grep -q 'bad record' err
	kill -KILL "$pid"
	assert_status "$pid" 137
	printf '123\n5\n' >&"$ha"
	printf '1001\n' >&"$hb"
	held_merge 2>err
	wait_for has_lines out 2
	exec {ha}>&- {hb}>&-
	assert_status "$pid" 65
	exec {ho}>&-
	wait "$catpid"
	run -0 sort -n out
	assert_output $'5\n1001'
	assert_equal "$(head -n 1 err)" 'procmerge: /dev/fd/3:1: bad record "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa...": line longer than 4096 bytes'
}

@test "procmerge under pipesup: a stalled reader stops every held input; memory stays bounded" {
	local pid w1 w2 r1 r2 a1 b1
	mkfifo a b o
	exec {ha}<>a {hb}<>b
	randsrc --rate 0 --seed 1 >a {ha}>&- {hb}>&- 3>&- &
	w1=$!
	randsrc --rate 0 --seed 2 --min 1001 --max 1100 >b {ha}>&- {hb}>&- 3>&- &
	w2=$!
	BG="$w1 $w2"
	SLUICE_HELD=1 procmerge /dev/fd/3 /dev/fd/4 3<a 4<b >o {ha}>&- {hb}>&- &
	pid=$!
	exec 5<o
	wait_for blocked "$pid"
	wait_for blocked "$w1"
	wait_for blocked "$w2"
	r1=$(rss_kib "$pid") a1=$(wrote "$w1") b1=$(wrote "$w2")
	sleep 0.3
	r2=$(rss_kib "$pid")
	assert_equal "$(wrote "$w1")" "$a1"
	assert_equal "$(wrote "$w2")" "$b1"
	exec 5<&-
	assert_status "$pid" 141
	# no reader left: the writers end by SIGPIPE
	exec {ha}>&- {hb}>&-
	wait "$w1" "$w2" || true
	assert [ "$r2" -lt "$RSS_LIMIT_KIB" ]
	assert [ $((r2 - r1)) -lt 1000 ]
}

@test "procmerge --lines under pipesup: a line longer than its buffer goes through whole" {
	# a line of 300000 bytes that says where each byte of it is
	python3 -c 'import sys; sys.stdout.write("".join("%09d," % i for i in range(30000)) + "\nafter\n")' >want
	mkfifo a b o
	exec {ha}<>a {hb}<>b {ho}<>o
	cat want >a {ha}>&- {hb}>&- {ho}>&- &
	BG=$!
	cat o >out {ha}>&- {hb}>&- {ho}>&- &
	local catpid=$!
	BG="$BG $catpid"
	SLUICE_HELD=1 procmerge --lines /dev/fd/3 /dev/fd/4 3<a 4<b >o \
		{ha}>&- {hb}>&- {ho}>&- &
	local pid=$!
	wait_while_running "$pid" has_lines out 2
	exec {ha}>&- {hb}>&-
	assert_status "$pid" 0
	exec {ho}>&-
	wait "$catpid"
	cmp want out
}
