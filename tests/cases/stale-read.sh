#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Every page of the verify read comes from before the msync: stale_read.
. "$(dirname "$0")/../lib.sh"
F=$SCRATCH/mm-sync
export TW_FAULT_PATH=$F TW_FAULT_STALE_PAGES=1084-1087 TW_FAULT_STATE=$SCRATCH/stale
LD_PRELOAD=$FAULT tw_run stale "$BIN/mmsync-verify" seed000 "$F"
expect_eq "exit status" "$RC" 3
J=$SCRATCH/stale.json
expect_eq "kinds" "$(jqr "$J" '[.anomalies[].kind] | join(",")')" stale_read
expect_eq "states" "$(jqr "$J" '[.anomalies[0].pages[].state] | unique | join(",")')" old
