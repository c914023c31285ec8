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
T=$(babeltrace2 "$SCRATCH/raw.trace" 2>/dev/null)
ino=$(stat -c %i "$F")
expect_eq "submission" "$(echo "$T" | grep -c "aio_submit: .*call = \"syscall(io_uring_enter)\", op = 1, .*ino = $ino, offset = 4096, length = 4096, .*engine = 2, opcode = 23, .*id = 0x7,")" 1
expect_eq "completion" "$(echo "$T" | grep -c 'aio_complete: .*id = 0x7, res = 4096, res2 = 0, seen = 0')" 1
