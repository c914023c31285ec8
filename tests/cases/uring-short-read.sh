#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Seed 004 on real io_uring: an O_DIRECT read of 8 KiB (two 4 KiB extents,
# only the first page of the buffer faulted in) completes with 4 KiB. The
# fault preload cuts the SQE to 4 KiB after tornwatch read it from the SQ
# ring, so the kernel really completes it short. One short_read, page 1
# not read. Unshortened, the same program reports nothing.
. "$(dirname "$0")/../lib.sh"
runs_here "$BIN/uring-short-read" "$SCRATCH/probe"
F=$SCRATCH/extents

tw_run healthy "$BIN/uring-short-read" "$F"
expect_eq "healthy: exit status" "$RC" 0
expect_eq "healthy: anomalies" "$(jqr "$SCRATCH/healthy.json" '.anomalies | length')" 0
expect_eq "healthy: reads checked" "$(jqr "$SCRATCH/healthy.json" '.reads_checked')" 1

TW_FAULT_SQE_SHRINK=4096 LD_PRELOAD=$BIN/async-fault.so tw_run short "$BIN/uring-short-read" "$F"
expect_eq "exit status" "$RC" 3
J=$SCRATCH/short.json
expect_eq "kinds" "$(jqr "$J" '[.anomalies[].kind] | join(",")')" short_read
expect_eq "file" "$(jqr "$J" '.anomalies[0].file')" "$F"
expect_eq "asked" "$(jqr "$J" '"\(.anomalies[0].offset)+\(.anomalies[0].length)"')" 0+8192
expect_eq "completed" "$(jqr "$J" '.anomalies[0].completed')" 4096
expect_eq "file size" "$(jqr "$J" '.anomalies[0].file_size')" 8192
expect_eq "pages" "$(jqr "$J" '[.anomalies[0].pages[] | "\(.index):\(.offset)+\(.length)=\(.state)"] | join(" ")')" "1:4096+4096=not_read"
# The completion is found by the scan after io_uring_submit returned or by
# the wait, whichever comes first: the kernel decides.
expect_eq "interleaving" "$(jqr "$J" '[.anomalies[0].interleaving[] | "\(.op)/\(.phase)/\(.ret)"] | join(" ")')" \
	"read/submit/null read/complete/4096"
expect_eq "submitted by" "$(jqr "$J" '.anomalies[0].call')" io_uring_submit
expect_eq "io" "$(jqr "$J" '.anomalies[0].io')" 0x1234
