#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Seed 000 with the file system's fault: the verify read gets the old bytes
# of pages 1085-1087 from a stale window. Exactly one torn_read, page 1084
# new (1,304 B), the rest old, interleaving store, msync, msync, read.
. "$(dirname "$0")/../lib.sh"
F=$SCRATCH/mm-sync
export TW_FAULT_PATH=$F TW_FAULT_STALE_PAGES=1085-1087 TW_FAULT_STATE=$SCRATCH/stale
LD_PRELOAD=$FAULT tw_run torn "$BIN/mmsync-verify" seed000 "$F"
expect_eq "exit status" "$RC" 3
J=$SCRATCH/torn.json
expect_eq "anomalies" "$(jqr "$J" '.anomalies | length')" 1
expect_eq "kind" "$(jqr "$J" '.anomalies[0].kind')" torn_read
expect_eq "file" "$(jqr "$J" '.anomalies[0].file')" "$F"
expect_eq "offset" "$(jqr "$J" '.anomalies[0].offset')" 4442856
expect_eq "length" "$(jqr "$J" '.anomalies[0].length')" 9927
expect_eq "uncertain" "$(jqr "$J" '.anomalies[0].uncertain')" false
expect_eq "pages" "$(jqr "$J" '[.anomalies[0].pages[] | "\(.index):\(.offset)+\(.length)=\(.state)"] | join(" ")')" \
	"1084:4442856+1304=new 1085:4444160+4096=old 1086:4448256+4096=old 1087:4452352+431=old"
expect_eq "interleaving" "$(jqr "$J" '[.anomalies[0].interleaving[] | "\(.call)/\(.phase)"] | join(" ")')" \
	"memcpy/begin memcpy/end msync/begin msync/end read/begin read/end"
