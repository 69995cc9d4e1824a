#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# What every program owes its users: --help, --version, a man page that
# mandoc accepts, usage errors as the contract says; and shell scripts
# that pass the linter.

load helpers

programs() {
	local c
	for c in "$ROOT"/bin/*.c; do
		basename "$c" .c
	done
}

@test "docs: every program has --help on stdout: synopsis, options, an example; exit 0" {
	local p
	for p in $(programs); do
		run -0 --separate-stderr "$p" --help
		assert_equal "$stderr" ""
		assert_regex "${lines[0]}" "^usage: $p( |$)"
		assert_regex "$output" $'\n  -h, --help '
		assert_regex "$output" $'\nExample: [^\n]*'"$p"
		run -0 "$p" -h
	done
}

@test "docs: every program has --version: the version, then the licence as coreutils words it" {
	local p
	for p in $(programs); do
		run -0 --separate-stderr "$p" --version
		assert_equal "$stderr" ""
		assert_output "$p (sluice) 0.2.0
License ISC: <https://opensource.org/licenses/ISC>.
This is free software: you are free to change and redistribute it.
There is NO WARRANTY, to the extent permitted by law."
	done
}

@test "docs: every program answers an unknown option with exit 64 and a pointer to --help" {
	local p
	for p in $(programs); do
		run -64 --separate-stderr "$p" --no-such-option
		assert_output ""
		assert_equal "${#stderr_lines[@]}" 2
		assert_equal "${stderr_lines[1]}" "Try '$p --help' for more information."
	done
}

@test "docs: every program has a man page that mandoc -Tlint accepts" {
	local p
	for p in $(programs); do
		assert [ -f "$ROOT/man/$p.1" ]
		run -0 mandoc -Tlint -Wwarning "$ROOT/man/$p.1"
		assert_output ""
	done
}

@test "docs: the man pages document every option --help lists" {
	local p opt re
	for p in $(programs); do
		for opt in $("$p" --help |
			sed -nE 's/^ +(-[[:alnum:]], )?(--[a-z][a-z-]+).*/\2/p'); do
			# mdoc writes --max-restarts as Fl \-max\-restarts
			re=${opt#--}
			re=${re//-/'\\?-'}
			grep -qE -- "Fl \\\\-$re( |$)" "$ROOT/man/$p.1" ||
				fail "$p.1 does not document $opt"
		done
	done
}

@test "docs: shellcheck passes the scripts, the CI script and the tests" {
	local f files=("$ROOT"/.ci/run)
	for f in "$ROOT"/scripts/*; do
		[[ -f $f ]] && head -1 "$f" | grep -qE '^#!.*(sh|bash)' && files+=("$f")
	done
	run -0 shellcheck "${files[@]}"
	assert_output ""
	run -0 shellcheck -s bash "$ROOT"/tests/helpers.bash "$ROOT"/tests/*.bats
	assert_output ""
}

@test "docs: make install puts programs and man pages under DESTDIR" {
	run -0 make -C "$ROOT" -s install DESTDIR="$BATS_TEST_TMPDIR/root" PREFIX=/opt/sl
	local p
	for p in $(programs); do
		assert [ -x "$BATS_TEST_TMPDIR/root/opt/sl/bin/$p" ]
		assert [ -f "$BATS_TEST_TMPDIR/root/opt/sl/share/man/man1/$p.1" ]
	done
}

@test "docs: make check gives every test a timeout, so a hang fails" {
	run -0 env -u BATS_TEST_TIMEOUT -u MAKEFLAGS -u MAKELEVEL make -C "$ROOT" -n check
	assert_line --regexp '^BATS_TEST_TIMEOUT=120 bats .*tests$'
	run -0 env -u MAKEFLAGS -u MAKELEVEL make -C "$ROOT" -n check BATS_TEST_TIMEOUT=7
	assert_line --regexp '^BATS_TEST_TIMEOUT=7 bats .*tests$'
}

