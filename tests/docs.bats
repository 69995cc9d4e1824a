#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# What every program owes its users: --help, --version, a man page that
# mandoc accepts, usage errors as the contract says; shell scripts that
# pass the linter; a licence named in every source file, and a tarball.

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

in_git() {
	git -C "$ROOT" rev-parse --is-inside-work-tree >/dev/null 2>&1
}

@test "docs: every source file names its licence in an SPDX line near its top" {
	in_git || skip "not a git checkout: which files are tracked is unknown"
	assert [ -f "$ROOT/LICENSE" ]
	local f missing=()
	# git's pathspecs: * matches across /, so scripts/* takes scripts/x/y
	while IFS= read -r f; do
		case $f in
		# s6 reads each of these as a bare number: no room for a comment
		contrib/s6/*/notification-fd | contrib/s6/*/timeout-kill) continue ;;
		esac
		# a file deleted in the work tree but not yet in git
		[[ -f $ROOT/$f ]] || continue
		head -n 5 "$ROOT/$f" | grep -q 'SPDX-License-Identifier: ISC' ||
			missing+=("$f")
	done < <(git -C "$ROOT" ls-files -- 'bin/*.c' 'lib/*.[ch]' 'tests/*.[ch]' \
		'tests/*.bats' 'tests/*.bash' 'tests/*.py' 'scripts/*' 'bench/*' \
		'contrib/*' 'completion/*' 'bats/*' 'man/*' .ci/run Makefile debian/rules)
	assert_equal "${missing[*]}" ""
}

@test "docs: make dist makes sluice-VERSION.tar.gz of the tracked files as they are, without build products" {
	in_git || skip "not a git checkout: make dist archives git's tracked files"
	local clone=$BATS_TEST_TMPDIR/clone v
	v=$(sed -n 's/^VERSION = //p' "$ROOT/Makefile")
	assert_regex "$v" '^[0-9]+\.[0-9]+\.[0-9]+$'
	git clone -q "$ROOT" "$clone"
	# what a build leaves behind, and an edit not yet committed
	touch "$clone/bin/randsrc" "$clone/lib/buf.o"
	echo "an uncommitted line" >>"$clone/README.md"
	run -0 env -u MAKEFLAGS -u MAKELEVEL make -s -C "$clone" dist
	assert [ -f "$clone/sluice-$v.tar.gz" ]
	run -0 tar -tzf "$clone/sluice-$v.tar.gz"
	assert_line "sluice-$v/Makefile"
	assert_line "sluice-$v/LICENSE"
	assert_line "sluice-$v/bin/randsrc.c"
	refute_line "sluice-$v/bin/randsrc"
	refute_line --regexp '\.o$'
	refute_line --partial "sluice-$v/.git/"
	# all of it in one directory, as a tarball should unpack
	run -1 grep -v "^sluice-${v//./\\.}/" <<<"$output"
	assert_output ""
	run -0 bash -c 'tar -xzOf "$1" "$2/README.md" | tail -n 1' _ \
		"$clone/sluice-$v.tar.gz" "sluice-$v"
	assert_output "an uncommitted line"
	# the tarball is not something git would have committed
	run -0 git -C "$clone" status --porcelain --ignored=no -- "sluice-$v.tar.gz"
	assert_output ""
}

@test "docs: make dist outside git says why it cannot and fails" {
	mkdir "$BATS_TEST_TMPDIR/nogit"
	cp "$ROOT/Makefile" "$BATS_TEST_TMPDIR/nogit/"
	GIT_CEILING_DIRECTORIES=$BATS_TEST_TMPDIR run -2 --separate-stderr \
		env -u MAKEFLAGS -u MAKELEVEL make -s -C "$BATS_TEST_TMPDIR/nogit" dist
	assert_output ""
	assert_equal "${stderr_lines[0]}" \
		"make dist: not a git checkout; dist archives git's tracked files"
	run -0 ls "$BATS_TEST_TMPDIR/nogit"
	assert_output Makefile
}

@test "docs: the Debian package's version is the Makefile's VERSION" {
	local v
	v=$(sed -n 's/^VERSION = //p' "$ROOT/Makefile")
	assert_regex "$v" '^[0-9]+\.[0-9]+\.[0-9]+$'
	run -0 head -n 1 "$ROOT/debian/changelog"
	assert_output --regexp "^sluice \\(${v//./\\.}(-[0-9]+)?\\) "
}
