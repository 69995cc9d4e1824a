# SPDX-License-Identifier: ISC
# shellcheck shell=bash
#
# Bash completion for sluice's programs: options, their values where they
# are a fixed set, file names where a file is expected, and for pipesup
# each stage's own completion after its command word.
#
# Plain bash (COMP_WORDS, compgen), without the bash-completion package:
# `source completion/sluice.bash` is enough.  `make install` puts this
# file under each program's name in bash-completion's directory, which
# loads it the first time one of them is completed; sourced under any
# name it sets up every program.

# What every program takes, one option a line: PROGRAM SHORT LONG VALUE,
# "-" where there is no short form.  VALUE is
#   -           no value
#   N           a value that is typed, not completed (a number, a key)
#   FILE        a file name
#   a|b|c       one of these words
#   [D]         pipesup's --stats: --stats=D, or a next word that reads
#               as a duration
# "PROGRAM @GROUP" gives PROGRAM the lines of @GROUP; "PROGRAM operands
# KIND" says what its operands are (FILE or COMMAND; none without it).
# A new option is one line here.
_sluice_table='
@prog		-h	--help		-
@prog		-	--version	-
@stage		-	--strict	-
@stage		-	--rejects	FILE
@stage		@prog
@stage		operands		FILE
@source		-n	--count		N
@source		-r	--rate		N
@source		@prog
@redis		-	--stream	N
@redis		-	--server	N
@redis		-	--socket	FILE
@redis		-	--password-file	FILE
@redis		-	--timeout	N
histsink	-b	--bins		N
histsink	-	--min		N
histsink	-	--max		N
histsink	-	--ascii		-
histsink	@stage
latsink		-e	--every		N
latsink		-j	--json		-
latsink		-d	--durations	-
latsink		@stage
pipesup		-f	--file		FILE
pipesup		-r	--restart	never|on-failure|always
pipesup		-	--max-restarts	N
pipesup		-	--grace		N
pipesup		-	--pidfile	FILE
pipesup		-	--stats		[D]
pipesup		-	--status	FILE
pipesup		-	--metrics	FILE
pipesup		-j	--json		-
pipesup		-	--notify-fd	N
pipesup		-q	--quiet		-
pipesup		@prog
pipesup		operands		COMMAND
procfilter	-	--min		N
procfilter	-	--max		N
procfilter	-	--even		-
procfilter	-	--odd		-
procfilter	-	--mod		N
procfilter	-	--one-in	N
procfilter	-v	--invert	-
procfilter	@stage
procmap		-	--add		N
procmap		-	--sub		N
procmap		-	--mul		N
procmap		-	--div		N
procmap		-	--mod		N
procmap		-	--neg		-
procmap		-	--abs		-
procmap		-	--clamp		N
procmap		-	--saturate	-
procmap		@stage
procmerge	-	--lines		-
procmerge	@stage
procprint	@stage
proctee		-a	--append	-
proctee		-	--buffer	N
proctee		-	--drop		-
proctee		@stage
procwin		-n	--count		N
procwin		-t	--time		N
procwin		-e	--emit		count|sum|min|max|mean
procwin		-	--full-only	-
procwin		-	--saturate	-
procwin		@stage
randsrc		-s	--seed		N
randsrc		-	--min		N
randsrc		-	--max		N
randsrc		@source
redissink	@redis
redissink	-	--batch		N
redissink	-	--depth		N
redissink	-	--maxlen	N
redissink	@stage
redissrc	@redis
redissrc	-	--group		N
redissrc	-	--consumer	N
redissrc	-	--claim-idle	N
redissrc	-	--until-idle	N
redissrc	-	--strict	-
redissrc	-	--rejects	FILE
redissrc	@prog
statsink	-j	--json		-
statsink	-	--every		N
statsink	@stage
ticksrc		@source
'

# _sluice_spec NAME: NAME's lines of the table with its groups spread
# out, as "SHORT LONG VALUE" or "operands KIND".
_sluice_spec() {
	local name a b c
	while read -r name a b c; do
		[[ $name == "$1" ]] || continue
		if [[ $a == @* ]]; then
			_sluice_spec "$a"
		else
			printf '%s %s %s\n' "$a" "$b" "$c"
		fi
	done <<<"$_sluice_table"
}

# _sluice_programs: the programs the table knows, one a line.
_sluice_programs() {
	local name rest last=
	while read -r name rest; do
		[[ -n $name && $name != @* && $name != "$last" ]] &&
		    printf '%s\n' "$name"
		last=$name
	done <<<"$_sluice_table"
}

# The functions below add their answers to _sluice_out, which _sluice
# owns, in this shell: compopt only works here, not in a subshell.

# _sluice_add COMMAND...: add each line COMMAND prints as an answer.
_sluice_add() {
	local r
	while IFS= read -r r; do
		_sluice_out+=("$r")
	done < <("$@")
}

# _sluice_files WORD: file names that begin with WORD.
_sluice_files() {
	_sluice_filenames=1
	_sluice_add compgen -f -- "$1"
}

# _sluice_values VALUE WORD: the values of an option of kind VALUE that
# begin with WORD.
_sluice_values() {
	case $1 in
	FILE)	_sluice_files "$2" ;;
	*'|'*)	_sluice_add compgen -W "${1//|/ }" -- "$2" ;;
	esac
}

# _sluice_commands WORD: the commands a stage may run.
_sluice_commands() {
	if [[ $1 == */* ]]; then
		_sluice_files "$1"
	else
		_sluice_add compgen -W "$(_sluice_programs)" -- "$1"
		_sluice_add compgen -c -- "$1"
	fi
}

# _sluice_is_duration WORD: WORD reads as a duration ("2s", "500ms"), as
# pipesup takes the word after --stats.
_sluice_is_duration() {
	[[ $1 =~ ^([0-9]+\.?[0-9]*|\.[0-9]+)(ns|us|ms|s|m|h)?$ ]]
}

# _sluice_complete PROG K: complete the current word for the command of
# program PROG whose name is word K.  The words of a pipesup stage go
# to that stage's completion.
_sluice_complete() {
	local prog=$1 k=$2 cur=${_sluice_words[_sluice_cword]}
	local -A value=() short=()
	local longs=() shorts=() operands='' s l v w i j n expect='' ddash=''

	while read -r s l v; do
		if [[ $s == operands ]]; then
			operands=$l
			continue
		fi
		if [[ $s != - ]]; then
			shorts+=("$s")
			short[$s]=$v
		fi
		longs+=("$l")
		value[$l]=$v
	done < <(_sluice_spec "$prog")

	for ((i = k + 1; i < _sluice_cword; i++)); do
		w=${_sluice_words[i]}
		if [[ -n $expect ]]; then
			# the word after an option that takes one is its value
			v=$expect
			expect=''
			if [[ $v != '[D]' ]] || _sluice_is_duration "$w"; then
				continue
			fi
		fi
		if [[ -n $ddash ]]; then
			:
		elif [[ $w == -- ]]; then
			ddash=1
			continue
		elif [[ $w == --*=* ]]; then
			continue
		elif [[ $w == --?* ]]; then
			v=$(_sluice_long "$w" "${longs[@]}")
			v=${value[$v]:--}
			[[ $v != - ]] && expect=$v
			continue
		elif [[ $w == -?* ]]; then
			# a cluster, -qr: the value is its rest, or the next word
			for ((j = 1; j < ${#w}; j++)); do
				v=${short[-${w:j:1}]:--}
				if [[ $v != - ]]; then
					((j == ${#w} - 1)) && expect=$v
					break
				fi
			done
			continue
		fi
		if [[ $operands == COMMAND ]]; then
			_sluice_stage "$i"
			return
		fi
	done

	if [[ -n $expect ]]; then
		_sluice_values "$expect" "$cur"
	elif [[ -z $ddash && $cur == --*=* ]]; then
		n=${#_sluice_out[@]}
		v=$(_sluice_long "${cur%%=*}" "${longs[@]}")
		_sluice_values "${value[$v]:--}" "${cur#*=}"
		for ((i = n; i < ${#_sluice_out[@]}; i++)); do
			_sluice_out[i]=${cur%%=*}=${_sluice_out[i]}
		done
	elif [[ -z $ddash && $cur == --* ]]; then
		_sluice_add compgen -W "${longs[*]}" -- "$cur"
	elif [[ -z $ddash && $cur == -* ]]; then
		_sluice_add compgen -W "${shorts[*]} ${longs[*]}" -- "$cur"
	elif [[ $operands == FILE ]]; then
		_sluice_files "$cur"
	elif [[ $operands == COMMAND ]]; then
		_sluice_commands "$cur"
	fi
}

# _sluice_long WORD LONG...: the long option WORD names, which may be cut
# short as getopt_long allows (--rest for --restart); WORD itself if it
# names none or several.
_sluice_long() {
	local w=$1 l found=''
	shift
	for l; do
		if [[ $l == "$w" ]]; then
			found=$l
			break
		elif [[ $l == "$w"* ]]; then
			[[ -n $found ]] && found='' && break
			found=$l
		fi
	done
	printf '%s\n' "${found:-$w}"
}

# _sluice_stage K: complete within pipesup's stages, the first of which
# begins at word K: a command word, or that command's arguments.
_sluice_stage() {
	local k=$1 i cmd spec fn raw at
	for ((i = k; i < _sluice_cword; i++)); do
		[[ ${_sluice_words[i]} == :: ]] && k=$((i + 1))
	done
	if ((k == _sluice_cword)); then
		_sluice_commands "${_sluice_words[k]}"
		return
	fi
	cmd=${_sluice_words[k]##*/}
	if [[ $'\n'$(_sluice_programs)$'\n' == *$'\n'"$cmd"$'\n'* ]]; then
		_sluice_complete "$cmd" "$k"
		return
	fi
	# another command: its own completion, if bash has one, on its words
	spec=$(complete -p -- "$cmd" 2>/dev/null)
	if [[ -z $spec ]] && declare -F _completion_loader >/dev/null; then
		_completion_loader "$cmd" 2>/dev/null
		spec=$(complete -p -- "$cmd" 2>/dev/null)
	fi
	if [[ $spec == *' -F '* ]]; then
		fn=${spec#* -F }
		fn=${fn%% *}
		raw=${_sluice_raw[k]}
		at=${_sluice_at[k]}
		local COMP_WORDS=("${COMP_WORDS[@]:raw}")
		local COMP_CWORD=$((COMP_CWORD - raw))
		local COMP_LINE=${COMP_LINE:at}
		local COMP_POINT=$((COMP_POINT - at))
		local COMPREPLY=()
		"$fn" "$cmd" "${COMP_WORDS[COMP_CWORD]}" \
		    "${COMP_WORDS[COMP_CWORD - 1]}"
		# as they are: that function answers for bash's current word
		_sluice_out+=("${COMPREPLY[@]}")
		_sluice_asis=1
		return
	fi
	_sluice_files "${_sluice_words[_sluice_cword]}"
}

# _sluice_breaks WORD: WORD is made of word-break characters alone ("=").
_sluice_breaks() {
	local s=$1
	[[ -n $s ]] || return 1
	while [[ -n $s ]]; do
		[[ $COMP_WORDBREAKS == *"${s:0:1}"* ]] || return 1
		s=${s:1}
	done
}

# The completion function of every program.  Bash splits words at "=" and
# ":" as well (COMP_WORDBREAKS): the words are joined again where no blank
# parts them, so that --restart=al reads as one word, and the answers are
# cut back to the part of the word bash replaces.
_sluice() {
	local _sluice_words=() _sluice_raw=() _sluice_at=() _sluice_cword
	local _sluice_out=() _sluice_filenames='' _sluice_asis=''
	local line=${COMP_LINE:0:COMP_POINT} rest i w n keep r
	local -A seen=()
	# the words and the table are read with the usual IFS, whatever the
	# user's shell has
	local IFS=$' \t\n'

	for ((i = 0; i <= COMP_CWORD; i++)); do
		rest=${line#"${line%%[![:space:]]*}"}
		n=${#_sluice_words[@]}
		if ((i > 0 && ${#rest} == ${#line})); then
			n=$((n - 1))
		else
			_sluice_words[n]=''
			_sluice_raw[n]=$i
			_sluice_at[n]=$((COMP_POINT - ${#rest}))
		fi
		line=$rest
		if ((i == COMP_CWORD)); then
			# the word as far as the cursor
			w=$line
		else
			w=${COMP_WORDS[i]}
			line=${line#"$w"}
		fi
		_sluice_words[n]+=$w
	done
	_sluice_cword=$n

	_sluice_complete "${_sluice_words[0]##*/}" 0

	# bash replaces what follows the last break in the word (all of
	# "--restart=al" if "=" is not a break, else "al"; nothing after "=")
	keep=${_sluice_words[_sluice_cword]}
	_sluice_breaks "$w" || keep=${keep%"$w"}
	[[ -n $_sluice_asis ]] && keep=''
	COMPREPLY=()
	for r in "${_sluice_out[@]}"; do
		# a sluice program on PATH is there twice
		[[ $r == "$keep"* && -z ${seen[$r]-} ]] || continue
		seen[$r]=1
		COMPREPLY+=("${r#"$keep"}")
	done
	if [[ -n $_sluice_filenames ]]; then
		# outside a completion (called by a test) compopt fails
		compopt -o filenames 2>/dev/null
	fi
	return 0
}

mapfile -t _sluice_names < <(_sluice_programs)
complete -F _sluice "${_sluice_names[@]}"
unset _sluice_names
