#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A program that drives io_uring through syscall() and its own mmaps of the
# rings, with a registered file: the SQE is read from the SQ ring it mapped
# (opcode, registered file resolved, offset, length, user_data) and the CQE
# from its CQ ring. The same program entering the ring with a syscall
# instruction of its own (fio's io_uring engine on x86-64) gets past every
# hook: its completion, found in the CQ ring, is named as unseen I/O and
# makes every verdict uncertain (before: a certain unknown_data and no word).
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

"$BIN/uring-raw" --asm "$SCRATCH/probe-asm" >/dev/null
[ $? -eq 0 ] || { echo "skip: --asm: not here"; exit 0; }
tw_run asm "$BIN/uring-raw" --asm "$SCRATCH/asm"
J=$SCRATCH/asm.json
expect_eq "asm: unseen completions" "$(jqr "$J" '.unseen_async_io.completions')" 1
expect_eq "asm: certain anomalies" "$(jqr "$J" '[.anomalies[] | select(.uncertain == false)] | length')" 0
expect_eq "asm: doubt named" "$(jqr "$J" '[.anomalies[] | .unseen_io] | unique | join(",")')" true
"$TW" analyze "$SCRATCH/asm.trace" 2>&1 | grep -q "blind spot: 1 io_uring completion of I/O no hook saw submitted" ||
	fail "asm: the text report names no unseen I/O"
echo "ok: asm: text blind spot"
