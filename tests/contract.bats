#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# The record format and the bad-input policy (sluice(7), RECORD FORMAT
# and BAD INPUT),
# checked through procprint, the simplest reader: every reader shares the
# code in lib/stage.c that these tests exercise.

load helpers

setup() {
	cd "$BATS_TEST_TMPDIR" || exit 1
}

@test "record: every lenient form is read, written canonically" {
	printf '+5\n007\n-0\n+0\n  12\t\n\t-3 \n42\r\n 9 \r\n-000\n' >in
	run -0 --separate-stderr procprint <in
	assert_output "$(printf 'Received data: %s\n' 5 7 0 0 12 -3 42 9 0)"
	assert_equal "$stderr" ""
}

@test "record: blank lines are skipped without complaint" {
	printf '\n1\n\n \n\t\n\r\n2\n' >in
	run -0 --separate-stderr procprint <in
	assert_output $'Received data: 1\nReceived data: 2'
	assert_equal "$stderr" ""
}

@test "record: a last record without newline is read" {
	run -0 bash -c "printf '1\n2' | procprint"
	assert_output $'Received data: 1\nReceived data: 2'
}

@test "record: the int64 extremes pass, one beyond either is bad" {
	printf '%s\n' 9223372036854775807 -9223372036854775808 \
		9223372036854775808 -9223372036854775809 >in
	run -65 --separate-stderr procprint <in
	assert_output $'Received data: 9223372036854775807\nReceived data: -9223372036854775808'
	assert_equal "$stderr" 'procprint: line 3: bad record "9223372036854775808": out of range
procprint: line 4: bad record "-9223372036854775809": out of range
procprint: 2 bad records'
}

@test "bad input: each kind is named, skipped, and the good records around it kept" {
	printf '1\nabc\n2\n1e3\n0x10\n3\n1.5\n- 4\n++5\n6\n' >in
	run -65 --separate-stderr procprint <in
	assert_output "$(printf 'Received data: %s\n' 1 2 3 6)"
	assert_equal "$stderr" 'procprint: line 2: bad record "abc": not an integer
procprint: line 4: bad record "1e3": not an integer
procprint: line 5: bad record "0x10": not an integer
procprint: line 7: bad record "1.5": not an integer
procprint: line 8: bad record "- 4": not an integer
procprint: line 9: bad record "++5": not an integer
procprint: 6 bad records'
}

@test "bad input: an embedded NUL is a bad record, shown escaped" {
	printf '1\n2\0003\n\0\n4\n' >in
	run -65 --separate-stderr procprint <in
	assert_output $'Received data: 1\nReceived data: 4'
	assert_equal "$stderr" 'procprint: line 2: bad record "2\03": contains a NUL byte
procprint: line 3: bad record "\0": contains a NUL byte
procprint: 2 bad records'
}

@test "bad input: control bytes, quotes and long lines are shown safely in the excerpt" {
	printf '"a\\b"\x1b[31m\n%s\n' "$(printf '7%.0s' {1..40})x" >in
	run -65 --separate-stderr procprint <in
	assert_equal "${stderr_lines[0]}" 'procprint: line 1: bad record "\"a\\b\"\x1b[31m": not an integer'
	assert_equal "${stderr_lines[1]}" 'procprint: line 2: bad record "77777777777777777777777777777777...": not an integer'
}

@test "bad input: a line of 4096 bytes is read, one of 4097 is bad" {
	{ printf ' %.0s' {1..4095}; echo 7; printf ' %.0s' {1..4096}; echo 8
		printf ' %.0s' {1..4095}; printf '9\r\n'; } >in
	run -65 --separate-stderr procprint <in
	assert_output $'Received data: 7\nReceived data: 9'
	assert_equal "${stderr_lines[0]}" "procprint: line 2: bad record \"$(printf ' %.0s' {1..32})...\": line longer than 4096 bytes"
}

@test "bad input: a 50 MB line without newline costs no memory and loses nothing after it" {
	{ echo 1; head -c 50000000 /dev/zero | tr '\0' 5; printf '\n2\n'; } >in
	run -65 --separate-stderr /usr/bin/time -f 'rss %M' procprint <in
	assert_output $'Received data: 1\nReceived data: 2'
	assert_equal "${stderr_lines[0]}" 'procprint: line 2: bad record "55555555555555555555555555555555...": line longer than 4096 bytes'
	assert_equal "${stderr_lines[1]}" 'procprint: 1 bad record'
	local rss=${stderr_lines[-1]#rss }
	assert [ "$rss" -lt "$RSS_LIMIT_KIB" ]
}

@test "bad input: a 50 MB line without newline at end of input" {
	head -c 50000000 /dev/zero | tr '\0' 5 >in
	run -65 --separate-stderr procprint --rejects rej <in
	assert_output ""
	assert_equal "$(wc -c <rej)" 50000001
}

@test "bad input: after ten warnings, only a count" {
	for i in $(seq 1 25); do echo "x$i"; echo "$i"; done >in
	run -65 --separate-stderr procprint <in
	assert_equal "${#lines[@]}" 25
	assert_equal "${#stderr_lines[@]}" 11
	assert_equal "${stderr_lines[9]}" 'procprint: line 19: bad record "x10": not an integer'
	assert_equal "${stderr_lines[10]}" 'procprint: 25 bad records, the first 10 shown'
}

@test "bad input: --strict stops at the first bad record after writing what came before" {
	printf '1\n2\nzz\n3\n' >in
	run -65 --separate-stderr procprint --strict <in
	assert_output $'Received data: 1\nReceived data: 2'
	assert_equal "$stderr" 'procprint: line 3: bad record "zz": not an integer'
}

@test "bad input: --rejects keeps every bad line verbatim, appending" {
	printf 'old\n' >rej
	printf '1\nabc\r\n2\n\0x\n99999999999999999999\nlast' >in
	run -65 --separate-stderr procprint --rejects rej <in
	assert_output $'Received data: 1\nReceived data: 2'
	run -0 od -An -c rej
	assert_output "$(printf 'old\nabc\r\n\0x\n99999999999999999999\nlast\n' | od -An -c)"
}

@test "bad input: --rejects gets the whole of an overlong line" {
	local len
	# within one read, and across several (longer than a reader holds)
	for len in 5000 100000; do
		{ echo 1; head -c "$len" /dev/zero | tr '\0' y; printf '\n2\n'; } >in
		rm -f rej
		run -65 --separate-stderr procprint --rejects rej <in
		assert_output $'Received data: 1\nReceived data: 2'
		# byte for byte, its newline included
		run -0 cmp rej <(head -c "$len" /dev/zero | tr '\0' y; echo)
	done
}

@test "bad input: a --rejects file that cannot be opened exits 74 before reading" {
	run -74 --separate-stderr procprint --rejects /nonexistent/rej <<<"1"
	assert_output ""
	assert_equal "$stderr" 'procprint: /nonexistent/rej: No such file or directory'
}

@test "bad input: a --rejects file that fills up: the good records before are written, then 74" {
	run -74 --separate-stderr bash -c "printf '1\nx\n2\n' | procprint --rejects /dev/full"
	assert_output "Received data: 1"
	assert_equal "$stderr" 'procprint: line 2: bad record "x": not an integer
procprint: /dev/full: No space left on device'
	# the same for the rest of an overlong line, which goes there too
	run -74 --separate-stderr bash -c "{ echo 5; head -c 5000 /dev/zero | tr '\\0' 7; echo; echo 6; } | procprint --rejects /dev/full"
	assert_output "Received data: 5"
	assert_equal "${stderr_lines[1]}" "procprint: /dev/full: No space left on device"
	# a sink makes no report from figures it could not finish
	run -74 --separate-stderr bash -c "printf '1\nx\n2\n' | statsink --rejects /dev/full"
	assert_output ""
}

@test "bad input: the bad-record policy holds across reads of any size" {
	# one byte at a time through a pipe: lines split across many reads
	printf '12\nab\n-34\n' >in
	run -65 --separate-stderr bash -c 'python3 -c "
import os, sys, time
data = open(sys.argv[1], \"rb\").read()
for i in range(len(data)):
    os.write(1, data[i:i + 1])
    time.sleep(0.002)" in | procprint'
	assert_output $'Received data: 12\nReceived data: -34'
	assert_equal "${stderr_lines[0]}" 'procprint: line 2: bad record "ab": not an integer'
}

@test "exit status: usage errors are 64 with one line and a pointer to --help" {
	run -64 --separate-stderr procprint --nope
	assert_equal "$stderr" $'procprint: unrecognized option \'--nope\'\nTry \'procprint --help\' for more information.'
	run -64 --separate-stderr procprint --rejects
	assert_equal "${stderr_lines[1]}" "Try 'procprint --help' for more information."
}

@test "exit status: a read error is 74" {
	run -74 --separate-stderr procprint <.
	assert_equal "$stderr" 'procprint: stdin: Is a directory'
}

@test "exit status: a report interval below 10ms is a usage error" {
	# too_short PROG OPTION ARGS...: PROG ARGS... says OPTION "9ms" is too short
	too_short() {
		run -64 --separate-stderr "${@:3}" </dev/null
		assert_equal "$stderr" "$1: $2: \"9ms\" is too short: the least is 10ms
Try '$1 --help' for more information."
	}
	too_short statsink --every statsink --every 9ms
	too_short latsink --every latsink --every 9ms
	too_short pipesup --stats pipesup --stats=9ms true
	run -0 statsink --every 10ms </dev/null
	run -0 latsink --every 0.01s </dev/null
	run -0 pipesup -q --stats=10ms true
}

@test "exit status: no descriptor for the self-pipe is named, and 71" {
	local cmd
	printf '1\n' >in
	for cmd in "randsrc -n 1" "ticksrc -n 1" procprint "procmap --add 1" \
	    "procfilter --min 1" "procwin --count 2" statsink histsink latsink \
	    "pipesup true"; do
		# shellcheck disable=SC2086 # a command and its words
		run -71 --separate-stderr prlimit --nofile=4 $cmd <in 3>&-
		assert_equal "$stderr" "${cmd%% *}: the self-pipe for signals: Too many open files"
		assert_output ""
	done
	# with --rejects one more: the sanitizers' runtime may want some too
	local n said=
	for ((n = 5; n < 12; n++)); do
		run --separate-stderr prlimit --nofile=$n procprint --rejects rj <in 3>&-
		if ((status == 71)); then
			said=$stderr
			break
		fi
	done
	assert_equal "$said" "procprint: the self-pipe for signals: Too many open files"
}

@test "operands: every reader reads its file operands as cat does, - is stdin" {
	cd "$BATS_TEST_TMPDIR"
	printf '1\n2\n' >a
	printf '3\n4' >b	# no last newline: it goes on in the next file
	printf '5\n' >c
	for prog in procprint "procfilter --min 0" "procmap --add 0" \
		"procwin --count 1 --emit sum" statsink "histsink --bins 2"; do
		# shellcheck disable=SC2086 # a program and its options
		run -0 --separate-stderr $prog a - c <<<"9"
		# statsink's time and rates are the run's own
		want=$(cat a - c <<<"9" | $prog | grep -v -e ^elapsed -e ^rate -e '^mean rate')
		assert_equal "$(grep -v -e ^elapsed -e ^rate -e '^mean rate' <<<"$output")" "$want"
	done
	# latsink's figures are the time since each record: only its count
	run -0 --separate-stderr latsink -j a - c <<<"9"
	assert_output --regexp '"count": ?4[,}]'

	run -0 --separate-stderr procprint a b c
	assert_output $'Received data: 1\nReceived data: 2\nReceived data: 3\nReceived data: 45'
}

@test "operands: a file that cannot be opened is reported and skipped, exit 66 over 65" {
	cd "$BATS_TEST_TMPDIR"
	printf '1\n' >a
	printf '2\nx\n3\n' >b
	run -66 --separate-stderr procprint a missing b
	assert_output $'Received data: 1\nReceived data: 2\nReceived data: 3'
	assert_equal "$stderr" "procprint: missing: No such file or directory
procprint: b:2: bad record \"x\": not an integer
procprint: 1 bad record"
	run -65 --separate-stderr procprint a b
	run -66 --separate-stderr statsink missing
	assert_equal "$stderr" "statsink: missing: No such file or directory"
}

# closed_stdout_cmd PROG: a command of PROG that would run well with a
# standard output; nothing for redissink, which writes none
closed_stdout_cmd() {
	case $1 in
	randsrc) echo "randsrc --count 5 --rate 0" ;;
	ticksrc) echo "ticksrc --count 5 --rate 0" ;;
	procfilter) echo "procfilter --min 0" ;;
	procmap) echo "procmap --add 1" ;;
	procwin) echo "procwin --count 1" ;;
	latsink) echo "latsink -d" ;;
	redissrc) echo "redissrc --stream s --group g --socket nowhere.sock" ;;
	pipesup) echo "pipesup -q procprint" ;;
	redissink) ;;
	*) echo "$1" ;;
	esac
}

@test "closed stdout: every program that writes there exits 74 at start, its input unread" {
	local c p cmd
	printf '1\n2\n' >in
	for c in "$ROOT"/bin/*.c; do
		p=$(basename "$c" .c)
		cmd=$(closed_stdout_cmd "$p")
		[[ -n $cmd ]] || continue
		# the input is a file: what it read would move the offset cat
		# starts from
		run -0 --separate-stderr bash -c "{ $cmd >&-; echo \"status \$?\"; cat; } <in"
		assert_output $'status 74\n1\n2'
		assert_equal "$stderr" "$p: stdout: Bad file descriptor"
		run -74 --separate-stderr bash -c "$p --help >&-"
		assert_equal "$stderr" "$p: stdout: Bad file descriptor"
	done
}

@test "closed stdout: nothing the program opens takes descriptor 1" {
	printf '1\nx\n' >in
	run -74 --separate-stderr bash -c 'procprint --rejects rj <in >&-'
	assert_equal "$stderr" "procprint: stdout: Bad file descriptor"
	assert [ ! -e rj ]
	run -74 --separate-stderr bash -c 'procprint --rejects rj <in >&- 2>&-'
	assert_equal "$stderr" ""
	assert [ ! -e rj ]
}

@test "closed stdin reads as empty; a closed stderr is no error" {
	run -0 --separate-stderr bash -c 'procprint <&-'
	assert_output ""
	assert_equal "$stderr" ""
	run -0 --separate-stderr bash -c 'statsink <&-'
	assert_line --index 0 'count     0'
	run -0 bash -c 'printf "1\n" | procprint 2>&-'
	assert_output "Received data: 1"
	# with nowhere to say it, a bad record still sets the status
	run -65 bash -c 'printf "x\n" | procprint 2>&-'
	assert_output ""
}
