#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A program that drives io_uring through syscall() and its own mmaps of the
# rings, with a registered file: the SQE is read from the SQ ring it mapped
# (opcode, registered file resolved, offset, length, user_data) and the CQE
# from its CQ ring.
. "$(dirname "$0")/../lib.sh"
command -v babeltrace2 >/dev/null || skip "babeltrace2 is not installed"
F=$SCRATCH/raw
runs_here "$BIN/uring-raw" "$SCRATCH/probe"
tw_run raw "$BIN/uring-raw" "$F"
expect_eq "exit status" "$RC" 0
expect_eq "anomalies" "$(jqr "$SCRATCH/raw.json" '.anomalies | length')" 0
expect_eq "reads checked" "$(jqr "$SCRATCH/raw.json" '.reads_checked')" 1
T=$(bt_text "$SCRATCH/raw.trace")
ino=$(stat -c %i "$F")
sub=$(echo "$T" | grep "aio_submit: .*call = \"syscall(io_uring_enter)\", op = \"write\", .*ino = $ino, offset = 4096, length = 4096, .*engine = \"io_uring\", opcode = 23, .*id = 0x7,")
expect_eq "submission" "$(echo "$sub" | grep -c .)" 1
cid=$(echo "$sub" | grep -o 'cid = 0x[0-9A-F]*')
expect_eq "completion" "$(echo "$T" | grep -c "aio_complete: .*$cid, res = 4096, res2 = 0, seen = \"first\"")" 1
