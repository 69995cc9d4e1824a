#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# Crash safety under pipesup (sluice(7), CRASH SAFETY): processors and the
# sink SIGKILLed at random while a seeded source streams wide values; the
# output holds every record, in order, none torn or made up.  scripts/chaos
# does the work; `make chaos` runs it longer, as scripts/soak and `make
# soak` do the long clean run.

setup() {
	load helpers
}

@test "chaos: SIGKILLs every 100-300 ms lose no record and make none up" {
	run -0 "$ROOT/scripts/chaos" 5
	assert_line --regexp '^chaos: 5 s, [1-9][0-9]* SIGKILLs, pipesup fds ([0-9]+) -> \1, RSS '
	assert_line --regexp '^records [1-9][0-9]*, lost 0 in 0 gaps, torn or made up 0, repeats [0-9]+, duplicates [0-9]+$'
}

@test "soak, in short: 1e6 records through 12 stages, exactly as computed apart" {
	# a second or two says nothing of flatness: make soak does
	SOAK_RSS_SLACK_KIB=$RSS_LIMIT_KIB run -0 "$ROOT/scripts/soak" 1e6
	assert_line "soak: the output is exactly the expected one"
	assert_line --regexp '^soak: 1000000 records, 12 stages, [0-9.]+ s, 100000 lines out$'
}
