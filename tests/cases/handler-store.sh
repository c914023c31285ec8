#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A signal handler's store into a shared mapping while the program is
# inside a hook (a long pwrite): hooks nested in a handler record nothing,
# but the kernel's write tracking sees the page written, so the read of it
# is judged right (0 anomalies); with tracking off the read may only be
# uncertain, never a certain verdict. Repeated: the signal lands anywhere.
. "$(dirname "$0")/../lib.sh"
runs_here "$BIN/handler-store" "$SCRATCH/probe"
for i in 1 2 3; do
	tw_run "tracked-$i" "$BIN/handler-store" "$SCRATCH/t$i"
	expect_eq "tracked $i: exit status" "$RC" 0
	expect_eq "tracked $i: anomalies" "$(jqr "$SCRATCH/tracked-$i.json" '.anomalies | length')" 0
	TORNWATCH_WRITE_TRACK=0 tw_run "hooks-$i" "$BIN/handler-store" "$SCRATCH/h$i"
	[ "$RC" -eq 0 ] || [ "$RC" -eq 3 ] || fail "hooks $i: exit status $RC"
	expect_eq "hooks $i: certain anomalies" \
		"$(jqr "$SCRATCH/hooks-$i.json" '[.anomalies[] | select(.uncertain == false)] | length')" 0
done
