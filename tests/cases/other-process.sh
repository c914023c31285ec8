#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A traced program that tornwatch run did not start (here a second program
# preloaded by hand) registers with the same session daemon and lands in the
# run's trace: the run's report leaves its events out, analyze of the same
# trace (every process) keeps them.
. "$(dirname "$0")/../lib.sh"
tw_run warmup true
expect_eq "session daemon up" "$RC" 0
MMSYNC_PAUSE_MS=1500 LD_PRELOAD="$TOP/preload/libtornwatch.so" \
	"$BIN/mmsync-verify" seed000 "$SCRATCH/other" >/dev/null &
other=$!
MMSYNC_PAUSE_MS=3000 tw_run mine "$BIN/mmsync-verify" seed000 "$SCRATCH/mine"
wait "$other"
expect_eq "exit status" "$RC" 0
J=$SCRATCH/mine.json
expect_eq "processes of the run" "$(jqr "$J" '.processes')" 1
[ "$(jqr "$J" '.foreign_events')" -gt 0 ] || fail "no foreign events: the other program was not recorded"
echo "ok: $(jqr "$J" '.foreign_events') foreign events left out"
"$TW" analyze --json "$SCRATCH/all.json" "$SCRATCH/mine.trace" >/dev/null
n=$(jqr "$SCRATCH/all.json" '.processes')
[ "$n" -ge 2 ] || fail "analyze kept $n processes, want the other program too"
echo "ok: analyze keeps $n processes"
