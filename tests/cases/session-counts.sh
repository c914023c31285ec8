#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tornwatch run drives its session through liblttng-ctl: no lttng command on
# PATH is needed, and the channel's own loss counters come back with the
# report. A channel of 2 × 4 KiB that never blocks drops events of a
# mixer's burst of calls; the session's count and the trace's agree, and
# every anomaly the loss leaves is uncertain.
. "$(dirname "$0")/../lib.sh"
F=$SCRATCH/mm-sync
# Bad sizes are refused before any session exists.
"$TW" run --subbuf-size 3000 -- true 2>"$SCRATCH/bad.err"
expect_eq "run --subbuf-size 3000" "$?" 2
grep -q "power of two" "$SCRATCH/bad.err" || fail "no reason for the refusal"

env PATH=/nonexistent "$TW" run -o "$SCRATCH/small.trace" --json "$SCRATCH/small.json" \
	--subbuf-size 4k --num-subbuf 2 --blocking-timeout 0 -- \
	"$BIN/mixer" rwtest "$F" 3000 1 1 >"$SCRATCH/small.out"
rc=$?
# 3: the events lost leave anomalies (uncertain ones).
[ "$rc" -eq 0 ] || [ "$rc" -eq 3 ] || fail "run with no lttng on PATH: exit $rc"
J=$SCRATCH/small.json
expect_eq "session counted" "$(jqr "$J" '.session_counts != null')" true
d=$(jqr "$J" .session_counts.discarded_events)
[ "$d" -gt 0 ] || fail "a 2 x 4 KiB channel that never blocks discarded nothing"
expect_eq "discarded events, session against trace" "$d" "$(jqr "$J" .lost_events)"
expect_eq "more than the trace" "$(jqr "$J" .session_counts.more_than_trace)" false
expect_eq "certain anomalies after the loss" "$(jqr "$J" '[.anomalies[] | select(.uncertain | not)] | length')" 0

# The default channel blocks instead: nothing lost.
tw_run big "$BIN/mmsync-verify" seed000 "$F"
expect_eq "run, default channel" "$RC" 0
expect_eq "discarded, default channel" "$(jqr "$SCRATCH/big.json" .session_counts.discarded_events)" 0
