#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A daemon() child and a double-forked grandchild do the command's I/O
# after their parent exited: run waits for them as their subreaper and
# counts their reads as the command's, not as another program's.
. "$(dirname "$0")/../lib.sh"
# Other programs may share the session daemon: their events are foreign
# by right, so the count of the command's own processes is what says it.
for mode in daemon:2 double:3; do
	procs=${mode#*:}
	mode=${mode%:*}
	tw_run "$mode" "$BIN/daemon-child" "$mode" "$SCRATCH/$mode.dat"
	J=$SCRATCH/$mode.json
	expect_eq "$mode exit status" "$RC" 0
	expect_eq "$mode reads checked" "$(jqr "$J" '.reads_checked')" 1
	expect_eq "$mode processes" "$(jqr "$J" '.processes')" "$procs"
	[ -s "$SCRATCH/$mode.dat" ] || fail "$mode: the worker wrote nothing"
done
