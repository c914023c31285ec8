#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The writer stores and syncs; a child it forks and execs verifies. Healthy:
# nothing. With the stale window: one torn_read whose interleaving spans
# both processes.
. "$(dirname "$0")/../lib.sh"
F=$SCRATCH/mm-sync
tw_run ok "$BIN/mmsync-verify" split "$F"
expect_eq "healthy exit status" "$RC" 0
expect_eq "healthy anomalies" "$(jqr "$SCRATCH/ok.json" '.anomalies | length')" 0

export TW_FAULT_PATH=$F TW_FAULT_STALE_PAGES=1085-1087 TW_FAULT_STATE=$SCRATCH/stale
LD_PRELOAD=$FAULT tw_run torn "$BIN/mmsync-verify" split "$F"
expect_eq "exit status" "$RC" 3
J=$SCRATCH/torn.json
expect_eq "kinds" "$(jqr "$J" '[.anomalies[].kind] | join(",")')" torn_read
expect_eq "processes" "$(jqr "$J" '[.anomalies[0].interleaving[].pid] | unique | length')" 2
reader=$(jqr "$J" '.anomalies[0].pid')
writer=$(jqr "$J" '.anomalies[0].interleaving[0].pid')
[ "$reader" != "$writer" ] || fail "reader and writer are the same process"
echo "ok: writer pid $writer, reader pid $reader"
