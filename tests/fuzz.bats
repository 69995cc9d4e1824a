#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# The fuzz harnesses (tests/fuzz_NAME.c, run long by scripts/fuzz) replayed
# over their checked-in corpus, tests/corpus/fuzz_NAME, where every input
# a fuzzer once failed on is kept; and each bug they found, as a user
# meets it.

load helpers

setup() {
	cd "$BATS_TEST_TMPDIR" || exit 1
}

# replays NAME: the harness passes every input of its corpus.
replays() {
	run -0 --separate-stderr "replay_$1" "$ROOT/tests/corpus/fuzz_$1"
	assert_output --regexp '^[1-9][0-9]* inputs$'
}

@test "fuzz: the reader harness passes its corpus" {
	replays reader
}

@test "fuzz: the record harness passes its corpus" {
	replays record
}

@test "fuzz: the pipeline-file harness passes its corpus" {
	replays pipeline
}

@test "fuzz: the procwin harness passes its corpus" {
	replays procwin
}

@test "fuzz: the statsink harness passes its corpus" {
	replays statsink
}

@test "fuzz: the histsink harness passes its corpus" {
	replays histsink
}

@test "fuzz: the xread harness (redissrc's answers) passes its corpus" {
	replays xread
}

@test "fuzz: the canon harness (proctee's runs of canonical records) passes its corpus" {
	replays canon
}

@test "fuzz: the merge harness (procmerge's core) passes its corpus" {
	replays merge
}

# found by fuzz_reader: the dead-letter file got as much of the line as
# the last read had brought, and a '\n'
@test "fuzz: --strict --rejects keeps all of an overlong bad line, read in any sizes" {
	{ echo 1; head -c 100000 /dev/zero | tr '\0' a; printf '\n2\n'; } >in
	run -65 --separate-stderr bash -c 'cat in | procprint --strict --rejects rej'
	assert_output 'Received data: 1'
	assert_equal "$(cat rej)" "$(sed -n 2p in)"
	assert_equal "$(wc -c <rej)" 100001
}

@test "fuzz: --strict without --rejects stops at once in an endless line" {
	run -65 --separate-stderr bash -c \
		'{ echo 1; yes | tr -d "\n"; } | timeout 10 procprint --strict'
	assert_output 'Received data: 1'
}

# found by fuzz_statsink: the mean came from the sum rounded to long
# double, so three values of INT64_MIN + 1 had a mean above them all
@test "fuzz: statsink's mean stays between min and max near the limits of int64" {
	run -0 bash -c 'printf "%s\n" -9223372036854775807 -9223372036854775807 \
		-9223372036854775807 | statsink'
	assert_line 'mean      -9223372036854775807.000'
	run -0 bash -c 'printf "%s\n" 9223372036854775807 9223372036854775806 | statsink'
	assert_line 'mean      9223372036854775806.500'
}

# found by fuzz_histsink: a value far below the first ones (near INT64_MIN
# after values near INT64_MAX) wrapped around to look in range, went into
# the wrong fine bin and was never drawn
@test "fuzz: histsink counts a value near INT64_MIN after ones near INT64_MAX" {
	{ printf '9223372036854775806\n%.0s' {1..11}; echo -9223372036854775807
		printf '9223372036854775806\n%.0s' {1..10}; } >in
	run -0 histsink --ascii <in
	assert_line --index 0 --regexp '^-9223372036854775807 \.\. -[0-9]+   1  #$'
	assert_line --index 19 --regexp '\.\.  9223372036854775806  21  #+$'
	assert_line --index 20 '22 records'
}

# found by fuzz_reader: under pipesup on a pipe of 2 pages (what Linux
# gives a user over pipe-user-pages-soft), the unconsumed start of a long
# line could fill the pipe: the stage waited for the line's end, and its
# writer for room, for ever
@test "fuzz: a held stage on a 2-page pipe takes a long line written in small pieces" {
	run -65 --separate-stderr python3 -c '
import fcntl, os, subprocess, sys, time
r, w = os.pipe()
fcntl.fcntl(r, 1031, 8192)      # F_SETPIPE_SZ
p = subprocess.Popen(["procprint"], stdin=r, stdout=subprocess.PIPE,
    env=dict(os.environ, SLUICE_HELD="1"))
os.close(r)
os.set_blocking(w, False)
data = b"1\n" * 1900 + b"y" * 7800 + b"\n5\n"
deadline = time.time() + 10
while data and time.time() < deadline:
    try:
        data = data[os.write(w, data[:246]):]
    except BlockingIOError:
        time.sleep(0.001)
os.close(w)
out = p.communicate()[0].decode().split("\n")
print(len(data), "bytes left,", out[-2])
sys.exit(p.returncode)'
	assert_output '0 bytes left, Received data: 5'
	assert_equal "$stderr" 'procprint: line 1901: bad record "yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy...": line longer than 4096 bytes
procprint: 1 bad record'
}
