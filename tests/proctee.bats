#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# proctee: one stream into several branches (standard output and its file
# operands), whole records only, each branch behind a bounded buffer.

load helpers

setup() {
	cd "$BATS_TEST_TMPDIR" || exit 1
}

teardown() {
	kill_leftover_pipeline
}

# stalled PID WRITER: proctee (PID) and the writer into it both wait:
# its input pipe is full and proctee does not read it.
stalled() {
	blocked "$1" && blocked "$2"
}

# opening PID: PID waits in the open of a FIFO for the other end.
opening() {
	[[ $(cat "/proc/$1/wchan") == *wait_for_partner* ]]
}

# dropped FILE NAME: the drop count proctee gave for branch NAME in FILE
dropped() {
	sed -n "s/^proctee: $2: \\([0-9]*\\) records\\{0,1\\} dropped\$/\\1/p" "$1"
}

@test "lib/tee: drops counted, records whole, a branch found gone never full, room for all" {
	run -0 unit_tee
	assert_output "0 failures"
}

@test "proctee: a seeded stream into stdout, two FIFOs and a process substitution: each gets exactly the stream" {
	randsrc --seed 7 --count 200000 --rate 0 >ref
	mkfifo f1 f2
	cat f1 >b1 3>&- &
	local r1=$!
	cat f2 >b2 3>&- &
	local r2=$!
	run -0 --separate-stderr bash -c 'randsrc --seed 7 --count 200000 --rate 0 |
		proctee f1 f2 >(cat >b3) >b0; wait $!'
	assert_equal "$stderr" ""
	assert_status "$r1" 0
	assert_status "$r2" 0
	local b
	for b in b0 b1 b2 b3; do
		cmp ref "$b"
	done
}

@test "proctee: with no operand it copies to stdout; what it writes is canonical" {
	run -0 bash -c 'seq 5 | proctee'
	assert_output "$(seq 5)"
	run -0 bash -c "printf '+5\n 007 \n-0\n3\r\n\n-12' | proctee b"
	assert_output "$(printf '%s\n' 5 7 0 3 -12)"
	assert_equal "$(cat b)" "$output"
}

@test "proctee: canonical runs and the records between them: the same records and line numbers as any reader" {
	python3 -c '
import random
random.seed(3)
out = []
for i in range(30000):
    v = random.choice([random.randint(1, 100), random.randint(-10**18, 10**18)])
    r = random.random()
    out.append("+%d" % v if r < 0.01 else " %d" % v if r < 0.02 else
        "%d\r" % v if r < 0.03 else "" if r < 0.04 else
        "0%d" % abs(v) if r < 0.05 else "x%d" % v if r < 0.055 else "%d" % v)
print("\n".join(out))' >in
	run -65 bash -c 'proctee b <in >out 2>err'
	run -65 bash -c 'procfilter <in >want 2>wanterr'
	cmp want out
	cmp want b
	cmp <(sed 's/^procfilter:/proctee:/' wanterr) err
}

@test "proctee: a stalled branch makes it wait: it stops reading, its memory stays bounded, nothing is lost once the branch reads" {
	local n=2000000 in1 in2 rss
	randsrc --seed 5 --count $n --rate 0 >ref
	mkfifo up slow
	counters page
	randsrc --seed 5 --count $n --rate 0 >up 3>&- &
	local src=$!
	(SLUICE_STATS_FD=5 SLUICE_STATS_PID=$BASHPID exec proctee slow <up >out 5<>page 3>&-) &
	local pid=$!
	exec 4<slow
	wait_for stalled "$pid" "$src"
	in1=$(counter page in)
	sleep 0.3
	in2=$(counter page in)
	rss=$(rss_kib "$pid")
	assert_equal "$in2" "$in1"
	assert [ "$in1" -lt "$n" ]
	assert [ "$rss" -lt "$RSS_LIMIT_KIB" ]
	# stdout, which reads, has every record read
	assert_equal "$(lines out)" "$in1"
	cat <&4 >slowout
	exec 4<&-
	assert_status "$pid" 0
	assert_status "$src" 0
	cmp ref out
	cmp ref slowout
}

@test "proctee --drop: a stalled branch falls behind: the others get everything at full speed, its drops are counted exactly" {
	local n=1000000 got d run input size
	randsrc --seed 6 --count $n --rate 0 --min -100000000000000000 \
		--max 100000000000000000 >ref
	# records copied as they come, and records parsed one by one; where
	# the buffer ends in the stream moves with its size
	sed 's/^/ /' ref >blank
	for run in ref:4K ref:5K ref:7K blank:4K; do
		input=${run%:*} size=${run#*:}
		rm -f slow
		mkfifo slow
		proctee --drop --buffer "$size" slow b <"$input" >out 2>err 3>&- &
		local pid=$!
		exec 4<slow
		# files never make a writer wait: they have it all while the
		# stalled branch has read nothing yet
		wait_for has_lines out $n
		wait_for has_lines b $n
		cat <&4 >slowout
		exec 4<&-
		assert_status "$pid" 0
		cmp ref out
		cmp ref b
		d=$(dropped err slow)
		got=$(lines slowout)
		assert [ "$d" -gt 0 ]
		assert_equal "$((got + d))" "$n"
		# it got the stream's first records, whole, and nothing else
		cmp slowout <(head -n "$got" ref)
		assert_equal "$(wc -l <err)" 1
	done
}

@test "proctee: a branch whose reader goes away is told once; the others get everything; exit 0" {
	randsrc --seed 8 --count 200000 --rate 0 >ref
	mkfifo gone f
	head -n 10 gone >headout 3>&- &
	local h=$!
	cat f >fout 3>&- &
	local c=$!
	run -0 --separate-stderr bash -c 'proctee gone f <ref >out'
	assert_regex "$stderr" '^proctee: gone: its reader went away after [0-9]+ records$'
	assert_status "$h" 0
	assert_status "$c" 0
	cmp ref out
	cmp ref fout
	cmp headout <(head -n 10 ref)
}

@test "proctee: when every branch is gone, stdout too, it dies by SIGPIPE (141)" {
	mkfifo gone
	head -n 1 gone >/dev/null 3>&- &
	run -0 --separate-stderr bash -c \
		'randsrc --rate 0 | proctee gone | head -n 1 >/dev/null; echo "${PIPESTATUS[1]}"'
	assert_output 141
	assert_equal "${#stderr_lines[@]}" 2
	assert_regex "$stderr" '(^|'$'\n'')proctee: gone: its reader went away after [0-9]+ records'
	assert_regex "$stderr" '(^|'$'\n'')proctee: stdout: its reader went away after [0-9]+ records'
}

@test "proctee: SIGTERM drains: every record read reaches every branch, a stalled one once it reads; then it dies by SIGTERM (143)" {
	local n
	mkfifo up slow f
	counters page
	randsrc --seed 9 --rate 0 >up 3>&- &
	local src=$!
	cat f >fout 3>&- &
	local c=$!
	(SLUICE_STATS_FD=5 SLUICE_STATS_PID=$BASHPID exec proctee slow f <up >out 5<>page 3>&-) &
	local pid=$!
	exec 4<slow
	# stalled with more read than the slow pipe and the branch's spill
	# pipe hold (64 KiB each): the rest waits in the slow branch's
	# buffer, which the drain must write out
	full() { stalled "$pid" "$src" && (($(counter page in) > 60000)); }
	wait_for full
	kill -TERM "$pid"
	# it took the signal and waits again, now for the slow branch alone:
	# a proctee that gave up on the branch's buffer would be gone (a
	# reader that started at once could take all of it in one flush)
	taken() {
		local pnd
		blocked "$pid" || return 1
		while read -r pnd; do
			((0x$pnd & 1 << 14)) && return 1
		done < <(awk '/^(SigPnd|ShdPnd):/ { print $2 }' "/proc/$pid/status")
		return 0
	}
	wait_for taken
	cat <&4 >slowout
	exec 4<&-
	assert_status "$pid" 143
	assert_status "$c" 0
	n=$(counter page in)
	assert [ "$n" -gt 0 ]
	assert_equal "$(counter page out)" "$n"
	run -0 cmp out <(xoshiro.py 9 1 100 "$n")
	cmp out slowout
	cmp out fout
	# randsrc met the closed pipe
	assert_status "$src" 141
}

@test "proctee: SIGINT stops it the same way (130)" {
	mkfifo in
	sigint_default proctee b <in >out 3>&- &
	local pid=$!
	exec 4>in
	printf '1\n2\n' >&4
	wait_for has_lines b 2
	kill -INT "$pid"
	assert_status "$pid" 130
	exec 4>&-
	assert_equal "$(cat out)" "$(printf '1\n2')"
}

@test "proctee: a record reaches every branch at once while its input stays open" {
	mkfifo in f
	cat f >fout 3>&- &
	local c=$!
	proctee b f <in >out 3>&- &
	local pid=$!
	exec 4>in
	echo 5 >&4
	wait_for has_lines out 1
	wait_for has_lines b 1
	wait_for has_lines fout 1
	echo -6 >&4
	wait_for has_lines fout 2
	exec 4>&-
	assert_status "$pid" 0
	assert_status "$c" 0
	assert_equal "$(cat out)" "$(printf '5\n-6')"
	assert_equal "$(cat b)" "$(cat out)"
}

@test "proctee: opening a FIFO waits for its reader, as tee's does" {
	mkfifo f
	seq 3 | proctee f >out 3>&- &
	local pid=$!
	wait_for opening "$pid"
	assert_equal "$(lines out)" 0
	run -0 cat f
	assert_output "$(seq 3)"
	assert_status "$pid" 0
	assert_equal "$(cat out)" "$(seq 3)"
}

@test "proctee: bad records are told and left out of every branch (65); --strict stops after the records before; --rejects keeps them" {
	printf '1\nx\n3\n' >in
	run -65 --separate-stderr bash -c 'proctee b <in'
	assert_output "$(printf '1\n3')"
	assert_equal "$stderr" "$(printf 'proctee: line 2: bad record "x": not an integer\nproctee: 1 bad record')"
	assert_equal "$(cat b)" "$output"
	printf '1\n2\n1.5\n3\n' >in
	run -65 --separate-stderr bash -c 'proctee --strict --rejects rej b <in'
	assert_output "$(printf '1\n2')"
	assert_equal "$stderr" 'proctee: line 3: bad record "1.5": not an integer'
	assert_equal "$(cat b)" "$output"
	assert_equal "$(cat rej)" 1.5
}

@test "proctee: its counters: in is records read, out records to stdout, bad" {
	counters page
	printf '1\nx\n3\n4\n' >in
	run -65 bash -c 'SLUICE_STATS_FD=5 SLUICE_STATS_PID=$$ exec proctee b <in 5<>page'
	assert_equal "$(counter page in) $(counter page out) $(counter page bad)" "3 3 1"
}

@test "proctee: a file it cannot open is told and left out; the others get the stream; exit 74" {
	run -74 --separate-stderr bash -c 'seq 3 | proctee nodir/b c'
	assert_output "$(seq 3)"
	assert_equal "$stderr" 'proctee: nodir/b: No such file or directory'
	assert_equal "$(cat c)" "$(seq 3)"
}

@test "proctee: files are truncated, or appended to with -a, a part line at their end ended" {
	printf '1\n' >b
	printf '7' >c
	run -0 --separate-stderr bash -c 'seq 2 3 | proctee -a b c'
	assert_output "$(seq 2 3)"
	assert_equal "$stderr" 'proctee: c ended in part of a line; ended it'
	assert_equal "$(cat b)" "$(seq 3)"
	assert_equal "$(cat c)" "$(printf '7\n2\n3')"
	run -0 bash -c 'echo 4 | proctee b'
	assert_equal "$(cat b)" 4
	run -0 bash -c 'proctee b </dev/null'
	assert_output ""
	assert [ -f b ] && assert [ ! -s b ]
}

@test "proctee: usage errors say what is wrong in one line (64)" {
	run -64 --separate-stderr proctee --buffer 1K
	assert_equal "$stderr" "proctee: --buffer: \"1K\" is too small
Try 'proctee --help' for more information."
	run -64 --separate-stderr proctee --buffer lots
	assert_equal "${stderr%%$'\n'*}" 'proctee: --buffer: "lots" is invalid'
	run -64 --separate-stderr proctee --buffer 2G
	assert_equal "${stderr%%$'\n'*}" 'proctee: --buffer: "2G" is too large'
	run -64 --separate-stderr proctee --drop=yes
	assert_equal "${stderr##*$'\n'}" "Try 'proctee --help' for more information."
	run -0 bash -c 'seq 3 | proctee --buffer 4096 | proctee --buffer 1MiB'
	assert_output "$(seq 3)"
}

@test "proctee: --help and --version go to stdout (0)" {
	run -0 proctee --help
	assert_line --index 0 'usage: proctee [-a] [--buffer size] [--drop] [--strict] [--rejects file]'
	assert_line --regexp '^      --drop '
	run -0 proctee --version
	assert_output --regexp '^proctee \(sluice\) '
}

@test "proctee: a shell's pipe given as /dev/fd/N keeps its flags: proctee opens it anew" {
	exec 5> >(cat >/dev/null)
	mkfifo in
	proctee /dev/fd/5 b <in >/dev/null 3>&- &
	local pid=$!
	exec 4>in
	echo 1 >&4
	wait_for has_lines b 1
	run -0 fdprobe nonblock 5
	assert_output block
	exec 4>&-
	assert_status "$pid" 0
	exec 5>&-
}

@test "proctee: SIGTERM puts back the flags of a pipe it shares with the shell" {
	term_restores_flags proctee
}

@test "proctee under pipesup: SIGKILLed while what it read waits to be written, nothing is lost downstream (at least once)" {
	OUT=$BATS_TEST_TMPDIR/out ERR=$BATS_TEST_TMPDIR/err
	randsrc --seed 3 --count 1000000 --rate 0 >want
	# the last stage reads nothing for 2 s: proctee's output waits
	bg -q --restart on-failure randsrc --rate 0 --count 1000000 --seed 3 :: \
		proctee :: sh -c 'sleep 2; exec procfilter'
	wait_for kid sh
	wait_for kid proctee
	wait_for stalled "$(kid proctee)" "$(kid randsrc)"
	kill -KILL "$(kid proctee)"
	finish
	assert_equal "$ST" 0
	assert_equal "$(head -n 1 "$ERR")" "pipesup: proctee: SIGKILL; restarting in 100ms"
	run -0 chaos_check.py want "$OUT"
}
