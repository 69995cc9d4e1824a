#!/usr/bin/env bats
# pipesup --stats on a terminal: the live view, in a real terminal
# (tmux), with the stages writing to the same terminal.

setup() {
	load helpers
	SOCK="sluice-live-$$-$BATS_TEST_NUMBER"
	# a loaded machine: slow to start a shell, slower to draw
	export WAIT_TIMEOUT=30
}

teardown() {
	tmux -L "$SOCK" kill-server 2>/dev/null || true
}

@test "report_live: the rows of the live view, from a table" {
	run -0 unit_live
	assert_output "0 failures"
}
