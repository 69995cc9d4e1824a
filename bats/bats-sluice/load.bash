# SPDX-License-Identifier: ISC
# bats-sluice: helpers for testing sluice pipelines with bats.
#
# Load it in a test file (or in setup) with
#
#   bats_load_library bats-sluice
#
# bats looks for it in BATS_LIB_PATH (/usr/lib/bats by default; after
# `make install`, $(PREFIX)/lib/bats; in the source tree, bats/).  It
# needs bats-support and bats-assert, and loads them from BATS_LIB_PATH
# unless the test file loaded them already.  Its failures print as
# bats-assert's do.
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
# the assertions a test of a pipeline goes on with: load each unless the
# test file did.  A BATS_LIB_PATH that names only this library's directory
# hides /usr/lib/bats: say how to fix it rather than fail obscurely.
_sluice_need() { # LIBRARY FUNCTION
	declare -F "$2" >/dev/null && return 0
	# bats_load_library exits the test when it fails; its _safe twin
	# returns, and says why on stderr
	bats_load_library_safe "$1" 2>/dev/null && return 0
	printf 'bats-sluice: needs %s, which is not in BATS_LIB_PATH (%s): load it first, or add its directory, as in BATS_LIB_PATH=%s:/usr/lib/bats\n' \
		"$1" "${BATS_LIB_PATH:-}" "${BATS_LIB_PATH:-DIR}" >&2
	return 1
}

_sluice_need bats-support batslib_decorate || return 1
_sluice_need bats-assert assert_equal || return 1

# shellcheck source=/dev/null
source "$(dirname "${BASH_SOURCE[0]}")/src/run.bash"
# shellcheck source=/dev/null
source "$(dirname "${BASH_SOURCE[0]}")/src/records.bash"
# shellcheck source=/dev/null
source "$(dirname "${BASH_SOURCE[0]}")/src/summary.bash"
