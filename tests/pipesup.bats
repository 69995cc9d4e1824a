#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# pipesup: the supervisor (sluice(7), THE SUPERVISOR).

setup() {
	load helpers
	OUT=$BATS_TEST_TMPDIR/out
	ERR=$BATS_TEST_TMPDIR/err
	F=$BATS_TEST_TMPDIR/p.pipe
}

teardown() {
	kill_leftover_pipeline
}

kids() {
	(($(pgrep -c -P "$PID") == $1))
}

kid_is_not() {
	local p
	p=$(kid "$1") && [[ $p != "$2" ]]
}

# rows: the summary rows without the pid, "NAME RESTARTS ENDED | IN OUT BAD".
rows() {
	sed -nE 's/^(\S+) +[0-9]+ +([0-9]+) +(.*\S) +(\S+) +(\S+) +(\S+)$/\1 \2 \3 | \4 \5 \6/p' "$ERR"
}

ended() {
	rows | sed 's/ |.*//'
}

# pipes_of PID: what PID's stdin and stdout are (pipe:[inode] for pipes).
pipes_of() {
	echo "$(readlink "/proc/$1/fd/0") $(readlink "/proc/$1/fd/1")"
}

fds_of() {
	find "/proc/$1/fd" -mindepth 1 -maxdepth 1 | wc -l
}

now_ms() {
	echo $(($(date +%s%N) / 1000000))
}

# seeded_prefix N: the first N lines of the seeded stream the tests use.
is_seeded_prefix() {
	local n
	n=$(lines "$OUT")
	((n > 0)) || return 1
	randsrc --rate 0 --seed 9 --count "$n" | procprint | cmp - "$OUT"
}

@test "the same output as the shell pipeline, and a summary" {
	run -0 --separate-stderr pipesup randsrc --rate 0 --count 2000 --seed 3 :: procprint
	assert_equal "$output" "$(randsrc --rate 0 --count 2000 --seed 3 | procprint)"
	echo "$stderr" >"$ERR"
	assert_equal "$(head -n 1 "$ERR" | tr -s ' ')" "stage pid restarts ended in out bad"
	assert_equal "$(rows)" "randsrc 0 exit 0 | 0 2000 0
procprint 0 exit 0 | 2000 2000 0"
}

@test "-q: no summary; options after a command are the command's" {
	run -0 --separate-stderr pipesup -q randsrc -n 3 --rate 0 -s 1 :: procprint
	assert_equal "$output" "$(randsrc -n 3 --rate 0 -s 1 | procprint)"
	assert_equal "$stderr" ""
}

@test "the first stage reads pipesup's stdin, the last writes its stdout" {
	run -0 --separate-stderr bash -c 'printf "5\n+07\n" | pipesup -q procprint'
	assert_output "Received data: 5
Received data: 7"
}

@test "a closed reader of pipesup's stdout ends the pipeline quietly" {
	run -0 --separate-stderr bash -c 'pipesup -q -r on-failure randsrc --rate 0 --seed 1 :: procprint | head -n 3; exit ${PIPESTATUS[0]}'
	assert_output "$(randsrc --rate 0 --seed 1 --count 3 | procprint)"
	assert_equal "$stderr" ""
}

@test "a stage that is not a sluice program shows no counters" {
	run -0 --separate-stderr pipesup sh -c 'echo 1' :: cat
	assert_output "1"
	echo "$stderr" >"$ERR"
	assert_equal "$(rows)" "sh 0 exit 0 | - - -
cat 0 exit 0 | - - -"
}

@test "exit status: the rightmost failed stage, and the summary says why" {
	run -4 --separate-stderr pipesup -q sh -c 'exit 3' :: sh -c 'cat; exit 4' :: cat
	assert_equal "$stderr" "pipesup: sh#2 failed: exit 4"
	run -137 --separate-stderr pipesup sh -c 'kill -KILL $$'
	echo "$stderr" >"$ERR"
	assert_equal "$(ended)" "sh 0 SIGKILL"
	assert_equal "$(tail -n 1 "$ERR")" "pipesup: sh failed: SIGKILL"
}

@test "each stage's stderr is prefixed, line by line, the last line too" {
	run -0 --separate-stderr pipesup -q sh -c 'echo one >&2; printf "tw" >&2; printf "o\nlast" >&2' :: sh -c 'cat; echo done >&2'
	assert_output ""
	assert_equal "$stderr" "sh: one
sh: two
sh: last
sh#2: done"
}

@test "a line a stage named itself is not named twice" {
	run -65 --separate-stderr pipesup -q randsrc -n 1 :: sh -c 'echo x; echo 2' :: statsink :: sh -c 'cat >/dev/null; echo "sh: from sh#2" >&2'
	assert_equal "$stderr" 'statsink: line 1: bad record "x": not an integer
statsink: 1 bad record
sh#2: sh: from sh#2
pipesup: statsink failed: exit 65'
}

@test "--stats 2s takes the interval as --stats=2s does; a command is not one" {
	run -0 --separate-stderr pipesup -q --stats 20ms randsrc --rate 20 -n 3 --seed 2 :: procprint
	assert_output "$(randsrc --rate 0 -n 3 --seed 2 | procprint)"
	[[ ${stderr_lines[0]} =~ ^pipesup:\ [0-9.]+s:\ randsrc\ in\ 0\ out\ [0-3]\  ]]
	((${#stderr_lines[@]} >= 3))
	run -0 --separate-stderr pipesup -q --stats randsrc -n 1 --seed 2
	assert_output "$(randsrc --rate 0 -n 1 --seed 2)"
	assert_equal "$stderr" ""
}

@test "-f - reads the pipeline from stdin; the first stage then reads nothing" {
	run -0 --separate-stderr pipesup -q -f - <<<"src: randsrc -n 2 --seed 4
in: cat
print: procprint"
	assert_output "$(randsrc --rate 0 -n 2 --seed 4 | procprint)"
	run -0 --separate-stderr pipesup -q -f - <<<"in: cat
print: procprint"
	assert_output ""
	run -64 --separate-stderr pipesup -f - <<<"a: sh -c 'x"
	assert_equal "$stderr" "pipesup: stdin:1: a single quote is not closed"
}

@test "lines of different stages never mix" {
	a=$(printf 'a%.0s' $(seq 300))
	b=$(printf 'b%.0s' $(seq 300))
	run -0 --separate-stderr pipesup -q \
	    sh -c "for i in \$(seq 300); do printf '%s' '$a' >&2; echo >&2; done" :: \
	    sh -c "for i in \$(seq 300); do printf '%s' '$b' >&2; echo >&2; done"
	echo "$stderr" >"$ERR"
	assert_equal "$(grep -cx "sh: $a" "$ERR")" 300
	assert_equal "$(grep -cx "sh#2: $b" "$ERR")" 300
	assert_equal "$(lines "$ERR")" 600
}

@test "a line longer than the buffer is shown in prefixed pieces" {
	run -0 --separate-stderr pipesup -q sh -c 'head -c 5000 /dev/zero | tr "\0" x >&2; echo >&2'
	echo "$stderr" >"$ERR"
	assert_equal "$(lines "$ERR")" 2
	assert_equal "$(sed -n 1p "$ERR")" "sh: $(head -c 4096 /dev/zero | tr '\0' x)"
	assert_equal "$(sed -n 2p "$ERR")" "sh: $(head -c 904 /dev/zero | tr '\0' x)"
}

@test "each pipe between two stages holds 256 KiB, the first stage's stdin and the last's stdout as they came" {
	# F_GETPIPE_SZ is 1032
	local size='import fcntl, sys; sys.stdin.read(); print(fcntl.fcntl(0, 1032))'
	run -0 --separate-stderr pipesup -q randsrc -n 1 :: python3 -c "$size"
	assert_output 262144
	run -0 --separate-stderr pipesup -q cat :: python3 -c "$size" < <(echo 1)
	assert_output 262144
	# the shell's pipe into pipesup is the shell's: 64 KiB
	run -0 --separate-stderr bash -c "echo 1 | pipesup -q python3 -c '$size'"
	assert_output 65536
}

@test "a stage gets only 0, 1, 2 and the stats page, in any position" {
	run -0 --separate-stderr pipesup -q fdprobe fds :: cat
	assert_output "0
1
2
3"
	run -0 --separate-stderr pipesup -q true :: fdprobe fds :: cat
	assert_output "0
1
2
3"
	run -0 --separate-stderr pipesup -q sh -c 'echo "$SLUICE_STATS_FD"'
	assert_output "3"
}

@test "a wrapper stage's counters are '-': the sluice programs it starts never write them" {
	randsrc -n 10000 --rate 0 --seed 5 >"$BATS_TEST_TMPDIR/in"
	run -0 --separate-stderr pipesup sh -c 'procfilter --even | procmap --add 1' :: procprint <"$BATS_TEST_TMPDIR/in"
	echo "$stderr" >"$ERR"
	local even
	even=$(procfilter --even <"$BATS_TEST_TMPDIR/in" | wc -l)
	assert_equal "$(rows)" "sh 0 exit 0 | - - -
procprint 0 exit 0 | $even $even 0"
	# a wrapper that execs the program is that program
	run -0 --separate-stderr pipesup sh -c 'exec procfilter --even' :: procprint <"$BATS_TEST_TMPDIR/in"
	echo "$stderr" >"$ERR"
	assert_equal "$(rows)" "sh 0 exit 0 | 10000 $even 0
procprint 0 exit 0 | $even $even 0"
}

@test "pipesup reaps its stages even when started with SIGCHLD ignored" {
	# a pipesup that never learns its stage ended would wait forever
	run -3 --separate-stderr timeout -k 1 5 \
		perl -e '$SIG{CHLD} = "IGNORE"; exec @ARGV' pipesup -q sh -c 'exit 3'
	assert_equal "$stderr" "pipesup: sh failed: exit 3"
}

@test "stages start with SIGINT ignored, nothing else ignored or blocked" {
	# what pipesup found ignored stays ignored (sluice(7), SIGNALS): the
	# stage's mask is this shell's, plus SIGINT
	local ign
	ign=$(awk '/^SigIgn/ { print $2 }' /proc/self/status)
	ign=$(printf '%016x' $((0x$ign | 2)))
	run -0 --separate-stderr pipesup -q awk '/^Sig(Ign|Blk)/' /proc/self/status
	assert_output "SigBlk:	0000000000000000
SigIgn:	$ign"
}

@test "a program that cannot be found is named before anything starts, 127 as in sh" {
	run -127 --separate-stderr pipesup sh -c "touch $OUT" :: nosuchprog -x
	assert_equal "$stderr" "pipesup: nosuchprog: command not found"
	[[ ! -e $OUT ]]
	run -127 --separate-stderr pipesup ./nosuch/prog
	assert_equal "$stderr" "pipesup: ./nosuch/prog: command not found"
}

@test "a program that cannot be executed is named before anything starts, 126 as in sh" {
	touch "$BATS_TEST_TMPDIR/plain"
	run -126 --separate-stderr pipesup sh -c "touch $OUT" :: "$BATS_TEST_TMPDIR/plain"
	assert_equal "$stderr" "pipesup: $BATS_TEST_TMPDIR/plain: Permission denied"
	[[ ! -e $OUT ]]
	run -126 --separate-stderr pipesup "$BATS_TEST_TMPDIR"
	assert_equal "$stderr" "pipesup: $BATS_TEST_TMPDIR: Is a directory"
	# as execvp does, one that cannot be run is passed over in $PATH
	mkdir "$BATS_TEST_TMPDIR/first"
	touch "$BATS_TEST_TMPDIR/first/true"
	PATH=$BATS_TEST_TMPDIR/first:$PATH run -0 pipesup -q true
}

@test "a stage that cannot be executed says why and exits 126, never restarted" {
	# one word longer than execve takes
	printf 'big restart=always: true %s\n' "$(head -c 200000 /dev/zero | tr '\0' x)" >"$F"
	run -126 --separate-stderr pipesup -q -f "$F"
	assert_equal "$stderr" "big: cannot run true: Argument list too long
pipesup: big failed: exit 126"
}

@test "usage errors exit 64 with a pointer to --help" {
	local try="Try 'pipesup --help' for more information."
	run -64 --separate-stderr pipesup
	assert_equal "$stderr" "pipesup: no command given
$try"
	run -64 --separate-stderr pipesup true :: :: true
	assert_equal "$stderr" "pipesup: an empty stage next to '::'
$try"
	run -64 --separate-stderr pipesup true ::
	assert_equal "$stderr" "pipesup: an empty stage next to '::'
$try"
	run -64 --separate-stderr pipesup --restart sometimes true
	assert_equal "$stderr" "pipesup: --restart: \"sometimes\" is not never, on-failure or always
$try"
	run -64 --separate-stderr pipesup --grace soon true
	assert_equal "$stderr" "pipesup: --grace: \"soon\" is invalid
$try"
	run -64 --separate-stderr pipesup --max-restarts -1 true
	assert_equal "$stderr" "pipesup: --max-restarts: \"-1\" is too small
$try"
	run -64 --separate-stderr pipesup -f "$F" true
	assert_equal "$stderr" "pipesup: both -f and a command line pipeline
$try"
	run -64 --separate-stderr pipesup --bogus true
	assert_equal "$stderr" "pipesup: unrecognized option '--bogus'
$try"
}

@test "--help and --version" {
	run -0 --separate-stderr pipesup --help
	assert_line --index 0 --partial "usage: pipesup "
	assert_equal "$stderr" ""
	run -0 pipesup --version
	assert_output --regexp '^pipesup \(sluice\) [0-9]'
}

@test "a pipeline file: every quoting form, comments, names" {
	run -0 --separate-stderr pipesup -q -f "$ROOT/tests/pipesup-files/quoting.pipe"
	assert_output "<plain>
<single quoted \$HOME \"x\" \\>
<double \"quoted\" \$HOME \\ \\x 'y'>
<back slash's>
<>
<>
<a#b>
<#>
<#>
<continued>
<two
lines>
<last>"
	assert_equal "$stderr" "sink_1.x-y: done"
}

@test "lib/pipeline: the unit tests of the splitters pass" {
	run -0 unit_pipeline
	assert_output ""
}

@test "lib/restart: every row of the restart decision's table" {
	run -0 unit_restart
	assert_output "0 failures"
}

@test "lib/relay: stderr cut into whole lines, however it arrives" {
	run -0 unit_relay
	assert_output "0 failures"
}

@test "the example pipeline file runs" {
	bg -q -f "$ROOT/scripts/pipelines/example.pipe"
	wait_for has_lines "$OUT" 1
	kill -TERM "$PID"
	finish
	assert_equal "$ST" 0
	run -1 grep -vxE 'Received data: [0-9]+' "$OUT"
}

# file_error TEXT STATUS MESSAGE: pipesup -f on TEXT says MESSAGE.
file_error() {
	printf '%b' "$1" >"$F"
	run "-$2" --separate-stderr pipesup -f "$F"
	assert_equal "$stderr" "pipesup: $F${3}"
	assert_output ""
}

@test "a pipeline file: every error names the file and the line" {
	file_error "a: sh -c 'oops\n" 64 ":1: a single quote is not closed"
	file_error "# c\n\na: echo \"oops\nmore\n" 64 ":3: a double quote is not closed"
	file_error "randsrc --rate 5\n" 64 ":1: expected \"NAME: COMMAND ARGS...\""
	file_error "a: true\n: randsrc\n" 64 ":2: the stage has no name before ':'"
	file_error "a/b: true\n" 64 ":1: a stage name may hold only letters, digits, '_', '.' and '-'"
	file_error "a: true\nb: cat\na: cat\n" 64 ":3: the stage name is already used"
	file_error "a:   # nothing\n" 64 ":1: the stage has no command"
	file_error "abcdefghijabcdefghijabcdefghijabc: true\n" 64 ":1: the stage name is longer than 32 characters"
	file_error "a: true\nb: tr\0ue\n" 64 ":2: a NUL byte in the file"
	file_error "# only a comment\n\n" 64 ": no stages"
	file_error "a: true\nb: nosuchprog\n" 127 ":2: nosuchprog: command not found"
	run -66 --separate-stderr pipesup -f "$F.missing"
	assert_equal "$stderr" "pipesup: $F.missing: No such file or directory"
}

@test "a pipeline file with CR LF line ends reads as with LF" {
	printf '# from Windows\r\nsrc: randsrc -n 3 --seed 1 \\\r\n  --max 9\r\nprint: procprint\r\n' >"$F"
	run -0 --separate-stderr pipesup -q -f "$F"
	assert_output "$(randsrc --rate 0 -n 3 --seed 1 --max 9 | procprint)"
	assert_equal "$stderr" ""
}

@test "64 stages run; a 65th is refused before anything starts" {
	local args=(randsrc -n 100 --rate 0 --seed 3) i
	for ((i = 1; i < 64; i++)); do
		args+=(:: cat)
	done
	run -0 --separate-stderr pipesup -q "${args[@]}"
	assert_output "$(randsrc -n 100 --rate 0 --seed 3)"
	run -64 --separate-stderr pipesup -q "${args[@]}" :: true
	assert_equal "$stderr" "pipesup: more than 64 stages
Try 'pipesup --help' for more information."
	assert_output ""
}

@test "out of descriptors, pipesup names the one it could not make" {
	[[ -z ${ASAN_OPTIONS:-} ]] ||
		skip "the sanitizers' runtime takes descriptors of its own"
	local n st out said=()
	# each descriptor more lets it get one step further
	for ((n = 4; n < 40; n++)); do
		st=0
		out=$(prlimit --nofile=$n pipesup -q randsrc -n 1 :: procprint 2>"$ERR") || st=$?
		# too few even to load the libraries: 127 from ld.so
		((st == 127 && ${#said[@]} == 0)) && continue
		((st == 71)) || break
		[[ ${said[*]: -1} == "$(<"$ERR")" ]] || said+=("$(<"$ERR")")
	done
	assert_equal "$st" 0
	[[ $out =~ ^Received\ data:\ [0-9]+$ ]]
	local IFS=$'\n'
	assert_equal "${said[*]}" "pipesup: the self-pipe for signals: Too many open files
pipesup: randsrc: the pipe for its stderr: Too many open files
pipesup: randsrc: the file of its figures: Too many open files
pipesup: the pipe from randsrc to procprint: Too many open files
pipesup: procprint: the pipe for its stderr: Too many open files
pipesup: procprint: the file of its figures: Too many open files"
}

# kill_stage POLICY POS: SIGKILL the stage at POS of a three-stage
# pipeline and check what pipesup does about it.
kill_stage() {
	local policy=$1 pos=$2 names=(randsrc cat procprint) victim n before
	local name=${names[pos - 1]}
	bg --grace 10s --restart "$policy" randsrc --rate 5000 --seed 9 :: cat :: procprint
	wait_for has_lines "$OUT" 100
	victim=$(kid "$name")
	before=$(pipes_of "$victim")
	kill -KILL "$victim"
	if [[ $policy == never ]]; then
		finish
		assert_equal "$ST" 137
		assert_equal "$(tail -n 1 "$ERR")" "pipesup: $name failed: SIGKILL"
		case $pos in
		1) assert_equal "$(ended)" "randsrc 0 SIGKILL
cat 0 exit 0
procprint 0 exit 0" ;;
		2) assert_equal "$(ended)" "randsrc 0 SIGPIPE (reader gone)
cat 0 SIGKILL
procprint 0 exit 0" ;;
		3) assert_equal "$(ended)" "randsrc 0 SIGPIPE (reader gone)
cat 0 SIGPIPE (reader gone)
procprint 0 SIGKILL" ;;
		esac
		return
	fi
	wait_for kid_is_not "$name" "$victim"
	# the same pipes, not new ones
	assert_equal "$(pipes_of "$(kid "$name")")" "$before"
	n=$(lines "$OUT")
	wait_for has_lines "$OUT" $((n + 500))
	kill -TERM "$PID"
	finish
	assert_equal "$ST" 0
	assert_equal "$(head -n 1 "$ERR")" "pipesup: $name: SIGKILL; restarting in 100ms"
	local r=(0 0 0)
	r[pos - 1]=1
	assert_equal "$(ended)" "randsrc ${r[0]} SIGTERM (drain)
cat ${r[1]} exit 0
procprint ${r[2]} exit 0"
	# the writers waited: every line that came out is whole
	run -1 grep -vxE 'Received data: [0-9]+' "$OUT"
}

@test "SIGKILL of the first stage, --restart never" { kill_stage never 1; }
@test "SIGKILL of the middle stage, --restart never" { kill_stage never 2; }
@test "SIGKILL of the last stage, --restart never" { kill_stage never 3; }
@test "SIGKILL of the first stage, --restart on-failure" { kill_stage on-failure 1; }
@test "SIGKILL of the middle stage, --restart on-failure" { kill_stage on-failure 2; }
@test "SIGKILL of the last stage, --restart on-failure" { kill_stage on-failure 3; }
@test "SIGKILL of the first stage, --restart always" { kill_stage always 1; }
@test "SIGKILL of the middle stage, --restart always" { kill_stage always 2; }
@test "SIGKILL of the last stage, --restart always" { kill_stage always 3; }

@test "a restarted reader gets the same pipe back with what is queued" {
	run -1 --separate-stderr pipesup -q -r on-failure sh -c 'seq 3' :: sh -c 'read a; echo "$a"; exit 1'
	assert_output "1
2
3"
	assert_equal "$stderr" "pipesup: sh#2: exit 1; restarting in 100ms
pipesup: sh#2: exit 1; restarting in 200ms
pipesup: sh#2 failed: exit 1"
}

@test "backoff doubles, and --max-restarts gives up with a failure" {
	local t0
	t0=$(now_ms)
	run -1 --separate-stderr pipesup -q -r always --max-restarts 3 sh -c 'exit 1'
	(($(now_ms) - t0 >= 700))
	assert_equal "$stderr" "pipesup: sh: exit 1; restarting in 100ms
pipesup: sh: exit 1; restarting in 200ms
pipesup: sh: exit 1; restarting in 400ms
pipesup: sh: exit 1; giving up after 3 restarts
pipesup: sh failed: exit 1 (gave up)"
}

@test "giving up stops the whole pipeline" {
	run -3 --separate-stderr pipesup -q -r on-failure --max-restarts 1 --grace 10s randsrc --rate 100 :: sh -c 'exit 3' :: cat
	assert_equal "$stderr" "pipesup: sh: exit 3; restarting in 100ms
pipesup: sh: exit 3; giving up after 1 restart
pipesup: sh failed: exit 3 (gave up)"
}

@test "exit 64 and 65 are never restarted, and end of input is final" {
	run -65 --separate-stderr pipesup -r always sh -c 'printf "1\n2\n"; exit 65' :: procprint
	assert_output "Received data: 1
Received data: 2"
	echo "$stderr" >"$ERR"
	assert_equal "$(ended)" "sh 0 exit 65
procprint 0 exit 0"
	run -64 --separate-stderr pipesup -q -r on-failure sh -c 'exit 64'
	assert_equal "$stderr" "pipesup: sh failed: exit 64"
}

@test "--restart always restarts a stage that ended well" {
	bg -q -r always randsrc --rate 100 :: sh -c 'read -r x; echo up >&2'
	wait_for has_lines "$ERR" 4
	kill -TERM "$PID"
	finish
	assert_equal "$ST" 0
	assert_equal "$(head -n 4 "$ERR")" "sh: up
pipesup: sh: exit 0; restarting in 100ms
sh: up
pipesup: sh: exit 0; restarting in 200ms"
}

@test "--restart always: a first stage that ended its stream is final" {
	run -0 --separate-stderr pipesup -r always randsrc -n 3 --seed 1 :: procprint
	assert_output "$(randsrc --rate 0 -n 3 --seed 1 | procprint)"
	echo "$stderr" >"$ERR"
	assert_equal "$(ended)" "randsrc 0 exit 0
procprint 0 exit 0"
}

@test "a pipeline file's restart=always restarts a source that ended well" {
	printf '%s\n' 'src restart=always: sh -c "echo 1"' 'print: procprint' >"$F"
	bg -q -f "$F"
	wait_for grep -q 'src: exit 0; restarting in 200ms' "$ERR"
	kill -TERM "$PID"
	finish
	assert_equal "$ST" 0
	[[ $(head -n 2 "$OUT") == "Received data: 1"$'\n'"Received data: 1" ]]
}

@test "a pipeline file's stop=, env= and dir= settings" {
	local d=$BATS_TEST_TMPDIR/work
	mkdir "$d"
	printf '%s\n' "src stop=INT: randsrc --rate 5000 --seed 9" \
		"say env=GREETING=hi env='B=2 3' dir=$d: sh -c 'echo \"\$GREETING \$B \$(pwd)\" >&2; exec procprint'" >"$F"
	bg -f "$F"
	wait_for has_lines "$OUT" 100
	kill -TERM "$PID"
	finish
	assert_equal "$ST" 0
	is_seeded_prefix
	assert_equal "$(head -n 1 "$ERR")" "say: hi 2 3 $d"
	assert_equal "$(ended)" "src 0 SIGINT (drain)
say 0 exit 0"
}

@test "a pipeline file's dir= must be a directory, checked before anything starts" {
	printf '%s\n' "a dir=$BATS_TEST_TMPDIR/none: true" >"$F"
	run -64 --separate-stderr pipesup -f "$F"
	assert_equal "$stderr" "pipesup: $F:1: dir=$BATS_TEST_TMPDIR/none: No such file or directory"
}

# stall_sink: the last stage stops reading until unstall_sink, so that
# every pipe fills and the source holds records it made and could not
# write yet: a drain must deliver those too.
stall_sink() {
	SINK=$(kid procprint)
	kill -STOP "$SINK"
	wait_for blocked "$(kid randsrc)"
}

unstall_sink() {
	kill -CONT "$SINK"
}

@test "SIGTERM drains without loss: the output is a prefix of the seeded stream" {
	bg --grace 5s randsrc --rate 0 --seed 9 :: cat :: procprint
	wait_for has_lines "$OUT" 3000
	stall_sink
	kill -TERM "$PID"
	unstall_sink
	finish
	assert_equal "$ST" 0
	is_seeded_prefix
	n=$(lines "$OUT")
	# every record randsrc made, by its count, went through every stage
	assert_equal "$(rows)" "randsrc 0 SIGTERM (drain) | 0 $n 0
cat 0 exit 0 | - - -
procprint 0 exit 0 | $n $n 0"
}

@test "^C to the whole process group drains without loss" {
	bg randsrc --rate 0 --seed 9 :: procprint
	wait_for has_lines "$OUT" 2000
	stall_sink
	kill -INT -- "-$PID"
	unstall_sink
	finish
	assert_equal "$ST" 0
	is_seeded_prefix
	n=$(lines "$OUT")
	# nothing said but the summary: every record made came out
	assert_equal "$(lines "$ERR")" 3
	assert_equal "$(rows)" "randsrc 0 SIGTERM (drain) | 0 $n 0
procprint 0 exit 0 | $n $n 0"
}

@test "after --grace only the stage holding the drain up is killed" {
	local t0 ms
	bg --grace 1s sh -c 'trap "" TERM; echo ready; while :; do sleep 0.05; done' :: cat
	wait_for has_lines "$OUT" 1
	t0=$(now_ms)
	kill -TERM "$PID"
	finish
	assert_equal "$ST" 137
	# the grace it was given, neither less nor much more
	ms=$(($(now_ms) - t0))
	((ms >= 1000 && ms < 1500)) || fail "the drain took $ms ms"
	# cat gets the end of its input and finishes
	assert_equal "$(ended)" "sh 0 SIGKILL (after grace)
cat 0 exit 0"
	assert_equal "$(tail -n 1 "$ERR")" "pipesup: sh failed: SIGKILL (after grace)"
}

@test "a second SIGINT after the window kills at once" {
	bg --grace 60s sh -c 'trap "" TERM; echo ready; while :; do sleep 0.05; done' :: cat
	wait_for has_lines "$OUT" 1
	kill -INT "$PID"
	wait_for grep -q draining "/proc/$PID/cmdline"
	# past the window in which a second request is the same stop
	sleep 0.6
	kill -INT "$PID"
	finish
	assert_equal "$ST" 130
	assert_equal "$(ended)" "sh 0 SIGKILL (interrupt)
cat 0 SIGKILL (interrupt)"
}

@test "a stopped stage holds the pipeline in bounded memory, then resumes" {
	local pp rs m1 r1 n
	bg -q --stats=100ms randsrc --rate 0 --seed 9 :: procprint
	wait_for has_lines "$OUT" 10000
	pp=$(kid procprint)
	rs=$(kid randsrc)
	kill -STOP "$pp"
	# the held pipe fills up, as pipesup's FIONREAD shows
	wait_for grep -qE '\| 2[0-9]{5} B \|' "$ERR"
	m1=$(rss_kib "$PID") r1=$(rss_kib "$rs") n=$(lines "$OUT")
	# the time the issue asks for, not a hope: the stop lasts two seconds
	sleep 2
	(($(rss_kib "$PID") - m1 < 64))
	(($(rss_kib "$rs") - r1 < 64))
	assert_equal "$(lines "$OUT")" "$n"
	kill -CONT "$pp"
	wait_for has_lines "$OUT" $((n + 10000))
	kill -TERM "$PID"
	finish
	assert_equal "$ST" 0
	is_seeded_prefix
}

@test "no zombies and no descriptor growth across restarts" {
	local f1 m1
	bg -q -r always --grace 10s randsrc --rate 1000 :: sh -c 'head -n 10 >/dev/null'
	wait_for grep -q "restarting in 100ms" "$ERR"
	f1=$(fds_of "$PID") m1=$(rss_kib "$PID")
	wait_for grep -q "restarting in 800ms" "$ERR"
	assert_equal "$(fds_of "$PID")" "$f1"
	(($(rss_kib "$PID") - m1 < 64))
	run -1 grep Z <(ps -o stat= --ppid "$PID")
	kill -TERM "$PID"
	finish
	assert_equal "$ST" 0
}

@test "setproctitle shows the state" {
	bg sleep 30
	wait_for kid sleep
	assert_equal "$(ps -o args= -p "$PID")" "pipesup: 1 stage, running"
	kill -TERM "$PID"
	finish
}

@test "--pidfile: a second pipesup refuses, naming the running pid" {
	local pf=$BATS_TEST_TMPDIR/sup.pid
	bg --pidfile "$pf" sleep 30
	wait_for test -s "$pf"
	assert_equal "$(cat "$pf")" "$PID"
	run -75 --separate-stderr pipesup --pidfile "$pf" true
	assert_equal "$stderr" "pipesup: $pf: already running as pid $PID"
	kill -TERM "$PID"
	finish
	assert_equal "$ST" 0
	[[ ! -e $pf ]]
}

@test "--stats: a line of figures per interval when stderr is not a terminal" {
	bg -q --stats=100ms randsrc --rate 1000 :: procprint
	wait_for has_lines "$ERR" 3
	kill -TERM "$PID"
	finish
	assert_equal "$ST" 0
	run -1 grep -vxE 'pipesup: [0-9]+\.[0-9]s: randsrc in 0 out [0-9]+ bad 0 [0-9]+/s \| [0-9]+ B \| procprint in [0-9]+ out [0-9]+ bad 0 [0-9]+/s' "$ERR"
}

# The live view on a terminal is tests/live.bats'.
@test "--stats on a terminal without a scroll region (TERM=dumb): a line per interval" {
	run -0 script -qc "stty rows 20 cols 200; TERM=dumb env --default-signal=INT timeout -s INT 0.6 pipesup -q --stats=100ms randsrc --rate 100 :: procprint >/dev/null" /dev/null
	[[ ${lines[0]} =~ ^pipesup:\ 0\.[0-9]s:\ randsrc\ in\ 0\ out\ [0-9]+\ .*\ procprint\ in ]]
	[[ ${lines[1]} =~ ^pipesup:\ 0\.[0-9]s:\ randsrc\ in\ 0\ out\ [0-9]+\ .*\ procprint\ in ]]
	[[ $output != *$'\e'* ]]
}

@test "pipesup: each stage is told its name in SLUICE_STAGE, as its messages show it" {
	run -0 --separate-stderr pipesup -- sh -c 'echo "$SLUICE_STAGE"' :: \
		sh -c 'cat; echo "$SLUICE_STAGE"'
	assert_output $'sh\nsh#2'
}
