#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# Whole records in a pipe (sluice(7), RECORD FORMAT): a writer into a pipe or
# FIFO writes whole records, at most PIPE_BUF bytes a write, so a writer
# killed at any moment leaves no part of a record behind and two writers
# never tear each other's; a diagnostic line is one write; a stage that
# starts on a file ending in part of a line ends that line first.

load helpers

setup() {
	cd "$BATS_TEST_TMPDIR" || exit 1
}

# eight_digits FILE N: FILE is at least N lines, each one 8-digit record
# ended by '\n', and nothing else.
eight_digits() {
	local n
	run -1 grep -c -vxE '[1-9][0-9]{7}' "$1"
	assert_output 0
	n=$(lines "$1")
	# with every line 8 digits, this says each ends in its own '\n'
	assert_equal "$(wc -c <"$1")" $((9 * n))
	assert [ "$n" -ge "$2" ]
}

# for_strace: LeakSanitizer cannot work under ptrace, and CI runs the
# suite under ASan too: leak checks are off in the test that calls this.
for_strace() {
	export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
}

# writes LOG: of the write(2)s in strace's LOG (-s over 4096), prints how
# many there were, how many did not end in a '\n' and how many were longer
# than 4096 bytes.  A write that would have blocked is none.
writes() {
	awk '/= -1 / { next }
	/^([0-9]+ +)?write\([0-9]+, / {
		n++
		if ($0 !~ /\\n", [0-9]+\) += [0-9]+$/)
			part++
		sub(/.*= /, "")
		if ($0 + 0 > 4096)
			big++
	}
	END { print n + 0, part + 0, big + 0 }' "$1"
}

@test "atomic: a writer SIGKILLed a dozen times into a held FIFO leaves whole records" {
	local i pid
	mkfifo fifo
	# both ends held here, as pipesup holds its pipes: the queue survives
	exec 4<>fifo
	: >out
	for ((i = 0; i < 12; i++)); do
		randsrc --seed "$i" --min 10000000 --max 99999999 --rate 0 \
		    >fifo 3>&- 4>&- &
		pid=$!
		# blocked: the FIFO is full, its last write as short as it got
		wait_for blocked "$pid"
		kill -KILL "$pid"
		assert_status "$pid" 137
		# a slow reader takes an uneven share, so the next one has room
		head -c $((20000 + i * 1237)) <&4 >>out
	done
	# the rest, to the end: our read end alone is left open
	exec 5<fifo 4<&-
	cat <&5 >>out
	exec 5<&-
	eight_digits out 30000
}

@test "atomic: two writers into one FIFO never tear each other's records" {
	local reader w1 w2
	mkfifo fifo
	# a writer from the start: the reader sees no end before both are done
	exec 4<>fifo
	cat fifo >out 3>&- 4>&- &
	reader=$!
	randsrc -n 300000 --rate 0 --seed 1 --min 10000000 --max 99999999 \
	    >fifo 3>&- 4>&- &
	w1=$!
	randsrc -n 300000 --rate 0 --seed 2 --min 100 --max 999 \
	    >fifo 3>&- 4>&- &
	w2=$!
	assert_status "$w1" 0
	assert_status "$w2" 0
	exec 4>&-
	assert_status "$reader" 0
	run -0 grep -c -xE '[1-9][0-9]{7}' out
	assert_output 300000
	run -0 grep -c -xE '[1-9][0-9]{2}' out
	assert_output 300000
	assert_equal "$(lines out)" 600000
}

@test "atomic: into a pipe every write is whole lines, at most PIPE_BUF bytes" {
	local stage src='randsrc --rate 0 -n 200000 --seed 3'
	local trace='strace -qq -s 5000 -e trace=write -e signal=none -o log'
	for_strace
	run -0 bash -c "$trace $src | cksum"
	run -0 writes log
	assert_regex "$output" '^([2-9]|[1-9][0-9]+) 0 0$'
	for stage in procprint 'procmap --mul 1000003' 'procwin --count 1' \
	    'histsink --bins 500'; do
		run -0 bash -c "$src | $trace $stage | cksum"
		run -0 writes log
		assert_regex "$output" '^([2-9]|[1-9][0-9]+) 0 0$'
	done
}

@test "atomic: without splice, or its spill pipe, the chunks go straight, whole" {
	local fault want
	for_strace
	want=$(randsrc --rate 0 -n 300000 --seed 4 | cksum)
	for fault in splice:error=EINVAL pipe2:error=EMFILE:when=1; do
		run -0 bash -c "strace -qq -s 5000 -e trace=write,splice,pipe2 \
		    -e inject=$fault -e signal=none -o log \
		    randsrc --rate 0 -n 300000 --seed 4 | cksum"
		assert_output "$want"
		run -0 grep -c INJECTED log
		assert_output 1
		run -0 writes log
		assert_regex "$output" '^[0-9]{2,} 0 0$'
	done
}

@test "atomic: into a regular file writes stay large" {
	for_strace
	strace -qq -s 5000 -e trace=write -e signal=none -o log \
	    randsrc --rate 0 -n 200000 --seed 3 >out
	run -0 writes log
	assert_regex "$output" '^[0-9]+ [0-9]+ [1-9][0-9]*$'
}

@test "atomic: a diagnostic line is one write(2), with or without an errno" {
	for_strace
	run -65 strace -f -qq -s 256 -e trace=write -e signal=none -o log \
	    procprint <<<'x'
	run -0 grep -c 'write(2, ' log
	assert_output 2
	run -0 grep -cF 'write(2, "procprint: line 1: bad record \"x\": not an integer\n", 50)' log
	run -0 grep -cF 'write(2, "procprint: 1 bad record\n", 24)' log

	run -74 strace -f -qq -s 256 -e trace=write -e signal=none -o log \
	    procprint --rejects nodir/rej </dev/null
	run -0 grep -c 'write(2, ' log
	assert_output 1
	run -0 grep -cF 'write(2, "procprint: nodir/rej: No such file or directory\n", 48)' log
}

@test "atomic: pipesup's own diagnostics are one write(2) a line" {
	for_strace
	run -66 strace -f -qq -s 256 -e trace=write -e signal=none -o log \
	    pipesup -f nofile
	run -0 grep -c 'write(2, ' log
	assert_output 1
	run -0 grep -cF 'write(2, "pipesup: nofile: No such file or directory\n", 43)' log
}

@test "atomic: a usage error is one write(2) a line" {
	for_strace
	run -64 strace -f -qq -s 256 -e trace=write -e signal=none -o log \
	    randsrc --count x
	run -0 grep -c 'write(2, ' log
	assert_output 2
	run -0 grep -cF 'write(2, "randsrc: --count: \"x\" is invalid\n", 33)' log
	run -0 grep -cF "write(2, \"Try 'randsrc --help' for more information.\\n\", 43)" log
}

@test "atomic: a sink appending to a file ending in part of a line ends that line, and says so" {
	printf '12\n3' >file
	run -0 --separate-stderr bash -c 'procprint <<<5 >>file'
	assert_equal "$stderr" "procprint: stdout ended in part of a line; ended it"
	run -0 cmp file <(printf '12\n3\nReceived data: 5\n')
}

@test "atomic: a source and a processor end a part line of their file too" {
	printf '12\n3' >file
	run -0 --separate-stderr bash -c 'randsrc -n 1 --min 7 --max 7 >>file'
	assert_equal "$stderr" "randsrc: stdout ended in part of a line; ended it"
	printf '4' >>file
	run -0 --separate-stderr bash -c 'procmap --add 1 <<<5 >>file'
	assert_equal "$stderr" "procmap: stdout ended in part of a line; ended it"
	run -0 cmp file <(printf '12\n3\n7\n4\n6\n')
}

@test "atomic: a file positioned at its end, not opened for append, is ended too" {
	printf '12\n3' >file
	run -0 --separate-stderr bash -c 'procprint <<<5 1<>file'
	# 1<>file is at the start: nothing to end, the bytes are overwritten
	assert_equal "$stderr" ""
	run -0 cmp file <(printf 'Received data: 5\n')
	printf '12\n3' >file
	run -0 --separate-stderr python3 -c '
import os, subprocess
fd = os.open("file", os.O_WRONLY)
os.lseek(fd, 0, os.SEEK_END)
subprocess.run(["procprint"], input=b"5\n", stdout=fd, check=True)'
	assert_equal "$stderr" "procprint: stdout ended in part of a line; ended it"
	run -0 cmp file <(printf '12\n3\nReceived data: 5\n')
}

@test "atomic: a file that ends in a newline, or is empty, is left as it is" {
	printf '12\n' >file
	run -0 --separate-stderr bash -c 'procprint <<<5 >>file'
	assert_equal "$stderr" ""
	run -0 cmp file <(printf '12\nReceived data: 5\n')
	: >file
	run -0 --separate-stderr bash -c 'procprint <<<5 >>file'
	assert_equal "$stderr" ""
	run -0 cmp file <(printf 'Received data: 5\n')
}
