#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
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

# term COLS ROWS: a shell in a terminal of that size, waiting for a line.
term() {
	command -v tmux >/dev/null || skip "no tmux for a terminal"
	tmux -L "$SOCK" -f /dev/null new-session -d -s live -x "$1" -y "$2" \
	    env PS1='$ ' HISTFILE=/dev/null bash --norc --noprofile 3>&-
	wait_for on_screen '^\$ ?$'
}

# enter LINE: LINE typed in the terminal, and Enter.
enter() {
	tmux -L "$SOCK" send-keys -t live -l "$1"
	tmux -L "$SOCK" send-keys -t live Enter
}

# screen: the terminal's rows now, in SCREEN (one element a row).
screen() {
	mapfile -t SCREEN < <(tmux -L "$SOCK" capture-pane -p -t live)
	while ((${#SCREEN[@]} < $(tmux -L "$SOCK" display -p -t live \
	    '#{pane_height}'))); do
		SCREEN+=("")
	done
}

# on_screen REGEX: a row matches REGEX (ERE).
on_screen() {
	local row
	screen
	for row in "${SCREEN[@]}"; do
		[[ $row =~ $1 ]] && return 0
	done
	return 1
}

# table NAME...: the bottom rows are the live table of these stages,
# running: its header, a row for each, pipesup's line.
table() {
	local n=${#SCREEN[@]} k=$(($# + 2)) i=0 name
	[[ ${SCREEN[n - k]} =~ ^stage\ +state\ +rst\ +in/s\ +out/s\ +in\ +out\ +bad ]] ||
		return 1
	for name; do
		i=$((i + 1))
		[[ ${SCREEN[n - k + i]} =~ ^$name\ +running\ +0\ + ]] ||
			return 1
	done
	[[ ${SCREEN[n - 1]} =~ ^pipesup:\ running,\ [0-9:]+s?$ ]]
}

# table_shows NAME...: the screen has the table now.
table_shows() {
	screen
	table "$@"
}

# only_above TABLE_ROWS REGEX: every row above the table's rows is a
# line the shell began, empty, or whole and matching REGEX.
only_above() {
	local i row
	for ((i = 0; i < ${#SCREEN[@]} - $1; i++)); do
		row=${SCREEN[i]}
		[[ -z $row || $row == '$'* || $row =~ $2 ]] && continue
		echo "row $i: \"$row\"" >&2
		printf '%s\n' "${SCREEN[@]}" >&2
		return 1
	done
}

# out_at_least NAME N: the live row of NAME shows at least N records out.
out_at_least() {
	local row re="^$1 +running +[0-9]+ +[^ ]+ +[^ ]+ +[^ ]+ +([0-9]+) "
	screen
	for row in "${SCREEN[@]}"; do
		[[ $row =~ $re ]] && ((BASH_REMATCH[1] >= $2)) && return 0
	done
	return 1
}

@test "report_live: the rows of the live view, from a table" {
	run -0 unit_live
	assert_output "0 failures"
}

@test "live: the stages get the scroll region's size in LINES and COLUMNS, when they share the terminal" {
	local sh='echo "size ${LINES:-none} ${COLUMNS:-none}"'
	# one stage: a table of 3 rows below 17
	run -0 script -qc "stty rows 20 cols 100; TERM=xterm env -u LINES -u COLUMNS pipesup -q --stats=100ms sh -c '$sh'" /dev/null
	assert_output --partial $'size 17 100\r'
	run -0 script -qc "stty rows 20 cols 100; TERM=xterm env -u LINES -u COLUMNS pipesup -q --stats=100ms sh -c '$sh' >$BATS_TEST_TMPDIR/out" /dev/null
	assert_equal "$(cat "$BATS_TEST_TMPDIR/out")" "size none none"
	# 7 rows: the table would leave 4, the figures in a line take one
	run -0 script -qc "stty rows 7 cols 100; TERM=xterm env -u LINES -u COLUMNS pipesup -q --stats=100ms sh -c '$sh'" /dev/null
	assert_output --partial $'size 6 100\r'
	# no --stats, or not a terminal: nothing set
	run -0 script -qc "stty rows 20 cols 100; TERM=xterm env -u LINES -u COLUMNS pipesup -q sh -c '$sh'" /dev/null
	assert_output $'size none none\r'
}

@test "live: the table in the bottom rows, the stages' lines whole above it, the screen back after" {
	term 120 30
	enter 'pipesup --stats=100ms randsrc --rate 20 -n 100 --seed 1 :: procprint; echo "status $?"'
	# once the lines have filled the rows above the table
	wait_for out_at_least randsrc 40
	table randsrc procprint
	only_above 4 '^Received data: [0-9]+$'
	[[ ${SCREEN[26]} =~ \ queue\ +done\ +ETA$ ]]
	# at 20 a second, a tenth of a second may have seen none: no rate
	[[ ${SCREEN[27]} =~ ^randsrc\ .*\ [0-9]+%\ +([0-9]+s|\?)$ ]]
	[[ ${SCREEN[28]} =~ ^procprint\ .*\ [0-9.k]+\ \[[#\ ]{20}\]$ ]]

	# the summary where the table was, and no table left
	wait_for on_screen '^status 0$'
	screen
	run -1 on_screen '^pipesup: running'
	on_screen '^stage +pid restarts +ended +in +out +bad$'
	on_screen '^procprint +[0-9]+ +0 +exit 0 +100 +100 +0$'
	only_above 0 '^(Received data: [0-9]+|stage .*|randsrc .*|procprint .*|status 0)$'

	# the whole screen scrolls again: no scroll region left behind
	enter 'seq 1 40'
	wait_for on_screen '^40$'
	wait_for table_gone_and_scrolled
}

# table_gone_and_scrolled: the screen is seq's last lines and a prompt.
table_gone_and_scrolled() {
	screen
	[[ ${SCREEN[0]} == 12 && ${SCREEN[28]} == 40 && ${SCREEN[29]} =~ ^\$\ ?$ ]]
}

@test "live: histsink draws in the rows above the table; neither erases the other" {
	term 100 30
	# from the bottom row, where the first drawing scrolls the screen
	enter 'seq 40; pipesup --stats=100ms randsrc --rate 200 -n 400 --seed 1 :: histsink --ascii; echo "status $?"'
	# several drawings of each, on screen together
	wait_for out_at_least histsink 100
	wait_for on_screen '^[0-9]+ records$'
	screen
	table randsrc histsink
	on_screen '^ *[0-9]+ \.\. +[0-9]+ +[0-9]+  #+$'
	only_above 4 '^( *[0-9]+ \.\. +[0-9]+ +[0-9]+  #+|[0-9]+ records|[0-9]+)$'
	# the histogram keeps inside LINES, above the table: 20 bars at most
	(($(grep -c ' \.\. ' < <(printf '%s\n' "${SCREEN[@]}")) <= 20))

	wait_for on_screen '^status 0$'
	on_screen '^400 records$'
	on_screen '^histsink +[0-9]+ +0 +exit 0 +400 '
	run -1 on_screen '^pipesup: running'
}

@test "live: the bar of a stage's input fills as the stage stops reading" {
	term 120 24
	enter 'pipesup --grace 100ms --stats=100ms randsrc --rate 0 --seed 1 :: sh -c "exec sleep 60"'
	wait_for on_screen '^sh +running +0 +- +- +- +- +- +2[0-9][0-9]k \[#{20}\]$'
	screen
	table randsrc sh
	tmux -L "$SOCK" send-keys -t live C-c
	wait_for on_screen '^sh +[0-9]+ +0 +SIGKILL \(after grace\) '
}

@test "live: a narrow terminal cuts the rows, never wraps them" {
	term 60 20
	# a command line that does not wrap either
	enter 'set -- --stats=100ms randsrc --rate 10 -n 100 --seed 1 :: procprint'
	enter 'clear; pipesup "$@"'
	wait_for table_shows randsrc procprint
	wait_for on_screen '^Received data: [0-9]+$'
	screen
	table randsrc procprint
	assert_equal "${SCREEN[16]}" 'stage     state       rst  in/s out/s    in   out   bad queu'
	[[ ${SCREEN[17]} =~ ^randsrc\ +running\ +0\ +0\ +[0-9]+\ +0\ +[0-9]+\ +0$ ]]
	[[ ${SCREEN[18]} =~ ^procprint\ +running\ +0(\ +[0-9]+){5}$ ]]
	only_above 4 '^Received data: [0-9]+$'
	tmux -L "$SOCK" send-keys -t live C-c
	wait_for on_screen '^procprint +[0-9]+ +0 +exit 0 '
}

@test "live: % done and the time left for a source with -n, none without" {
	term 100 24
	enter 'pipesup --stats=500ms randsrc --rate 100 -n 10000 --seed 1 :: procprint'
	wait_for out_at_least randsrc 50
	screen
	table randsrc procprint
	[[ ${SCREEN[20]} =~ \ done\ +ETA$ ]]
	# 10000 at 100 a second: a minute and a half or so to go
	[[ ${SCREEN[21]} =~ ^randsrc\ .*\ +[0-9]%\ +([0-9]+:[0-9]{2}|[0-9]+s)$ ]]
	tmux -L "$SOCK" send-keys -t live C-c
	wait_for on_screen '^randsrc +[0-9]+ +0 +SIGTERM \(drain\) '

	enter 'clear; pipesup --stats=500ms randsrc --rate 100 --seed 1 :: procprint'
	wait_for out_at_least randsrc 50
	screen
	table randsrc procprint
	[[ ${SCREEN[20]} =~ \ bad\ queue$ ]]
	[[ ${SCREEN[21]} =~ \ 0$ ]]
	tmux -L "$SOCK" send-keys -t live C-c
	wait_for on_screen '^randsrc +[0-9]+ +0 +SIGTERM \(drain\) '
}

@test "live: a stage's stderr, relayed by pipesup, scrolls above the table too" {
	term 120 24
	enter "pipesup --stats=100ms randsrc --rate 20 --seed 1 :: sh -c 'while read -r x; do echo \"seen \$x\" >&2; done'"
	wait_for table_shows randsrc sh
	wait_for out_at_least randsrc 20
	screen
	table randsrc sh
	only_above 4 '^sh: seen [0-9]+$'
	tmux -L "$SOCK" send-keys -t live C-c
	wait_for on_screen '^sh +[0-9]+ +0 +exit 0 '
	run -1 on_screen '^pipesup: running'
}

@test "live: a resize moves the table to the new bottom rows; a short terminal gets one row" {
	term 100 30
	enter 'pipesup --stats=100ms randsrc --rate 10 --seed 1 :: procprint'
	wait_for table_shows randsrc procprint
	tmux -L "$SOCK" resize-window -t live -x 80 -y 20
	wait_for table_shows randsrc procprint
	assert_equal "${#SCREEN[@]}" 20
	wait_for out_at_least randsrc 30
	screen
	table randsrc procprint
	only_above 4 '^Received data: [0-9]+$'
	# 8 rows: the table would leave 4 for the stages: the figures in one
	tmux -L "$SOCK" resize-window -t live -x 80 -y 8
	wait_for on_screen '^pipesup: [0-9.]+s: randsrc in 0 out [0-9]+ '
	screen
	[[ ${SCREEN[7]} =~ ^pipesup:\ [0-9.]+s:\ randsrc ]]
	only_above 1 '^Received data: [0-9]+$'
	tmux -L "$SOCK" send-keys -t live C-c
	wait_for on_screen '^procprint +[0-9]+ +0 +exit 0 '
}

@test "live: ^Z gives the shell the whole screen, fg brings the table back" {
	term 100 24
	enter 'pipesup --stats=100ms randsrc --rate 10 --seed 1 :: procprint'
	wait_for table_shows randsrc procprint
	tmux -L "$SOCK" send-keys -t live C-z
	wait_for on_screen 'Stopped'
	wait_for on_screen '^\$ ?$'
	run -1 on_screen '^pipesup: running'
	enter 'fg'
	wait_for table_shows randsrc procprint
	only_above 4 '^(Received data: [0-9]+|\^Z|\[1\]\+ +Stopped .*|pipesup .*)$'
	tmux -L "$SOCK" send-keys -t live C-c
	wait_for on_screen '^procprint +[0-9]+ +0 +exit 0 '
}
