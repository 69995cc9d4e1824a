# SPDX-License-Identifier: ISC
# bats-sluice: the figures pipesup leaves at exit (its --status file).
# shellcheck shell=bash

# sluice_counter STAGE NAME
#
# Prints one number of STAGE's figures in the summary of the last
# sluice_run_pipeline (the file SLUICE_SUMMARY names; set it yourself to
# read the --status file of a pipesup you ran another way).  NAME is one
# of pipesup's keys for a stage:
#   in, out, bad   records read, written and skipped as bad, over all the
#                  stage's runs
#   restarts       times it was started again
#   total          a source's --count
#   in_rate, out_rate, queued_bytes, pid
# STAGE is the stage's name as pipesup shows it: its program, `procfilter#2`
# for the second of a name, the name a pipeline file gives, or one pipesup
# added to a graph (`sum.tee`, `stdout.merge`).
#
# It fails, saying why, for a stage or NAME the summary does not have, and
# for a figure the stage does not publish (a wrapper such as `sh -c ...`
# has no counters; a stage without --count has no total).
#
# Example:
#   sluice_run_pipeline randsrc --seed 1 --count 100 --rate 0 :: procfilter --even
#   assert_equal "$(sluice_counter procfilter in)" 100
#   assert_equal "$(sluice_counter procfilter out)" "${#lines[@]}"
sluice_counter() {
	local -A j=()
	local i value nstages nedges
	if (($# != 2)); then
		fail "sluice_counter: usage: sluice_counter STAGE NAME"
		return
	fi
	case $2 in
	in | out | bad | restarts | total | in_rate | out_rate | queued_bytes | pid) ;;
	*)
		fail "sluice_counter: no counter \"$2\": in, out, bad, restarts, total, in_rate, out_rate, queued_bytes or pid"
		return
		;;
	esac
	_sluice_summary_read sluice_counter || return
	i=$(_sluice_stage_index "$1") || {
		batslib_print_kv_single 6 'stage' "$1" 'stages' "$(_sluice_stage_names)" |
			batslib_decorate 'sluice_counter: no such stage in the summary' |
			fail
		return
	}
	value=${j[stages.$i.$2]-null}
	if [[ $value == null ]]; then
		fail "sluice_counter: stage \"$1\" has no \"$2\" figure (null: it publishes none)"
		return
	fi
	printf '%s\n' "$value"
}

# sluice_assert_no_loss
#
# Asserts, from the summary of the last sluice_run_pipeline (see
# sluice_counter), that no record was lost or bad: every stage's bad count
# is 0, and each stage read (or rejected as bad) at least every record
# that the stages feeding it wrote: records a stage wrote into a pipe that
# its reader never read are lost.  A stage may read more than was written
# to it: after a crash under pipesup a restarted stage reads again what
# its predecessor had not finished (at-least-once).  In a graph the pipes
# are pipesup's edges (a procmerge's input is the sum of its writers'
# outputs; each reader of a proctee gets all it read).
#
# Pipes next to a stage that publishes no counters (a wrapper such as
# `sh -c ...`) cannot be checked, and are skipped; a summary in which no
# stage publishes counters fails, since nothing could be checked.
#
# On failure it names each stage with bad records, and each pipe that
# lost records, with the numbers and how the stages ended.
#
# Example:
#   sluice_run_pipeline randsrc --seed 1 --count 1000 --rate 0 :: procmap --mul 3 :: statsink
#   assert_success
#   sluice_assert_no_loss
sluice_assert_no_loss() {
	local -A j=()
	local -a problems=() sent=() counted=()
	local i k w r name bad in out wrote got lost nstages nedges
	_sluice_summary_read sluice_assert_no_loss || return
	for ((i = 0; i < nstages; i++)); do
		name=${j[stages.$i.name]}
		bad=${j[stages.$i.bad]-null}
		[[ $bad == null ]] || counted[i]=1
		if [[ $bad != null && $bad != 0 ]]; then
			problems+=("$name" "$bad bad record$([[ $bad == 1 ]] || echo s) ($(_sluice_ended "$i"))")
		fi
	done
	if ((${#counted[@]} == 0)); then
		fail "sluice_assert_no_loss: no stage of the pipeline publishes counters: nothing to check"
		return
	fi
	# what each stage was sent: its writers' out, summed; a writer
	# without counters makes the sum unknown (-1)
	if ((nedges > 0)); then
		for ((k = 0; k < nedges; k++)); do
			w=$(_sluice_stage_index "${j[edges.$k.from]}") || continue
			r=$(_sluice_stage_index "${j[edges.$k.to]}") || continue
			_sluice_add_sent "$r" "${j[stages.$w.out]-null}"
		done
	else
		for ((r = 1; r < nstages; r++)); do
			_sluice_add_sent "$r" "${j[stages.$((r - 1)).out]-null}"
		done
	fi
	for ((r = 0; r < nstages; r++)); do
		[[ -n ${sent[r]+1} ]] || continue
		wrote=${sent[r]}
		in=${j[stages.$r.in]-null} bad=${j[stages.$r.bad]-null}
		[[ $wrote != -1 && $in != null && $bad != null ]] || continue
		got=$((in + bad))
		((got < wrote)) || continue
		lost=$((wrote - got))
		out=$(_sluice_writers "$r")
		problems+=("$out -> ${j[stages.$r.name]}"
			"$lost lost: $wrote written, $in read and $bad bad by ${j[stages.$r.name]} ($(_sluice_ended "$r"))")
	done
	((${#problems[@]} == 0)) && return 0
	batslib_print_kv_single "$(batslib_get_max_single_line_key_width "${problems[@]}")" \
		"${problems[@]}" |
		batslib_decorate 'records lost or bad in the pipeline' |
		fail
}

# _sluice_add_sent R OUT: add a writer's OUT to what stage R was sent.
# Uses the caller's sent.
_sluice_add_sent() {
	if [[ $2 == null || ${sent[$1]-0} == -1 ]]; then
		sent[$1]=-1
	else
		sent[$1]=$((${sent[$1]:-0} + $2))
	fi
}

# _sluice_writers R: the names of the stages that write to stage R, with
# their figures out (a line: the one before it).  Uses the caller's j
# and nedges.
_sluice_writers() {
	local k w names=()
	if ((nedges > 0)); then
		for ((k = 0; k < nedges; k++)); do
			[[ ${j[edges.$k.to]} == "${j[stages.$1.name]}" ]] || continue
			w=$(_sluice_stage_index "${j[edges.$k.from]}") || continue
			names+=("${j[edges.$k.from]} (out ${j[stages.$w.out]})")
		done
	else
		names=("${j[stages.$(($1 - 1)).name]} (out ${j[stages.$(($1 - 1)).out]})")
	fi
	local IFS=+
	echo "${names[*]}"
}

# _sluice_ended I: how stage I ended, as the summary says ("exit 0",
# "SIGTERM (drain)"), or its state if it had not.  Uses the caller's j.
_sluice_ended() {
	local e=${j[stages.$1.ended]-null}
	[[ $e != null ]] || e=${j[stages.$1.state]-unknown}
	echo "$e"
}

# _sluice_summary_read WHO: fill the caller's j from $SLUICE_SUMMARY,
# one entry a value ("stages.0.name" => "randsrc"), and the caller's
# nstages and nedges with how many there are; or fail saying why.
_sluice_summary_read() {
	local key value flat
	if [[ -z ${SLUICE_SUMMARY-} ]]; then
		fail "$1: no summary: run the pipeline with sluice_run_pipeline first (or set SLUICE_SUMMARY to a pipesup --status file)"
		return
	fi
	if [[ ! -s $SLUICE_SUMMARY ]]; then
		fail "$1: no summary in \"$SLUICE_SUMMARY\": pipesup wrote none (did it start the pipeline? status ${status-unknown})"
		return
	fi
	if ! flat=$(awk "$_sluice_flatten" "$SLUICE_SUMMARY"); then
		fail "$1: \"$SLUICE_SUMMARY\" is not the JSON of a pipesup --status file"
		return
	fi
	while IFS=$'\t' read -r key value; do
		j[$key]=$value
	done <<<"$flat"
	# the number of stages and of edges (a line has none), for the loops
	nstages=0 nedges=0
	while [[ -n ${j[stages.$nstages.name]+1} ]]; do
		nstages=$((nstages + 1))
	done
	while [[ -n ${j[edges.$nedges.from]+1} ]]; do
		nedges=$((nedges + 1))
	done
	if ((nstages == 0)); then
		fail "$1: \"$SLUICE_SUMMARY\" lists no stages: not a pipesup --status file?"
		return
	fi
}

# _sluice_stage_index NAME: the index of stage NAME in the caller's j
# (and nstages).
_sluice_stage_index() {
	local i
	for ((i = 0; i < nstages; i++)); do
		if [[ ${j[stages.$i.name]} == "$1" ]]; then
			echo "$i"
			return 0
		fi
	done
	return 1
}

# _sluice_stage_names: the names of the stages in the caller's j.
_sluice_stage_names() {
	local i names=()
	for ((i = 0; i < nstages; i++)); do
		names+=("${j[stages.$i.name]}")
	done
	echo "${names[*]}"
}

# JSON to one line a value: the path of keys and array indices joined by
# "." (stages.0.name), a tab, the value (strings unquoted, numbers,
# true, false and null as written).  pipesup's names and words hold no
# tab or newline.  Exits 1 on input that is not JSON.
# shellcheck disable=SC2016 # awk's, not the shell's
_sluice_flatten='
function fail_() { bad = 1; exit 1 }
function ws() { while (pos <= n && index(" \t\r\n", substr(s, pos, 1))) pos++ }
function str(    out, c) {
	if (substr(s, pos, 1) != "\"") fail_()
	pos++
	out = ""
	while (pos <= n) {
		c = substr(s, pos++, 1)
		if (c == "\"") return out
		if (c == "\\") {
			c = substr(s, pos++, 1)
			if (c == "n") c = "\n"
			else if (c == "t") c = "\t"
			else if (c == "r") c = "\r"
			else if (c == "b") c = "\b"
			else if (c == "f") c = "\f"
			else if (c == "u") { c = "\\u" substr(s, pos, 4); pos += 4 }
		}
		out = out c
	}
	fail_()
}
function value(path,    c, k, i) {
	ws()
	c = substr(s, pos, 1)
	if (c == "{") {
		pos++; ws()
		if (substr(s, pos, 1) == "}") { pos++; return }
		for (;;) {
			ws(); k = str(); ws()
			if (substr(s, pos++, 1) != ":") fail_()
			value(path == "" ? k : path "." k)
			ws(); c = substr(s, pos++, 1)
			if (c == "}") return
			if (c != ",") fail_()
		}
	}
	if (c == "[") {
		pos++; ws()
		if (substr(s, pos, 1) == "]") { pos++; return }
		for (i = 0; ; i++) {
			value(path == "" ? i : path "." i)
			ws(); c = substr(s, pos++, 1)
			if (c == "]") return
			if (c != ",") fail_()
		}
	}
	if (c == "\"") { print path "\t" str(); return }
	if (!match(substr(s, pos), /^[-+0-9.eE]+|^true|^false|^null/)) fail_()
	print path "\t" substr(s, pos, RLENGTH)
	pos += RLENGTH
}
{ s = s $0 "\n" }
END {
	if (bad) exit 1
	n = length(s); pos = 1
	value("")
	ws()
	if (pos <= n) fail_()
}'
