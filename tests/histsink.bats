# SPDX-License-Identifier: ISC
load helpers

# pipe_empty FIFO: nothing is left unread in FIFO.
pipe_empty() {
	python3 -c 'import fcntl, os, struct, sys, termios
fd = os.open(sys.argv[1], os.O_RDONLY | os.O_NONBLOCK)
n = struct.unpack("i", fcntl.ioctl(fd, termios.FIONREAD, b"0000"))[0]
sys.exit(n != 0)' "$1"
}

setup() {
	export LANG=C.UTF-8 COLUMNS=40
	unset LC_ALL LC_CTYPE
}

@test "histsink: one bar a value while they are few, in eighths of a column" {
	run -0 bash -c "printf '%s\n' 1 2 2 3 3 3 5 3 3 3 3 3 | histsink"
	assert_output "1  1  ████▎
2  2  ████████▌
3  8  ██████████████████████████████████
4  0  
5  1  ████▎
12 records"
}

@test "histsink: --bins groups values into equal ranges, labelled with their counts" {
	run -0 bash -c 'seq 0 10 | histsink --bins 3'
	assert_output "0 ..  3  4  ████████████████████████████
4 ..  7  4  ████████████████████████████
8 .. 10  3  █████████████████████
11 records"
}

@test "histsink: --ascii, and a locale that is not UTF-8, draw with #" {
	want="1  1  ###########
2  2  #######################
3  3  ##################################
6 records"
	run -0 bash -c "printf '%s\n' 1 2 2 3 3 3 | histsink --ascii"
	assert_output "$want"
	run -0 bash -c "printf '%s\n' 1 2 2 3 3 3 | LANG=C histsink"
	assert_output "$want"
	run -0 bash -c "printf '%s\n' 1 2 2 3 3 3 | LC_ALL=POSIX histsink"
	assert_output "$want"
	# the first of LC_ALL, LC_CTYPE, LANG set decides; no codeset: not UTF-8
	run -0 bash -c "printf '%s\n' 1 2 2 3 3 3 | LC_CTYPE=en_US LANG=C.UTF-8 histsink"
	assert_output "$want"
	run -0 bash -c "printf '%s\n' 1 2 2 3 3 3 | LC_ALL=C LC_CTYPE=C.UTF-8 histsink"
	assert_output "$want"
}

@test "histsink: a UTF-8 locale is known by its name, loaded or not" {
	# the name is enough: the locale's tables are never mapped (RSS)
	local l
	for l in C.UTF-8 C.utf8 xx_YY.UTF-8 en_GB.utf8@euro; do
		run -0 bash -c "printf '%s\n' 1 2 | LANG=C LC_CTYPE=$l histsink"
		assert_line --index 0 --regexp '^1  1  █+$'
	done
}

@test "histsink: the numbers stay in the C locale whatever LC_NUMERIC says" {
	run -0 bash -c "seq 1000 1001 | LC_ALL=C.UTF-8 LC_NUMERIC=de_DE.UTF-8 histsink"
	assert_line --index 0 --regexp '^1000  1  █+$'
}

@test "histsink: a million values from 1 to 100 make ten near equal bars" {
	run -0 bash -c 'randsrc --rate 0 --count 1000000 --seed 1 | histsink --bins 10'
	[ "${#lines[@]}" -eq 11 ]
	assert_line --index 10 "1000000 records"
	total=0
	for i in $(seq 0 9); do
		read -r lo dots hi count bar <<<"${lines[$i]}"
		assert_equal "$lo $dots $hi" "$((i * 10 + 1)) .. $((i * 10 + 10))"
		(( count > 99000 && count < 101000 ))
		# 21 columns of bar at most; near equal counts, near equal bars
		[ "${#bar}" -eq 21 ]
		total=$((total + count))
	done
	[ "$total" -eq 1000000 ]
	run -0 bash -c 'randsrc --rate 0 --count 1000000 --seed 1 | procfilter --max 10 | histsink | head -n 10 | awk "{ s += \$2 } END { print s }"'
	assert_output "${lines[0]##* }"
}

@test "histsink: --min and --max fix the ranges and count what falls outside" {
	run -0 bash -c 'seq -3 12 | histsink --min 0 --max 9 --bins 3'
	assert_output "0 .. 3  4  █████████████████████████████
4 .. 7  4  █████████████████████████████
8 .. 9  2  ██████████████▌
10 records, 3 below 0, 3 above 9"
	run -0 bash -c 'seq 1 4 | histsink --min 3'
	assert_output "3  1  ██████████████████████████████████
4  1  ██████████████████████████████████
2 records, 2 below 3"
}

@test "histsink: empty input draws no bar and says 0 records" {
	run -0 histsink </dev/null
	assert_output "0 records"
	run -0 histsink --min 1 --max 2 </dev/null
	assert_output "1  0  
2  0  
0 records"
}

@test "histsink: one record" {
	run -0 bash -c 'echo -5 | histsink'
	assert_output "-5  1  █████████████████████████████████
1 record"
}

@test "histsink: INT64_MIN and INT64_MAX, the widest range there is" {
	run -0 bash -c "printf '%s\n' -9223372036854775808 9223372036854775807 9223372036854775807 | COLUMNS=60 histsink --bins 2"
	assert_output "-9223372036854775808 ..                  -1  1  ██████
                   0 .. 9223372036854775807  2  ████████████
3 records"
	run -0 bash -c "printf '%s\n' -9223372036854775808 9223372036854775807 | COLUMNS=60 histsink --bins 2 --min -9223372036854775808 --max 9223372036854775807"
	assert_output "-9223372036854775808 ..                  -1  1  ████████████
                   0 .. 9223372036854775807  1  ████████████
2 records"
}

@test "histsink: memory stays bounded however wide and long the input" {
	# the peak resident size of histsink over 3e6 records of any value,
	# less that over one record
	run -0 python3 -c '
import os, subprocess
def peak(n):
    src = subprocess.Popen(["randsrc", "--rate", "0", "--count", n, "--seed",
        "4", "--min", "-9223372036854775808", "--max",
        "9223372036854775807"], stdout=subprocess.PIPE)
    h = subprocess.Popen(["histsink", "--bins", "4"], stdin=src.stdout,
        stdout=subprocess.PIPE)
    src.stdout.close()
    out = h.stdout.read().decode()
    _, status, ru = os.wait4(h.pid, 0)
    src.wait()
    return ru.ru_maxrss, out
small, _ = peak("1")
big, out = peak("3000000")
print(out.splitlines()[-1], big - small < 1024)'
	assert_output "3000000 records True"
}

@test "histsink: bad records are reported and left out (65); --strict draws nothing" {
	run -65 --separate-stderr bash -c "printf '1\nnope\n1\n' | histsink"
	assert_output "1  2  ██████████████████████████████████
2 records"
	[ "$stderr" = 'histsink: line 2: bad record "nope": not an integer
histsink: 1 bad record' ]
	rej="$BATS_TEST_TMPDIR/rej"
	run -65 --separate-stderr bash -c "printf '1\n\t-\n1\n' | histsink --strict --rejects '$rej'"
	assert_output ""
	[ "$stderr" = 'histsink: line 2: bad record "\t-": not an integer' ]
	[ "$(cat "$rej")" = "$(printf '\t-')" ]
}

@test "histsink: usage errors say what is wrong in one line (64)" {
	run -64 --separate-stderr histsink --bins 0
	[ "$stderr" = "histsink: --bins: \"0\" is too small
Try 'histsink --help' for more information." ]
	run -64 --separate-stderr histsink --bins 4097
	[ "${stderr%%$'\n'*}" = 'histsink: --bins: "4097" is too large' ]
	run -64 --separate-stderr histsink --min 5 --max 4
	[ "${stderr%%$'\n'*}" = 'histsink: --min 5 is greater than --max 4' ]
	run -64 --separate-stderr histsink --max x
	[ "${stderr%%$'\n'*}" = 'histsink: --max: "x" is invalid' ]
	# an operand is a file to read (sluice(7), The programs)
	run -66 --separate-stderr histsink "$BATS_TEST_TMPDIR/x" </dev/null
	[ "${stderr%%$'\n'*}" = "histsink: $BATS_TEST_TMPDIR/x: No such file or directory" ]
}

@test "histsink: --help and --version go to stdout (0)" {
	run -0 histsink --help
	assert_line --index 0 'usage: histsink [--bins N] [--min A] [--max B] [--ascii] [--strict]'
	run -0 histsink --version
	assert_output --regexp '^histsink \(sluice\) '
}

@test "histsink: on a terminal it redraws in place, at most ten times a second" {
	command -v script >/dev/null || skip "no script(1) for a terminal"
	out="$BATS_TEST_TMPDIR/tty"
	start=$SECONDS
	script -qec 'stty cols 50 rows 20; randsrc --rate 100 --count 60 --seed 2 | histsink --bins 4 --min 1 --max 100' /dev/null >"$out"
	secs=$((SECONDS - start + 1))
	draws=$(grep -o $'records\\?\e\\[K' "$out" | wc -l)
	ups=$(grep -o $'\e\\[5A' "$out" | wc -l)
	# several drawings, each after the first going back up its 5 lines
	(( draws >= 3 && draws <= secs * 10 + 1 ))
	[ "$ups" -eq $((draws - 1)) ]
	run -0 bash -c "tail -n 5 '$out' | tr -d '\r' | sed 's/\x1b\[[0-9]*[AK]//g'"
	assert_line --index 4 "60 records"
	# never to the end of the screen: pipesup's live view may be there
	run -1 grep -q $'\e\\[J' "$out"
}

@test "histsink: on a terminal it keeps to LINES and COLUMNS when they are fewer" {
	out="$BATS_TEST_TMPDIR/tty"
	script -qec 'stty cols 50 rows 20; randsrc --rate 0 --count 60 --seed 2 | LINES=6 COLUMNS=30 histsink --ascii' /dev/null >"$out"
	run -0 bash -c "tail -n 5 '$out' | tr -d '\r' | sed 's/\x1b\[[0-9]*[AK]//g'"
	# 4 bars, the count under them, the cursor below: 6 rows
	assert_output "11 .. 32  18  ##############
33 .. 54  13  ##########
55 .. 76  19  ###############
77 .. 97  10  ########
60 records"
	# more than the terminal has: the terminal's size
	script -qec 'stty cols 50 rows 20; randsrc --rate 0 --count 60 --seed 2 | LINES=100 COLUMNS=300 histsink --ascii --bins 4' /dev/null >"$out"
	run -0 bash -c "tail -n 1 '$out' | tr -d '\r' | sed 's/\x1b\[[0-9]*[AK]//g'"
	assert_output "60 records"
	(($(awk '{ print length }' "$out" | sort -n | tail -n 1) < 60))
}

@test "histsink: a shorter drawing clears the rest of the last one line by line" {
	out="$BATS_TEST_TMPDIR/tty"
	# 20 values, a bar each (21 lines); then a 21st: 11 bars of two
	script -qec 'stty cols 50 rows 40; (seq 20; sleep 0.5; echo 21) | COLUMNS=40 histsink --ascii' /dev/null >"$out"
	grep -q $'records\e\\[K\r\n\e\\[K\r\n' "$out"
	grep -q $'\e\\[9A' "$out"
	run -0 bash -c "tail -n 12 '$out' | tr -d '\r' | sed 's/\x1b\[[0-9]*[AK]//g'"
	assert_line --index 0 " 1 ..  2  2  ##########################"
	assert_line --index 11 "21 records"
}

@test "histsink: SIGTERM draws what was read, then dies by it (143)" {
	fifo="$BATS_TEST_TMPDIR/in" out="$BATS_TEST_TMPDIR/out"
	mkfifo "$fifo"
	histsink >"$out" <"$fifo" 3>&- &
	pid=$!
	exec 4>"$fifo"
	printf '7\n8\n8\n' >&4
	wait_for pipe_empty "$fifo"
	wait_for blocked "$pid"
	kill -TERM "$pid"
	assert_status "$pid" 143
	exec 4>&-
	run cat "$out"
	assert_output "7  1  █████████████████
8  2  ██████████████████████████████████
3 records"
}

@test "histsink: SIGINT does the same (130)" {
	fifo="$BATS_TEST_TMPDIR/in" out="$BATS_TEST_TMPDIR/out"
	mkfifo "$fifo"
	sigint_default histsink --ascii >"$out" <"$fifo" 3>&- &
	pid=$!
	exec 4>"$fifo"
	printf '7\n' >&4
	wait_for pipe_empty "$fifo"
	wait_for blocked "$pid"
	kill -INT "$pid"
	assert_status "$pid" 130
	exec 4>&-
	run cat "$out"
	assert_output "7  1  ##################################
1 record"
}

@test "histsink: the descriptors' flags are as they were, after a pipe" {
	run -0 bash -c 'seq 3 | { histsink >/dev/null; fdprobe nonblock 0; }'
	assert_output "block"
}

@test "histsink: SIGTERM puts back the flags of a pipe it shares with the shell" {
	term_restores_flags histsink --bins 3
}
