#!/usr/bin/env bats
# SPDX-License-Identifier: ISC
# A user's test of a sluice pipeline, with bats-sluice.  Run it where bats
# finds the library: from the source tree (programs built, bin/ on PATH)
#   PATH=$PWD/bin:$PATH BATS_LIB_PATH=$PWD/bats bats bats/example.bats
# after `make install` (PREFIX /usr/local)
#   BATS_LIB_PATH=/usr/local/lib/bats bats example.bats
# or, with the Debian package, which puts it in /usr/lib/bats,
#   bats example.bats

setup() {
	bats_load_library bats-sluice
}

# The stream the pipeline is fed: seeded, so the same on every machine.
SOURCE=(randsrc --seed 42 --count 1000 --rate 0 --min -500 --max 500)

@test "randsrc | procfilter | statsink: every record arrives, the even ones are counted" {
	sluice_run_pipeline --timeout 10 "${SOURCE[@]}" :: procfilter --even :: statsink
	assert_success
	sluice_assert_no_loss
	assert_equal "$(sluice_counter randsrc out)" 1000
	assert_equal "$(sluice_counter procfilter in)" 1000
	# statsink counted every record procfilter kept
	assert_line --regexp "^count +$(sluice_counter procfilter out)\$"
}

@test "procfilter --even keeps exactly the even records, in order" {
	sluice_run_pipeline "${SOURCE[@]}" :: procfilter --even
	assert_success
	# the reference computed without sluice's filter
	sluice_assert_records sh -c "$(printf '%q ' "${SOURCE[@]}") | awk '\$1 % 2 == 0'"
}

@test "a bad line is reported and skipped, the good ones still arrive" {
	sluice_run_pipeline -q procfilter --even :: statsink < <(printf '2\nabc\n4\n')
	assert_equal "$status" 65
	# shellcheck disable=SC2154 # sluice_run_pipeline sets it, as run does
	assert_regex "$stderr" '^procfilter: line 2: bad record "abc": not an integer'
	assert_equal "$(sluice_counter procfilter bad)" 1
	assert_equal "$(sluice_counter statsink in)" 2
	assert_line --regexp '^sum +6$'
}
