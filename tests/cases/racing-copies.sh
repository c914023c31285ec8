#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Loads out of a mapping while another thread or process stores into the
# same bytes, no lock between (two doio processes, mmread against mmwrite):
# calls that overlap in time are not ordered, so a load showing a mix of
# before and after is neither old nor data no one wrote (before this was
# judged so: 5 of 71 loads of the threads shape, 66 of 309 of procs, each
# a false unknown_data).
. "$(dirname "$0")/../lib.sh"
for shape in threads procs; do
	tw_run "$shape" "$BIN/racing-copies" "$shape" "$SCRATCH/$shape"
	expect_eq "$shape: exit" "$RC" 0
	J=$SCRATCH/$shape.json
	[ "$(jqr "$J" .reads_checked)" -gt 0 ] || fail "$shape: no load checked"
	expect_eq "$shape: anomalies" "$(jqr "$J" '.anomalies | length')" 0
	# Nothing here ever msyncs: every stored byte is told unsynced.
	expect_eq "$shape: unsynced" "$(jqr "$J" '"\(.unsynced_stores.bytes) \(.unsynced_stores.pages)"')" "262144 64"
done
