#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Seed 001's phantom write with its call stacks: the io_submit, the free of
# the in-flight buffer and the io_getevents that saw the completion are
# each told at the line of the program's own call (found in the source).
. "$(dirname "$0")/../lib.sh"
SRC=$TESTS/progs/aio-phantom.c
L_FREE=$(grep -n '^	free(buf);$' "$SRC" | head -n 1 | cut -d: -f1)
L_RECYCLE=$(grep -n 'buf = recycle(buf);' "$SRC" | cut -d: -f1)
L_DONE=$((L_RECYCLE + 1))
L_SUBMIT=$(grep -n 'ret = io_submit(ctx, 1, &iocbp);' "$SRC" | tail -n 1 | cut -d: -f1)
sed -n "${L_DONE}p" "$SRC" | grep -q 'io_getevents' || fail "no io_getevents after the recycle in $SRC"
F=$SCRATCH/aio-file
runs_here "$BIN/aio-phantom" healthy "$F"
TW_FAULT_AIO_HOLD=1 LD_PRELOAD=$BIN/async-fault.so tw_run eintr "$BIN/aio-phantom" eintr "$F"
expect_eq "exit status" "$RC" 3
J=$SCRATCH/eintr.json
expect_eq "kinds" "$(jqr "$J" '[.anomalies[].kind] | join(",")')" phantom_write
# frame CALL PHASE: the innermost frame of that row, "function:file:line"
frame() {
	jqr "$J" ".anomalies[0].interleaving[] | select(.call == \"$1\" and .phase == \"$2\") |
		.stack[0] | \"\(.inlined // .function):\(.file | split(\"/\") | last):\(.line)\""
}
expect_eq "submission" "$(frame io_submit submit)" "run:aio-phantom.c:$L_SUBMIT"
expect_eq "free in flight" "$(frame free release)" "recycle:aio-phantom.c:$L_FREE"
expect_eq "completion seen" "$(frame io_getevents complete)" "reap_eintr:aio-phantom.c:$L_DONE"
expect_eq "main below each" \
	"$(jqr "$J" '[.anomalies[0].interleaving[] | select(.stack) | [.stack[].function] | index("main") != null] | all')" true
