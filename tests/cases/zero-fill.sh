#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Zeros are a version only where they were made visible. The fault preload
# zero-fills 512 bytes of what a read returns, as a lost write does on FUSE
# or NFS: in a file made by O_TRUNC and written whole no zeros were ever
# there (unknown_data; before: torn_read "old"); in a file grown by
# ftruncate they were, before the write that was lost (torn_read, the
# zeros old; before: unknown_data, the growth's zeros were not recorded).
. "$(dirname "$0")/../lib.sh"
P=$BIN/zero-fill
pieces() { jqr "$1" '[.anomalies[0].pages[] | select(.state != "new") | "\(.offset)+\(.length)=\(.state)"] | join(" ")'; }
for mode in created grown; do
	F=$SCRATCH/$mode
	: >"$F"
	TW_FAULT_PATH=$F TW_FAULT_ZERO=4608+512 LD_PRELOAD=$FAULT tw_run "$mode" "$P" "$mode" "$F"
	expect_eq "$mode: exit" "$RC" 3
done
expect_eq "created: kinds" "$(jqr "$SCRATCH/created.json" '[.anomalies[].kind] | join(",")')" unknown_data
expect_eq "created: the zeros" "$(pieces "$SCRATCH/created.json")" "4608+512=unknown"
expect_eq "grown: kinds" "$(jqr "$SCRATCH/grown.json" '[.anomalies[].kind] | join(",")')" torn_read
expect_eq "grown: the zeros" "$(pieces "$SCRATCH/grown.json")" "4608+512=old"
