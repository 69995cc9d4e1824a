# SPDX-License-Identifier: ISC
# bats-sluice: comparing a pipeline's records with a reference.
# shellcheck shell=bash

# sluice_assert_records [--prefix] [--file FILE] [--]
#                       COMMAND [ARG...] [:: COMMAND [ARG...]]...
#
# Asserts that the output (`$output`, as sluice_run_pipeline or bats'
# `run --separate-stderr` set it, or the lines of FILE) is, line by line,
# what the reference command writes: typically a seeded source, which
# gives the same records on every machine, through the stages whose
# result the test expects.  Commands separated by `::` are a pipeline,
# each one's output the next one's input, as pipesup takes them: no shell
# parses them, so there is no quoting to get wrong.  The reference's
# standard error is shown if it fails.
#
# Lines are compared as text, so the output must be canonical records
# (as every sluice writer makes them) or text such as procprint's.  On
# failure it shows the number of the first record that differs, with
# the expected and the actual value, or the first record one side has
# and the other lacks.
#
# With --prefix the output may stop before the reference does: it must
# be the reference's first records, in order (a pipeline that was
# stopped, or a reference that never ends, such as randsrc without
# --count).  Only as much of the reference is read as the comparison
# needs.  An empty output is the prefix of anything: assert that records
# came, too.
#
# Example:
#   sluice_run_pipeline randsrc --seed 7 --count 1000 --rate 0 :: procfilter --odd
#   sluice_assert_records randsrc --seed 7 --count 1000 --rate 0 :: procfilter --odd
#   # or, the same records computed without sluice:
#   sluice_assert_records sh -c 'randsrc --seed 7 --count 1000 --rate 0 | awk "\$1 % 2"'
sluice_assert_records() {
	local prefix='' file='' dir kind n expected actual rst=0 shown ref pid
	while (($# > 0)); do
		case $1 in
		--prefix) prefix=1; shift ;;
		--file)
			(($# >= 2)) ||
				{ fail "sluice_assert_records: --file needs a file"; return; }
			file=$2
			shift 2
			;;
		--file=*) file=${1#*=}; shift ;;
		--) shift; break ;;
		*) break ;;
		esac
	done
	(($# > 0)) || { fail "sluice_assert_records: no reference command given"; return; }
	shown=$(_sluice_words "$@")
	dir=$(mktemp -d "${BATS_TEST_TMPDIR:-${BATS_FILE_TMPDIR:-${TMPDIR:-/tmp}}}/sluice.XXXXXX")
	if [[ -z $file ]]; then
		file=$dir/output
		if [[ -n ${output-} ]]; then
			printf '%s\n' "$output" >"$file"
		else
			: >"$file"
		fi
	fi
	[[ -f $file && -r $file ]] ||
		{ fail "sluice_assert_records: cannot read \"$file\""; return; }

	# awk stops reading at the first difference: the reference then
	# dies of SIGPIPE, which is no failure of its own.  The reference is
	# opened here, not in awk's redirection, to be this shell's child.
	exec {ref}< <(set -o pipefail; _sluice_pipe "$@" 2>"$dir/err" 3>&-)
	pid=$!
	awk -v file="$file" "$_sluice_compare" <&"$ref" >"$dir/result" || true
	exec {ref}<&-
	wait "$pid" || rst=$?
	{
		read -r kind
		read -r n
		IFS= read -r expected
		IFS= read -r actual
	} <"$dir/result" || true
	if ((rst != 0 && rst != 141)); then
		_sluice_print 9 \
			'reference' "$shown" \
			'status' "$rst" \
			'stderr' "$(<"$dir/err")" |
			batslib_decorate 'the reference command failed' |
			fail
		return
	fi
	case $kind in
	same) ;;
	differ)
		batslib_print_kv_single 9 \
			'record' "$n" \
			'expected' "$expected" \
			'actual' "$actual" \
			'reference' "$shown" |
			batslib_decorate 'records differ' |
			fail
		;;
	short)
		[[ -n $prefix ]] && return 0
		batslib_print_kv_single 9 \
			'records' "$((n - 1)) in the output, more in the reference" \
			'missing' "record $n: $expected" \
			'reference' "$shown" |
			batslib_decorate 'the output has fewer records than the reference' |
			fail
		;;
	long)
		batslib_print_kv_single 9 \
			'records' "$((n - 1)) in the reference, more in the output" \
			'extra' "record $n: $actual" \
			'reference' "$shown" |
			batslib_decorate 'the output has more records than the reference' |
			fail
		;;
	*)
		fail "sluice_assert_records: awk failed to compare the records"
		;;
	esac
}

# The comparison: the reference on standard input, the output in file.
# Prints what it found (same, differ, short: the output ended first, long:
# the reference ended first), the number of the record, the expected and
# the actual line.  (x "") compares as strings: awk would compare two
# numbers as doubles, which do not tell int64 values apart.
# shellcheck disable=SC2016 # awk's, not the shell's
_sluice_compare='
{
	if ((getline a < file) <= 0) {
		kind = "short"; want = $0; done = 1; exit
	}
	if ((a "") != ($0 "")) {
		kind = "differ"; want = $0; got = a; done = 1; exit
	}
}
END {
	if (!done) {
		n = NR + 1
		if ((getline a < file) > 0) {
			kind = "long"; got = a
		} else {
			kind = "same"; n = NR
		}
	} else
		n = NR
	print kind; print n; print want; print got
}'

# _sluice_pipe COMMAND [ARG...] [:: COMMAND [ARG...]]...: the commands
# as a pipeline, the output of each the input of the next.
_sluice_pipe() {
	local i
	for ((i = 1; i <= $#; i++)); do
		if [[ ${!i} == :: ]]; then
			"${@:1:i-1}" | _sluice_pipe "${@:i+1}"
			return
		fi
	done
	"$@"
}

# _sluice_words WORD...: the words as a shell would read them back, for
# messages: quoted where they hold anything but letters, digits and
# -_./:=,+%@# .
_sluice_words() {
	local w out=()
	for w in "$@"; do
		if [[ $w =~ ^[-A-Za-z0-9_./:=,+%@#]+$ ]]; then
			out+=("$w")
		else
			out+=("'${w//\'/\'\\\'\'}'")
		fi
	done
	echo "${out[*]}"
}
