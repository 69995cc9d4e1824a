#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# lib/record.c, the parser and formatter every stage trusts: the C table
# tests in unit_record.c.

load helpers

@test "record: the parser and formatter pass their table tests" {
	run -0 unit_record
	assert_output "0 failures"
}
