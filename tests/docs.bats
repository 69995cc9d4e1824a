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

# Every page of the project: each program's and the overview, sluice(7).
pages() {
	local p
	for p in $(programs); do
		echo "$ROOT/man/$p.1"
	done
	echo "$ROOT/man/sluice.7"
}

@test "docs: every program has a man page, and mandoc -Tlint -Wstyle finds nothing but references" {
	local page
	# With an empty MANPATH every .Xr is "referenced manual not found",
	# the one message accepted, whatever pages (and mandoc.db) this
	# machine has; the next test checks the references to our own pages.
	mkdir "$BATS_TEST_TMPDIR/man"
	for page in $(pages); do
		assert [ -f "$page" ]
		run env MANPATH="$BATS_TEST_TMPDIR/man" mandoc -Tlint -Wstyle "$page"
		assert [ "$status" -le 1 ]
		run grep -v ': STYLE: referenced manual not found: Xr ' <<<"$output"
		assert_output ""
	done
}

@test "docs: the pages name our own pages rightly, point to sluice(7), and share one .Os" {
	local page name sec
	for page in $(pages); do
		# a name like ours (procprnt, statsinc) must be one of ours
		while read -r _ name sec _; do
			if [[ $name =~ ^(proc|pipesup|sluice)|(src|sink)$ ]]; then
				[[ -f $ROOT/man/$name.$sec ]] ||
					fail "${page##*/} refers to $name($sec), not a page here"
			fi
		done < <(grep '^\.Xr ' "$page")
		if [[ $page != */sluice.7 ]]; then
			sed -n '/^\.Sh SEE ALSO/,/^\.Sh/p' "$page" |
				grep -qE '^\.Xr sluice 7( ,)?$' ||
				fail "${page##*/} has no sluice(7) in SEE ALSO"
		fi
		run -0 grep '^\.Os' "$page"
		assert_output ".Os"
	done
}

@test "docs: no man page nests its quotes, as (‘500ms, ‘2s’’) did" {
	# ‘ ’ and “ ”, in UTF-8
	local page text l=$'\xe2\x80\x98' r=$'\xe2\x80\x99' \
		ld=$'\xe2\x80\x9c' rd=$'\xe2\x80\x9d'
	for page in $(pages); do
		# the text as read on a terminal, one line, overstrikes taken out
		text=$(mandoc -Tutf8 "$page" | LC_ALL=C.UTF-8 sed 's/.\x08//g' | tr '\n' ' ')
		run -1 env LC_ALL=C.UTF-8 grep -o "${l}[^${r}]*${l}\|${ld}[^${rd}]*${ld}" <<<"$text"
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
	run -0 shellcheck -s bash "$ROOT"/completion/*
	assert_output ""
}

@test "docs: make install puts programs and man pages under DESTDIR, make uninstall takes them away" {
	run -0 make -C "$ROOT" -s install DESTDIR="$BATS_TEST_TMPDIR/root" PREFIX=/opt/sl
	local p
	for p in $(programs); do
		assert [ -x "$BATS_TEST_TMPDIR/root/opt/sl/bin/$p" ]
		assert [ -f "$BATS_TEST_TMPDIR/root/opt/sl/share/man/man1/$p.1" ]
	done
	assert [ -f "$BATS_TEST_TMPDIR/root/opt/sl/share/man/man7/sluice.7" ]
	run -0 make -C "$ROOT" -s uninstall DESTDIR="$BATS_TEST_TMPDIR/root" PREFIX=/opt/sl
	run -0 find "$BATS_TEST_TMPDIR/root" -type f
	assert_output ""
}

@test "docs: make check gives every test a timeout, so a hang fails" {
	run -0 env -u BATS_TEST_TIMEOUT -u MAKEFLAGS -u MAKELEVEL make -C "$ROOT" -n check
	assert_line --regexp '^BATS_TEST_TIMEOUT=120 bats .*tests$'
	run -0 env -u MAKEFLAGS -u MAKELEVEL make -C "$ROOT" -n check BATS_TEST_TIMEOUT=7
	assert_line --regexp '^BATS_TEST_TIMEOUT=7 bats .*tests$'
}

@test "docs: the stage of sluice(7) in Python reports its counters to pipesup" {
	# the example as the page has it, its roff escapes undone
	sed -n '/^#!\/usr\/bin\/env python3$/,/^\.Ed$/p' "$ROOT/man/sluice.7" |
		sed -e '$d' -e 's/\\-/-/g' -e 's/\\e/\\/g' >"$BATS_TEST_TMPDIR/threes"
	chmod +x "$BATS_TEST_TMPDIR/threes"
	cd "$BATS_TEST_TMPDIR"
	# what the page shows it print under pipesup, the pids aside
	local shown
	shown=$(sed -n '/^\$ pipesup randsrc/,/^\.Ed$/p' "$ROOT/man/sluice.7" |
		sed -e 's/\\-/-/g' -e 's/^threes  *[0-9]*/threes PID/')
	assert_equal "$(head -1 <<<"$shown")" \
		'$ pipesup randsrc -n 6 --seed 1 --rate 0 :: ./threes :: procprint'
	run -0 --separate-stderr pipesup randsrc -n 6 --seed 1 --rate 0 :: \
		./threes :: procprint
	assert_output "$(grep '^Received data: ' <<<"$shown")"
	assert_equal "$(sed -n 's/^threes  *[0-9]*/threes PID/p' <<<"$stderr")" \
		"$(grep '^threes PID' <<<"$shown")"
	# and as the contract asks of bad input, without pipesup
	run -65 --separate-stderr ./threes <<<$'3\nx\n\n 99999999999999999999\n+06\r'
	assert_output $'3\n6'
	assert_equal "$stderr" 'threes: line 2: bad record "x": not an integer
threes: line 4: bad record "99999999999999999999": out of range
threes: 2 bad records'
}

# readme_shows CMD: README.md shows "$ CMD" and under it what CMD prints,
# its standard error too, in the order a terminal shows them.
readme_shows() {
	local out block
	out=$(cd "$BATS_TEST_TMPDIR" && bash -c "$1" 2>&1) || true
	block="    \$ ${1//$'\n'/$'\n'    }"$'\n'"    ${out//$'\n'/$'\n'    }"$'\n'
	[[ $(<"$ROOT/README.md") == *"$block"* ]] ||
		fail "README.md does not show what this prints:"$'\n'"$block"
}

@test "docs: the README's examples of fixed output print what it shows" {
	readme_shows "randsrc --rate 0 --count 10 --seed 1 | paste -sd ' '"
	readme_shows "randsrc --rate 0 --count 10 --seed 1 | procfilter --even | paste -sd ' '"
	readme_shows "randsrc --rate 0 --count 10 --seed 1 | procmap --mul 3 --add 1 | paste -sd ' '"
	readme_shows "randsrc --rate 0 --count 1000 --seed 1 | procwin --count 250 --emit mean"
	readme_shows "printf '5\n9223372036854775807\nseven\n6\n' | procmap --add 1"
	readme_shows "randsrc --rate 0 --count 1000000 --seed 1 |
    proctee >(statsink >all.txt) | procfilter --even | statsink | head -2"
	readme_shows "procmerge <(randsrc --rate 0 --count 100000 --seed 1) \\
    <(randsrc --rate 0 --count 100000 --seed 2 --min 1001 --max 1100) |
    statsink | head -1"
}

@test "docs: the README's graph, scripts/pipelines/graph.pipe, runs the stages it shows" {
	run -0 --separate-stderr bash -c \
		"pipesup -f '$ROOT/scripts/pipelines/graph.pipe' | procfilter --min 0 | wc -l"
	assert_output 2000
	run -0 awk 'NR > 1 && NR < 10 { printf "%s ", $1 }' <<<"$stderr"
	assert_output "a b sum.merge sum sum.tee odd even stdout.merge "
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
