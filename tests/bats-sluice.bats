#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# bats-sluice (bats/bats-sluice), the library users test their own
# pipelines with, loaded as a user loads it: found in BATS_LIB_PATH by
# bats_load_library.  Each helper passes on a good pipeline and fails, with
# the message a user sees, on a bad one; bats/example.bats runs as shown.

setup() {
	load helpers
	BATS_LIB_PATH=$ROOT/bats:$BATS_LIB_PATH
	bats_load_library bats-sluice
	cd "$BATS_TEST_TMPDIR" || return
}

# seeded ARGS...: the same seeded stream as the tests' pipelines start with
SEED=(randsrc --seed 3 --count 10 --rate 0 --min 1 --max 20)

@test "sluice_run_pipeline: sets status, output, lines, stderr and stderr_lines as run --separate-stderr does" {
	sluice_run_pipeline "${SEED[@]}" :: procfilter --min 10 :: procprint
	assert_equal "$status" 0
	assert_output "$(printf 'Received data: %s\n' 14 17 11 18 16)"
	assert_equal "${#lines[@]}" 5
	assert_equal "${lines[4]}" "Received data: 16"
	assert_regex "${stderr_lines[0]}" '^stage +pid restarts +ended +in +out +bad$'
	assert_regex "${stderr_lines[2]}" '^procfilter +[0-9]+ +0  exit 0 +10 +5 +0$'
	assert_equal "${#stderr_lines[@]}" 4
	assert [ -s "$SLUICE_SUMMARY" ]
}

@test "sluice_run_pipeline: a failing pipeline's status is kept for the test to assert; stdin feeds the first stage" {
	sluice_run_pipeline -q procfilter --even < <(printf '2\nx\n4\n')
	assert_equal "$status" 65
	assert_output $'2\n4'
	assert_equal "$stderr" 'procfilter: line 2: bad record "x": not an integer
procfilter: 1 bad record
pipesup: procfilter failed: exit 65'
}

@test "sluice_run_pipeline: a --status of pipesup's own options is the summary the helpers read" {
	sluice_run_pipeline -r on-failure --status "$PWD/mine.json" "${SEED[@]}"
	assert_success
	assert_equal "$SLUICE_SUMMARY" "$PWD/mine.json"
	assert_equal "$(sluice_counter randsrc out)" 10
	assert [ ! -e "${SLUICE_SUMMARY%/*}/summary.json" ]
}

@test "sluice_run_pipeline: a pipeline still running at the time limit is drained, and fails the test" {
	run sluice_run_pipeline --timeout 0.5 randsrc --rate 100 :: procprint
	assert_failure 1
	assert_line -- '-- pipeline did not end within 0.5 s --'
	assert_line 'pipeline : pipesup randsrc --rate 100 :: procprint'
	assert_line 'stopped  : SIGTERM after 0.5 s; pipesup ended with status 0'
	assert_line --regexp '^  randsrc +[0-9]+ +0  SIGTERM \(drain\) '
}

@test "sluice_run_pipeline: a pipeline that ignores the drain is killed: no process is left behind" {
	local start=$SECONDS
	run sluice_run_pipeline --timeout 1 --kill-after 0.5 \
		sh -c 'trap "" TERM; sleep 1000 & echo $! >child; echo $$ >stage; wait'
	assert_failure 1
	assert_line -- '-- pipeline did not end within 1 s --'
	assert_line "pipeline : pipesup sh -c 'trap \"\" TERM; sleep 1000 & echo \$! >child; echo \$\$ >stage; wait'"
	assert_line 'stopped  : SIGTERM after 1 s, SIGKILL 0.5 s later; pipesup ended with status 137'
	# the stage and its child were running, and are gone
	assert [ -s stage ]
	assert [ -s child ]
	run not_running "$(<stage)"
	assert_success
	run not_running "$(<child)"
	assert_success
	# not the 5 s of pipesup's own grace
	assert [ $((SECONDS - start)) -lt 4 ]
}

@test "sluice_run_pipeline: a process that outlives pipesup is killed, and fails the test" {
	run sluice_run_pipeline --kill-after 0.2 bash -c 'set -m; sleep 1000 & echo $! >child'
	assert_failure 1
	assert_line -- '-- processes of the pipeline outlived pipesup --'
	assert_line "killed   : $(<child) sleep 1000"
	run not_running "$(<child)"
	assert_success
}

@test "sluice_run_pipeline: a bad --timeout or no pipeline is a usage error" {
	run sluice_run_pipeline --timeout 0 randsrc
	assert_failure 1
	assert_output 'sluice_run_pipeline: --timeout: "0" is not a number of seconds above 0'
	run sluice_run_pipeline --kill-after=2x randsrc
	assert_output 'sluice_run_pipeline: --kill-after: "2x" is not a number of seconds above 0'
	run sluice_run_pipeline --timeout 5
	assert_failure 1
	assert_output 'sluice_run_pipeline: no pipeline given'
}

@test "sluice_assert_records: passes on the same records, as a pipeline of references or a file" {
	sluice_run_pipeline "${SEED[@]}" :: procfilter --min 10
	sluice_assert_records "${SEED[@]}" :: procfilter --min 10
	sluice_assert_records sh -c "$(printf '%q ' "${SEED[@]}") | awk '\$1 >= 10'"
	printf '%s\n' "${lines[@]}" >out.txt
	output=
	sluice_assert_records --file out.txt "${SEED[@]}" :: procfilter --min 10
}

@test "sluice_assert_records: a pipeline that drops records fails at the first one missing" {
	sluice_run_pipeline "${SEED[@]}" :: procfilter --min 10
	run sluice_assert_records "${SEED[@]}"
	assert_failure 1
	assert_output '
-- records differ --
record    : 3
expected  : 6
actual    : 11
reference : randsrc --seed 3 --count 10 --rate 0 --min 1 --max 20
--'
}

@test "sluice_assert_records: an output shorter or longer than the reference fails, naming the first record one lacks" {
	sluice_run_pipeline "${SEED[@]}"
	printf '%s\n' "$output" >out.txt
	run sluice_assert_records --file out.txt randsrc --seed 3 --count 12 --rate 0 --min 1 --max 20
	assert_failure 1
	assert_line -- '-- the output has fewer records than the reference --'
	assert_line 'records   : 10 in the output, more in the reference'
	assert_line --regexp '^missing   : record 11: [0-9]+$'
	run sluice_assert_records --file out.txt randsrc --seed 3 --count 8 --rate 0 --min 1 --max 20
	assert_failure 1
	assert_line -- '-- the output has more records than the reference --'
	assert_line 'records   : 8 in the reference, more in the output'
	assert_line 'extra     : record 9: 1'
}

@test "sluice_assert_records: records are compared as text: int64 neighbours that a double cannot tell apart differ" {
	output=$'1\n9007199254740993'
	run sluice_assert_records printf '%s\n' 1 9007199254740992
	assert_failure 1
	assert_output '
-- records differ --
record    : 2
expected  : 9007199254740992
actual    : 9007199254740993
reference : printf '\''%s\n'\'' 1 9007199254740992
--'
}

@test "sluice_assert_records --prefix: the first records of a reference that never ends" {
	sluice_run_pipeline --timeout 0.5 randsrc --seed 3 --rate 200 --min 1 --max 20 ||
		true # a stream that never ends: stopped at the limit
	assert [ "${#lines[@]}" -gt 0 ]
	sluice_assert_records --prefix randsrc --seed 3 --rate 0 --min 1 --max 20
	run sluice_assert_records --prefix randsrc --seed 4 --rate 0 --min 1 --max 20
	assert_failure 1
	assert_line -- '-- records differ --'
}

@test "sluice_assert_records: a reference that fails is said, with its stderr" {
	output=1
	run sluice_assert_records randsrc --count 1 --no-such-option
	assert_failure 1
	assert_line -- '-- the reference command failed --'
	assert_line 'reference : randsrc --count 1 --no-such-option'
	assert_line 'status    : 64'
	assert_line 'stderr (2 lines):'
	assert_line "  randsrc: unrecognized option '--no-such-option'"
}

@test "sluice_assert_no_loss: passes on a line and on a graph that lose nothing" {
	sluice_run_pipeline randsrc --seed 1 --count 1000 --rate 0 :: procmap --mul 3 :: statsink
	assert_success
	sluice_assert_no_loss
	cat >g.pipe <<-'EOF'
		a:                randsrc --seed 1 --rate 0 --count 1000
		b    from=:       randsrc --seed 2 --rate 0 --count 500
		sum  from=a,b:    procmap --add 1
		odd  from=sum:    procfilter --odd
		even from=sum:    procfilter --even
	EOF
	sluice_run_pipeline -f g.pipe
	assert_success
	assert_equal "${#lines[@]}" 1500
	sluice_assert_no_loss
}

@test "sluice_assert_no_loss: a bad record fails, naming the stage" {
	sluice_run_pipeline procfilter --even < <(printf '2\nx\n4\n')
	run sluice_assert_no_loss
	assert_failure 1
	assert_output '
-- records lost or bad in the pipeline --
procfilter : 1 bad record (exit 65)
--'
}

@test "sluice_assert_no_loss: records a stage never read fail, with the numbers of both stages" {
	# the stage consumes a line before procfilter starts: one is lost
	sluice_run_pipeline "${SEED[@]}" :: sh -c 'read -r _; exec procfilter --min 10'
	assert_success
	run sluice_assert_no_loss
	assert_failure 1
	assert_output '
-- records lost or bad in the pipeline --
randsrc (out 10) -> sh : 1 lost: 10 written, 9 read and 0 bad by sh (exit 0)
--'
}

@test "sluice_assert_no_loss: in a graph, records a branch never read fail, naming the pipe pipesup made" {
	cat >g.pipe <<-'EOF'
		a:                randsrc --seed 1 --rate 0 --count 100
		b    from=:       randsrc --seed 2 --rate 0 --count 50
		sum  from=a,b:    procmap --add 1
		odd  from=sum:    sh -c 'read -r _; exec procfilter --odd'
		even from=sum:    procfilter --even
	EOF
	sluice_run_pipeline -f g.pipe
	assert_success
	run sluice_assert_no_loss
	assert_failure 1
	assert_output '
-- records lost or bad in the pipeline --
sum.tee (out 150) -> odd : 1 lost: 150 written, 149 read and 0 bad by odd (exit 0)
--'
}

@test "sluice_assert_no_loss: a --strict stage that stops at a bad record: the bad one and the rest, lost" {
	sluice_run_pipeline randsrc --seed 1 --count 100 --rate 0 --min 1 --max 10000000000 :: \
		procmap --mul 1000000000 --strict
	assert_equal "$status" 65
	run sluice_assert_no_loss
	assert_failure 1
	assert_output '
-- records lost or bad in the pipeline --
procmap                      : 1 bad record (exit 65)
randsrc (out 100) -> procmap : 89 lost: 100 written, 10 read and 1 bad by procmap (exit 65)
--'
}

@test "sluice_assert_no_loss: stages without counters are skipped; none at all is a failure" {
	sluice_run_pipeline "${SEED[@]}" :: sh -c 'cat' :: procprint
	sluice_assert_no_loss
	sluice_run_pipeline sh -c 'seq 3'
	run sluice_assert_no_loss
	assert_failure 1
	assert_output 'sluice_assert_no_loss: no stage of the pipeline publishes counters: nothing to check'
}

@test "sluice_counter: prints one figure of a stage" {
	sluice_run_pipeline "${SEED[@]}" :: procfilter --min 10 :: procfilter --odd
	run -0 sluice_counter procfilter out
	assert_output 5
	run -0 sluice_counter 'procfilter#2' out
	assert_output 2
	run -0 sluice_counter randsrc total
	assert_output 10
	run -0 sluice_counter 'procfilter#2' restarts
	assert_output 0
}

@test "sluice_counter: an unknown stage or counter, or a figure the stage lacks, fails saying so" {
	sluice_run_pipeline "${SEED[@]}" :: procfilter --min 10 :: sh -c cat
	run sluice_counter procfiltre out
	assert_failure 1
	assert_output '
-- sluice_counter: no such stage in the summary --
stage  : procfiltre
stages : randsrc procfilter sh
--'
	run sluice_counter procfilter outs
	assert_failure 1
	assert_output 'sluice_counter: no counter "outs": in, out, bad, restarts, total, in_rate, out_rate, queued_bytes or pid'
	run sluice_counter sh in
	assert_failure 1
	assert_output 'sluice_counter: stage "sh" has no "in" figure (null: it publishes none)'
	run sluice_counter procfilter
	assert_output 'sluice_counter: usage: sluice_counter STAGE NAME'
}

@test "sluice_counter: without a pipeline run, or with pipesup failing before it starts, says why" {
	run sluice_counter randsrc out
	assert_failure 1
	assert_output 'sluice_counter: no summary: run the pipeline with sluice_run_pipeline first (or set SLUICE_SUMMARY to a pipesup --status file)'
	sluice_run_pipeline randsrc :: no-such-program
	assert_equal "$status" 127
	run sluice_counter randsrc out
	assert_failure 1
	assert_output "sluice_counter: no summary in \"$SLUICE_SUMMARY\": pipesup wrote none (did it start the pipeline? status 127)"
}

@test "bats-sluice: loaded alone it loads bats-support and bats-assert, even from outside BATS_LIB_PATH" {
	# printf: bats would take a line of this file that starts with
	# @test for a test of its own, even in a here-document
	printf '%s\n' 'setup() { bats_load_library bats-sluice; }' \
		'@test "alone" {' \
		'	sluice_run_pipeline randsrc --count 1 --rate 0' \
		'	assert_success' '}' >alone.bats
	run -0 env BATS_LIB_PATH="$ROOT/bats:/usr/lib/bats" bats alone.bats
	assert_line 'ok 1 alone'
	run -0 env BATS_LIB_PATH="$ROOT/bats" bats alone.bats
	assert_line 'ok 1 alone'
}

@test "bats-sluice: without bats-support anywhere it says what to install" {
	# bats_load_library_safe as when nothing is found
	run -1 bash -c 'bats_load_library_safe() { return 1; }
		BATS_LIB_PATH=/nowhere
		source "$1/bats/bats-sluice/load.bash"' sh "$ROOT"
	assert_output 'bats-sluice: needs bats-support, found neither in BATS_LIB_PATH (/nowhere) nor in /usr/lib/bats: install it (Debian: apt-get install bats-support bats-assert), or add its directory to BATS_LIB_PATH'
}

@test "bats-sluice: bats/example.bats, the README's user test, passes" {
	run -0 env BATS_LIB_PATH="$ROOT/bats" bats "$ROOT/bats/example.bats"
	assert_line --regexp '^1\.\.[1-9]$'
	refute_line --partial 'not ok'
}

@test "bats-sluice: make install puts it under PREFIX/lib/bats, where bats_load_library finds it; uninstall removes it" {
	local dest=$BATS_TEST_TMPDIR/root
	run -0 make -C "$ROOT" -s install DESTDIR="$dest" PREFIX=/opt/sl
	assert [ -f "$dest/opt/sl/lib/bats/bats-sluice/load.bash" ]
	printf '%s\n' 'setup() { bats_load_library bats-sluice; }' \
		'@test "installed" {' \
		'	declare -F sluice_run_pipeline sluice_assert_records sluice_assert_no_loss sluice_counter' \
		'}' >installed.bats
	run -0 env BATS_LIB_PATH="$dest/opt/sl/lib/bats:/usr/lib/bats" bats installed.bats
	assert_line 'ok 1 installed'
	run -0 make -C "$ROOT" -s uninstall DESTDIR="$dest" PREFIX=/opt/sl
	assert [ ! -e "$dest/opt/sl/lib/bats/bats-sluice" ]
}
