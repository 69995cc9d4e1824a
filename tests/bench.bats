#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# scripts/bench: kept working by running it small; speed is never judged.

load helpers

@test "scripts/bench runs every comparison, small, and prints its tables" {
	BENCH_N=20000 BENCH_ROUNDS=1 QUICK=1 run -0 "$ROOT/scripts/bench"
	assert_line --regexp '^sluice bench, [0-9]{4}-[0-9]{2}-[0-9]{2} '
	assert_line --regexp '^machine: [0-9]+ cores, '
	assert_line --regexp '^== source: '
	assert_line --regexp '^== printing: '
	assert_line --regexp '^== the original example: '
	assert_line --regexp '^== supervisor: '
	assert_line --regexp '^== proctee: one stream into 2 branches'
	assert_line --regexp '^  proctee \(4 branches\) +2e4 +[0-9.]+ [kM]?/s '
	assert_line --regexp '^  tee \(4 branches\) +2e4 +[0-9.]+ [kM]?/s '
	assert_line --regexp '^== latency: '
	assert_line --regexp '^== memory: '
	assert_line --regexp '^== goals: '
	assert_line --regexp '^  command +N +median +min - max +randsrc is$'
	assert_line --regexp '^  command +N +median +min - max +procprint is$'
	assert_line --regexp '^  in the middle +stages +p50 +p99 +p99\.9 +max$'
	assert_line --regexp '^  program +peak RSS +stalled early +stalled late +of it private +flat$'
	assert_line --regexp '^  goal +measured +verdict$'
	assert_line --regexp '^  randsrc --rate 0 +2e4 +[0-9.]+ [kM]?/s '
	assert_line --regexp '^  procprint +2e4 +[0-9.]+ [kM]?/s '
}
