#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# Bash completion (completion/sluice.bash): asked as bash asks when the
# user presses Tab, in a bash that has nothing else loaded.

load helpers

setup() {
	COMPLETION=$ROOT/completion/sluice.bash
	cd "$BATS_TEST_TMPDIR" || exit 1
}

# complete_for WORD...: the completions of the last WORD of the command
# line WORD..., one a line, sorted; complete_for_line LINE WORD... the
# same where bash split LINE into WORD... (at "=", ":").  What the
# completion prints on stderr is in the output too; set -u, as a user's
# shell may have it, makes an unset variable an error.
complete_for() {
	complete_for_line "$*" "$@"
}

complete_for_line() {
	bash --norc --noprofile -u -c '
		source "$1" || exit
		COMP_LINE=$2
		COMP_POINT=${#COMP_LINE}
		shift 2
		COMP_WORDS=("$@")
		COMP_CWORD=$(($# - 1))
		spec=$(complete -p "$1") || exit
		fn=${spec#* -F }
		fn=${fn%% *}
		"$fn" "$1" "${COMP_WORDS[COMP_CWORD]}" \
		    "${COMP_WORDS[COMP_CWORD - 1]}" || exit
		if ((${#COMPREPLY[@]})); then
			printf "%s\n" "${COMPREPLY[@]}" | LC_ALL=C sort
		fi' bash "$COMPLETION" "$@" 2>&1
}

programs() {
	local c
	for c in "$ROOT"/bin/*.c; do
		basename "$c" .c
	done
}

# help_options PROG: "--long VALUE" for each option PROG --help lists
# (VALUE empty for a flag), from its option list, not its synopsis.
help_options() {
	"$1" --help | sed -n '/^$/,$p' |
		sed -nE 's/^ +(-[[:alnum:]], )?(--[a-z][a-z-]+)( ([^ ]+))?.*/\2 \4/p'
}

@test "completion: every program completes -- to exactly the options its --help lists" {
	local p want
	for p in $(programs); do
		want=$(help_options "$p" | cut -d' ' -f1 | LC_ALL=C sort)
		assert [ -n "$want" ]
		run -0 complete_for "$p" --
		assert_output "$want"
	done
}

@test "completion: every program completes - to its short and long options" {
	local p want
	for p in $(programs); do
		want=$({
			"$p" --help | sed -nE 's/^ +(-[[:alnum:]]), .*/\1/p'
			help_options "$p" | cut -d' ' -f1
		} | LC_ALL=C sort)
		run -0 complete_for "$p" -
		assert_output "$want"
	done
	run -0 complete_for procwin --e
	assert_output "--emit"
	run -0 complete_for procfilter --m
	assert_output $'--max\n--min\n--mod'
}

@test "completion: an option that takes a file completes file names, a number nothing" {
	mkdir sub
	touch rej.txt run.log
	local p opt value n=0
	for p in $(programs); do
		while read -r opt value; do
			case $value in
			FILE | PATH)
				run -0 complete_for "$p" "$opt" ""
				assert_output $'rej.txt\nrun.log\nsub'
				run -0 complete_for "$p" "$opt" r
				assert_output $'rej.txt\nrun.log'
				n=$((n + 1))
				;;
			POLICY | WHAT) ;;
			?*)
				run -0 complete_for "$p" "$opt" ""
				assert_output ""
				;;
			esac
		done < <(help_options "$p")
	done
	# --rejects of every reader and redis's --socket and --password-file
	assert [ "$n" -ge 17 ]
	run -0 complete_for pipesup --pidfile s
	assert_output "sub"
	run -0 complete_for pipesup -f r
	assert_output $'rej.txt\nrun.log'
	run -0 complete_for randsrc -n ""
	assert_output ""
	run -0 complete_for pipesup --stats ""
	assert_output ""
	run -0 complete_for_line "procprint --rejects=ru" procprint --rejects = ru
	assert_output "run.log"
}

@test "completion: a reader's operands are file names, a source has none" {
	touch a.txt b.txt
	local p
	for p in procprint procfilter procmap procmerge proctee procwin \
		statsink histsink latsink redissink; do
		run -0 complete_for "$p" --strict ""
		assert_output $'a.txt\nb.txt'
	done
	run -0 complete_for procfilter --min 3 a.txt b
	assert_output "b.txt"
	run -0 complete_for procmap --add ""
	assert_output ""
	touch ./-n.txt
	run -0 complete_for procprint -- -
	assert_output "-n.txt"
	run -0 complete_for randsrc ""
	assert_output ""
	run -0 complete_for ticksrc --count 5 ""
	assert_output ""
	run -0 complete_for redissrc --stream k ""
	assert_output ""
}

@test "completion: pipesup --restart completes the policies, each of which pipesup takes" {
	run -0 complete_for pipesup --restart ""
	assert_output $'always\nnever\non-failure'
	run -0 complete_for pipesup -r o
	assert_output "on-failure"
	run -0 complete_for pipesup -qr ""
	assert_output $'always\nnever\non-failure'
	run -0 complete_for pipesup --rest n
	assert_output "never"
	# bash splits --restart=o at "=" and replaces only what follows it
	run -0 complete_for_line "pipesup --restart=o" pipesup --restart = o
	assert_output "on-failure"
	run -0 complete_for_line "pipesup --restart=" pipesup --restart =
	assert_output $'always\nnever\non-failure'
	# without "=" in COMP_WORDBREAKS the word is whole
	run -0 complete_for pipesup --restart=a
	assert_output "--restart=always"
	local policy
	for policy in $(complete_for pipesup --restart ""); do
		run -0 pipesup -q --restart "$policy" true
	done
	run -64 pipesup -q --restart sometimes true
}

@test "completion: procwin --emit completes the aggregates, each of which procwin takes" {
	run -0 complete_for procwin --emit ""
	assert_output $'count\nmax\nmean\nmin\nsum'
	run -0 complete_for procwin --count 5 -e m
	assert_output $'max\nmean\nmin'
	# an option cut short, as getopt_long takes it
	run -0 complete_for procwin --em m
	assert_output $'max\nmean\nmin'
	# an unknown option is a flag: then come operands
	touch m.txt
	run -0 complete_for procwin --emission m
	assert_output "m.txt"
	local what
	for what in $(complete_for procwin --emit ""); do
		run -0 procwin --count 2 --emit "$what" <<<$'4\n6'
	done
	run -0 procwin --count 2 --emit max <<<$'4\n6'
	assert_output "6"
	run -64 procwin --count 2 --emit median </dev/null
}

@test "completion: pipesup completes a stage's own options after its command word" {
	run -0 complete_for pipesup randsrc --c
	assert_output "--count"
	run -0 complete_for pipesup -r always randsrc --c
	assert_output "--count"
	run -0 complete_for pipesup --grace 2s --restart always randsrc -
	assert_output "$(complete_for randsrc -)"
	run -0 complete_for pipesup randsrc --rate 0 :: procfilter --m
	assert_output $'--max\n--min\n--mod'
	run -0 complete_for pipesup -q randsrc -n 5 :: procmap --add 1 :: procwin -e s
	assert_output "sum"
	run -0 complete_for pipesup randsrc :: "$ROOT/bin/procwin" --full
	assert_output "--full-only"
	# --stats takes the next word when it reads as an interval
	run -0 complete_for pipesup --stats 2s randsrc --s
	assert_output "--seed"
	run -0 complete_for pipesup --stats randsrc --s
	assert_output "--seed"
	# pipesup's own options stop at the first command
	run -0 complete_for pipesup --stats=1s randsrc --r
	assert_output "--rate"
	run -0 complete_for pipesup --qu
	assert_output "--quiet"
}

@test "completion: after :: and as pipesup's first word, the commands" {
	run -0 complete_for pipesup randsrc --rate 0 :: proc
	local p
	for p in procfilter procmap procmerge procprint proctee procwin; do
		assert_line "$p"
	done
	touch procfoo
	run -0 complete_for pipesup randsrc :: procf
	assert_output "procfilter"
	run -0 complete_for pipesup randsrc :: ""
	assert_line "statsink"
	assert_line "cat"
	run -0 complete_for pipesup -r always ""
	assert_line "randsrc"
	assert_line "seq"
	# not on PATH, sluice's programs are offered all the same
	run -0 env PATH=/usr/bin:/bin bash -c \
		"$(declare -f complete_for complete_for_line); COMPLETION=$COMPLETION; complete_for pipesup ticks"
	assert_output "ticksrc"
	mkdir tools
	touch tools/stage
	run -0 complete_for pipesup randsrc :: tools/s
	assert_output "tools/stage"
}

@test "completion: after :: another command has its own completion, or file names" {
	touch data.txt
	run -0 complete_for pipesup randsrc :: cat d
	assert_output "data.txt"
	# a completion bash has for the command answers on the stage's words
	COMPLETION=$BATS_TEST_TMPDIR/both.bash
	# shellcheck disable=SC2016
	{
		cat "$ROOT/completion/sluice.bash"
		echo '_mine() { COMPREPLY=("$COMP_CWORD:${COMP_WORDS[*]}:$COMP_LINE:$COMP_POINT:$1:$2:$3"); }'
		echo 'complete -F _mine mine'
	} >"$COMPLETION"
	run -0 complete_for pipesup -q randsrc :: mine --x y
	assert_output "2:mine --x y:mine --x y:10:mine:y:--x"
}

@test "completion: make install puts a completion under every program's name, each complete alone" {
	local dir=$BATS_TEST_TMPDIR/root/opt/sl/share/bash-completion/completions
	run -0 make -C "$ROOT" -s install DESTDIR="$BATS_TEST_TMPDIR/root" PREFIX=/opt/sl
	local p
	for p in $(programs); do
		assert [ -f "$dir/$p" ]
		COMPLETION=$dir/$p
		run -0 complete_for "$p" --help
		assert_output "--help"
	done
	COMPLETION=$dir/procwin
	run -0 complete_for procwin --emit m
	assert_output $'max\nmean\nmin'
	run -0 complete_for pipesup randsrc :: procwin --emit m
	assert_output $'max\nmean\nmin'
	run -0 make -C "$ROOT" -s install DESTDIR="$BATS_TEST_TMPDIR/root" \
		PREFIX=/opt/sl COMPLETIONDIR=/etc/bash_completion.d
	for p in $(programs); do
		assert [ -f "$BATS_TEST_TMPDIR/root/etc/bash_completion.d/$p" ]
	done
	run -0 make -C "$ROOT" -s uninstall DESTDIR="$BATS_TEST_TMPDIR/root" PREFIX=/opt/sl
	run -0 ls -A "$dir"
	assert_output ""
}
