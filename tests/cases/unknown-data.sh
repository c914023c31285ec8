#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The verify read returns one byte no traced process ever wrote: unknown_data,
# pinned to the 512-byte piece and page that hold it.
. "$(dirname "$0")/../lib.sh"
F=$SCRATCH/mm-sync
export TW_FAULT_PATH=$F TW_FAULT_FLIP=4449000
LD_PRELOAD=$FAULT tw_run unknown "$BIN/mmsync-verify" seed000 "$F"
expect_eq "exit status" "$RC" 3
J=$SCRATCH/unknown.json
expect_eq "kinds" "$(jqr "$J" '[.anomalies[].kind] | join(",")')" unknown_data
expect_eq "unknown piece" "$(jqr "$J" '[.anomalies[0].pages[] | select(.state == "unknown") | "\(.index):\(.offset)+\(.length)"] | join(" ")')" \
	"1086:4448768+512"
