# SPDX-License-Identifier: ISC
# bats-sluice: running a pipeline under pipesup with a time limit.
# shellcheck shell=bash

# sluice_run_pipeline [--timeout SECS] [--kill-after SECS] [--]
#                     [PIPESUP-OPTION...] STAGE [:: STAGE]...
# sluice_run_pipeline [--timeout SECS] [--kill-after SECS] [--]
#                     [PIPESUP-OPTION...] -f FILE
#
# Runs pipesup with the arguments, as bats' `run --separate-stderr`
# runs a command: afterwards `status` is its exit status, `output` and
# `lines` what the pipeline wrote on standard output, `stderr` and
# `stderr_lines` what pipesup wrote on standard error (the stages' lines,
# each prefixed with its name, and the summary table; pipesup's -q leaves
# the table out).  It does not fail on a non-zero status: assert that
# yourself (assert_success, assert_equal "$status" 65).
#
# The pipeline's standard input is the caller's: redirect it to feed the
# first stage, as in `sluice_run_pipeline procfilter --even <in.txt` or
# `< <(printf '1\n2\n')` (not `printf ... | sluice_run_pipeline`, which
# runs it in a subshell and loses the variables it sets).  A terminal is
# replaced by /dev/null: a test never waits for the keyboard.
#
# It fails the test when pipesup has not ended within SECS seconds
# (--timeout, else $SLUICE_TIMEOUT, else 10; decimals allowed): it sends
# pipesup SIGTERM, which drains the pipeline, and --kill-after SECS later
# (else $SLUICE_KILL_AFTER, else 2) SIGKILL to every process of the
# pipeline still running.  It also fails when processes of the pipeline
# outlive pipesup (a stage's child that escaped it), and kills them.  Either
# way no process is left behind: pipesup runs in a session of its own
# (setsid), and the helper returns once no process of that session runs.
# Keep SECS under BATS_TEST_TIMEOUT: a test that bats kills for taking too
# long cannot clean up after itself.
#
# The figures pipesup writes at exit (its --status file, one JSON object)
# are kept in the file named by SLUICE_SUMMARY, where sluice_counter and
# sluice_assert_no_loss read them.  When the arguments give a --status
# file of their own, SLUICE_SUMMARY names that one.
#
# Example:
#   sluice_run_pipeline --timeout 5 randsrc --seed 1 --count 100 --rate 0 \
#       :: procfilter --even :: procprint
#   assert_success
#   assert_equal "${#lines[@]}" "$(sluice_counter procprint out)"
sluice_run_pipeline() {
	local timeout=${SLUICE_TIMEOUT:-10} kill_after=${SLUICE_KILL_AFTER:-2}
	local limit_us grace_us dir summary pid st=0 start now how left shown infd
	while (($# > 0)); do
		case $1 in
		--timeout | --kill-after)
			(($# >= 2)) ||
				{ fail "sluice_run_pipeline: $1 needs a number of seconds"; return; }
			if [[ $1 == --timeout ]]; then
				timeout=$2
			else
				kill_after=$2
			fi
			shift 2
			;;
		--timeout=*) timeout=${1#*=}; shift ;;
		--kill-after=*) kill_after=${1#*=}; shift ;;
		--) shift; break ;;
		*) break ;;
		esac
	done
	limit_us=$(_sluice_usec "$timeout") ||
		{ fail "sluice_run_pipeline: --timeout: \"$timeout\" is not a number of seconds above 0"; return; }
	grace_us=$(_sluice_usec "$kill_after") ||
		{ fail "sluice_run_pipeline: --kill-after: \"$kill_after\" is not a number of seconds above 0"; return; }
	(($# > 0)) || { fail "sluice_run_pipeline: no pipeline given"; return; }

	dir=$(mktemp -d "${BATS_TEST_TMPDIR:-${BATS_FILE_TMPDIR:-${TMPDIR:-/tmp}}}/sluice.XXXXXX")
	shown=$(_sluice_words pipesup "$@")
	if ! summary=$(_sluice_own_status "$@"); then
		summary=$dir/summary.json
		set -- --status "$summary" "$@"
	fi
	# a terminal is no input for a test: it would wait for the keyboard
	if [[ -t 0 ]]; then
		exec {infd}</dev/null
	else
		exec {infd}<&0
	fi
	# 3>&-: bats waits at the end of a test for whatever holds its fd 3
	setsid pipesup "$@" <&"$infd" >"$dir/stdout" 2>"$dir/stderr" 3>&- {infd}<&- &
	pid=$!
	exec {infd}<&-
	start=$(_sluice_now)
	how=
	while _sluice_alive "$pid"; do
		now=$(_sluice_now)
		if [[ -z $how ]] && ((now - start >= limit_us)); then
			kill -TERM "$pid" 2>/dev/null || true
			how="SIGTERM after $timeout s"
		elif [[ $how != *SIGKILL* && -n $how ]] &&
			((now - start >= limit_us + grace_us)); then
			_sluice_kill_session "$pid"
			how+=", SIGKILL $kill_after s later"
		fi
		sleep 0.02
	done 2>/dev/null
	# 2>/dev/null, here and on the loop, where the shell may find out:
	# no "Killed" line from the shell for a pipesup it killed
	wait "$pid" 2>/dev/null || st=$?
	left=$(_sluice_sweep "$pid" "$grace_us")

	# shellcheck disable=SC2034 # for the test, as bats' run sets them
	{
		status=$st
		output=$(<"$dir/stdout")
		IFS=$'\n' read -d '' -r -a lines <<<"$output" || true
		stderr=$(<"$dir/stderr")
		IFS=$'\n' read -d '' -r -a stderr_lines <<<"$stderr" || true
		SLUICE_SUMMARY=$summary
	}
	if [[ -n $how ]]; then
		_sluice_print 8 \
			'pipeline' "$shown" \
			'stopped' "$how; pipesup ended with status $st" \
			'stderr' "$stderr" |
			batslib_decorate "pipeline did not end within $timeout s" |
			fail
	elif [[ -n $left ]]; then
		_sluice_print 8 \
			'pipeline' "$shown" \
			'killed' "$left" |
			batslib_decorate 'processes of the pipeline outlived pipesup' |
			fail
	fi
}

# _sluice_usec SECS: SECS (digits, a decimal point, digits) in whole
# microseconds; fails on anything else, and on 0.
_sluice_usec() {
	local int frac
	[[ $1 == *[0-9]* && $1 =~ ^([0-9]*)(\.([0-9]*))?$ ]] || return 1
	int=${BASH_REMATCH[1]:-0} frac=${BASH_REMATCH[3]}000000
	int=$((10#$int * 1000000 + 10#${frac:0:6}))
	((int > 0)) || return 1
	echo "$int"
}

# _sluice_now: the time in microseconds (EPOCHREALTIME's decimal point
# follows the locale: keep the digits).
_sluice_now() {
	echo "${EPOCHREALTIME//[!0-9]/}"
}

# _sluice_own_status ARG...: the file of a --status among pipesup's own
# options (those before the first command), printed; fails without one.
# The options that take a value are pipesup's; --stats takes the next word
# when it reads as an interval, as pipesup does.
_sluice_own_status() {
	local a c
	while (($# > 0)); do
		a=$1
		shift
		case $a in
		--status=*) printf '%s\n' "${a#*=}"; return 0 ;;
		--status) printf '%s\n' "${1-}"; return 0 ;;
		--file | --restart | --max-restarts | --grace | --pidfile | --metrics | --notify-fd)
			(($# == 0)) || shift ;;
		--stats)
			if [[ ${1-} =~ ^[0-9.]+(ns|us|ms|s|m|h)?$ ]]; then
				shift
			fi
			;;
		--) return 1 ;;
		--*) ;;
		-?*)
			# a cluster of short options: after f or r, the rest
			# of the word, or else the next word, is its value
			c=${a:1}
			while [[ -n $c ]]; do
				if [[ ${c:0:1} == [fr] ]]; then
					if [[ -z ${c:1} ]] && (($# > 0)); then
						shift
					fi
					break
				fi
				c=${c:1}
			done
			;;
		*) return 1 ;;
		esac
	done
	return 1
}

# _sluice_alive PID: PID runs (a zombie, dead but not yet reaped, does not).
_sluice_alive() {
	local stat
	read -r stat 2>/dev/null <"/proc/$1/stat" || return 1
	stat=${stat##*) }
	[[ ${stat%% *} != Z ]]
}

# _sluice_session SID: the pids of the live processes of session SID.
# One cat and one awk: bats traces every command of a test, which makes a
# loop over /proc in the shell slow.  After the command, which may hold
# blanks and parentheses, come state, ppid, pgrp and session.
_sluice_session() {
	cat /proc/[0-9]*/stat 2>/dev/null |
		awk -v sid="$1" '{ pid = $1; sub(/.*\) /, "") } $4 == sid && $1 != "Z" { print pid }'
}

# _sluice_kill_session SID: SIGKILL to every live process of session SID.
_sluice_kill_session() {
	local p
	for p in $(_sluice_session "$1"); do
		kill -KILL "$p" 2>/dev/null || true
	done
}

# _sluice_sweep SID GRACE_US: wait up to GRACE_US for the processes of
# session SID to end (pipesup's stages die with it), then kill those left;
# print each one killed, as "PID COMMAND", one a line.
_sluice_sweep() {
	local deadline p cmd
	deadline=$(($(_sluice_now) + $2))
	while [[ -n $(_sluice_session "$1") ]] && (($(_sluice_now) < deadline)); do
		sleep 0.02
	done
	for p in $(_sluice_session "$1"); do
		cmd=$(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null) || true
		echo "$p ${cmd% }"
		kill -KILL "$p" 2>/dev/null || true
	done
	deadline=$(($(_sluice_now) + $2))
	while [[ -n $(_sluice_session "$1") ]] && (($(_sluice_now) < deadline)); do
		sleep 0.02
	done
}

# _sluice_print WIDTH KEY VALUE...: each pair as bats-assert shows one, in
# the same block: "KEY : VALUE" for a value of one line (the keys padded to
# WIDTH), "KEY (N lines):" and the lines indented for a longer one.
# (batslib_print_kv_single_or_multi turns every pair into the long form
# as soon as one value is long, such as the stderr of a whole pipeline.)
_sluice_print() {
	local width=$1
	shift
	while (($# >= 2)); do
		if batslib_is_single_line "$2"; then
			batslib_print_kv_single "$width" "$1" "$2"
		else
			batslib_print_kv_multi "$1" "$(printf '%s' "$2" | batslib_prefix)"
		fi
		shift 2
	done
}
