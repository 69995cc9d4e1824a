# SPDX-License-Identifier: ISC
# bats-sluice: helpers for testing sluice pipelines with bats.
#
# Load it in a test file (or in setup) with
#
#   bats_load_library bats-sluice
#
# bats looks for it in BATS_LIB_PATH (/usr/lib/bats by default, where
# the Debian package puts it; after `make install`, $(PREFIX)/lib/bats; in
# the source tree, bats/).  It needs bats 1.7 or later, bash 5, setsid(1),
# and bats-support and bats-assert, which it loads unless the test file
# did.  Its failures print as bats-assert's do.
#
# The helpers, each documented above its definition in src/:
#   sluice_run_pipeline   run pipesup with a time limit; set status, output,
#                         stderr and SLUICE_SUMMARY
#   sluice_assert_records the output, record by record, against a reference
#                         command such as a seeded randsrc
#   sluice_assert_no_loss no stage rejected a record as bad, and every record
#                         a stage wrote reached the stage that reads it
#   sluice_counter        print one of a stage's counters from the summary
#
# shellcheck shell=bash

# bats-support gives fail and the batslib_ output functions, bats-assert
# the assertions a test of a pipeline goes on with: each is loaded unless
# the test file did, from BATS_LIB_PATH, else from beside this library,
# else from bats' own default, /usr/lib/bats: a BATS_LIB_PATH that names
# only where bats-sluice is should not hide the libraries installed with
# bats.
_sluice_need() { # LIBRARY FUNCTION
	local dir
	declare -F "$2" >/dev/null && return 0
	# bats_load_library exits the test when it fails; its _safe twin
	# returns
	bats_load_library_safe "$1" 2>/dev/null && return 0
	for dir in "${BASH_SOURCE[0]%/*}/.." /usr/lib/bats; do
		[[ -f $dir/$1/load.bash ]] || continue
		dir=$(cd "$dir/$1" && pwd) || continue
		bats_load_library_safe "$dir/load.bash" 2>/dev/null && return 0
	done
	printf 'bats-sluice: needs %s, found neither in BATS_LIB_PATH (%s) nor in /usr/lib/bats: install it (Debian: apt-get install bats-support bats-assert), or add its directory to BATS_LIB_PATH\n' \
		"$1" "${BATS_LIB_PATH:-}" >&2
	return 1
}

# bash 5 for EPOCHREALTIME, the clock of the time limit
if [[ -z ${EPOCHREALTIME-} ]]; then
	printf 'bats-sluice: needs bash 5 or later (this is bash %s)\n' "$BASH_VERSION" >&2
	return 1
fi
_sluice_need bats-support batslib_decorate || return 1
_sluice_need bats-assert assert_equal || return 1

# shellcheck source=/dev/null
source "$(dirname "${BASH_SOURCE[0]}")/src/run.bash"
# shellcheck source=/dev/null
source "$(dirname "${BASH_SOURCE[0]}")/src/records.bash"
# shellcheck source=/dev/null
source "$(dirname "${BASH_SOURCE[0]}")/src/summary.bash"
