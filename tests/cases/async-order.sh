#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Async writes judged by what the file can show, not by the order their
# completions were reaped: an io_uring write held back by a linked timeout
# and a libaio write over the same range, reaped in the other order than
# they landed (either may win until both completed), and a write still in flight when its process was killed (it
# may land or not). Each program checks its own data: nothing to report.
. "$(dirname "$0")/../lib.sh"
F=$SCRATCH/async-file
for mode in reaped killed; do
	"$BIN/async-order" "$mode" "$F" || fail "$mode: the program itself failed"
	tw_run "$mode" "$BIN/async-order" "$mode" "$F"
	expect_eq "$mode: exit status" "$RC" 0
	expect_eq "$mode: anomalies" "$(jqr "$SCRATCH/$mode.json" '[.anomalies[].kind] | join(",")')" ""
	expect_eq "$mode: reads checked" "$(jqr "$SCRATCH/$mode.json" '.reads_checked')" 1
done
