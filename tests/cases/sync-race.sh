#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A second thread stores into the mapping while msync(MS_SYNC) is inside its
# call (held there by the fault preload until the store is done): sync_race,
# naming the store whose bytes the msync wrote back, the msync, and the
# racing store of the other thread.
. "$(dirname "$0")/../lib.sh"
F=$SCRATCH/mm-sync
export TW_FAULT_MSYNC_HOLD=1
LD_PRELOAD=$FAULT tw_run race "$BIN/mmsync-verify" race "$F"
expect_eq "exit status" "$RC" 3
J=$SCRATCH/race.json
expect_eq "kinds" "$(jqr "$J" '[.anomalies[].kind] | join(",")')" sync_race
expect_eq "calls" "$(jqr "$J" '[.anomalies[0].interleaving[] | "\(.call)/\(.phase)"] | join(" ")')" \
	"memcpy/begin memcpy/end msync/begin memcpy/begin memcpy/end msync/end"
expect_eq "two threads" "$(jqr "$J" '[.anomalies[0].interleaving[].tid] | unique | length')" 2
expect_eq "racing page" "$(jqr "$J" '[.anomalies[0].pages[] | "\(.index)=\(.state)"] | join(" ")')" "1084=changed 1085=changed"
expect_eq "hooked store" "$(jqr "$J" '.anomalies[0].untracked_store')" false

# The same race by a copy the compiler inlined: no hook sees the store, the
# page checksums after the sync do.
unset TW_FAULT_STALE_PAGES
LD_PRELOAD=$FAULT tw_run inline "$BIN/mmsync-verify" race-inline "$F"
expect_eq "inline: exit status" "$RC" 3
J=$SCRATCH/inline.json
expect_eq "inline: kinds" "$(jqr "$J" '[.anomalies[].kind] | join(",")')" sync_race
expect_eq "inline: untracked" "$(jqr "$J" '.anomalies[0].untracked_store')" true
expect_eq "inline: page" "$(jqr "$J" '[.anomalies[0].pages[] | "\(.index)=\(.state)"] | join(" ")')" "1084=changed"
