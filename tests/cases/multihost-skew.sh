#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Cross-host order holds only beyond the clock uncertainty ε. Host A's
# monotonic clock is 3 s behind B's (time namespaces, tests/multihost-rig.sh);
# each trace's clock offset places it on realtime. A writes b and closes;
# 300 ms later B opens and still reads a (its client's window copy).
#   ε 1 s: the read is within ε of the write and of the close: concurrent,
#          not flagged, under posix and under close-to-open.
#   ε 100 ms: ordered: stale_read under both.
# Were the offsets not applied, A's write would seem 3 s older than it was
# and the 1 s cases would be flagged.
. "$(dirname "$0")/../lib.sh"
. "$TESTS/multihost-rig.sh"
trap 'rig_down; cleanup' EXIT
for bad in "--clock-uncertainty 5x" "--clock-uncertainty -1ms" "--model eventual" \
	   "--model mnt=posix" "--same-fs a:/x" "--same-fs a:/x=b"; do
	"$TW" analyze $bad "$SCRATCH" 2>"$SCRATCH/usage"
	expect_eq "analyze $bad: exit" "$?" 2
done
# A relay no one listens for: tornwatch says so, leaves no session behind
# and is not killed by the session daemon dropping the connection.
(cd "$SCRATCH" && "$TW" run -o "$SCRATCH/norelay" --relay net://127.0.0.1:9:10 -- true)
expect_eq "run --relay to nowhere: exit" "$?" 2
expect_eq "run --relay to nowhere: sessions left" "$(lttng list 2>/dev/null | grep -c 'tcp4://127.0.0.1:9/')" 0
rig_skip_unless
rig_up 3
A=$SCRATCH/mnt0 B=$SCRATCH/mnt1 S=$SCRATCH
rig_run 0 "$BIN/mh-steps $A/h open write:a close post:$S/h1 wait:$S/h2 open write:b close post:$S/h3" >"$S/hA" 2>&1 &
pa=$!
rig_run 1 "$BIN/mh-steps $B/h wait:$S/h1 open read close post:$S/h2 wait:$S/h3 nap:300 open read close" >"$S/hB" 2>&1
wait $pa
cat "$S/hA" "$S/hB"
expect_eq "B's second read" "$(grep read "$S/hB" | tail -n 1)" "read 4096 'a'"
SAME="--same-fs twa$RIG_ID:$A=twb$RIG_ID:$B"
an() { # NAME ARGS...
	local n=$1
	shift
	"$TW" analyze --json "$S/$n.json" $SAME "$@" "$RIG_RELAY_OUT" >"$S/$n.txt"
	RC=$?
	cat "$S/$n.txt"
}
for model in posix close-to-open; do
	an "$model-inside" --model $model --clock-uncertainty 1s
	expect_eq "$model, ε 1 s: exit" "$RC" 0
	expect_eq "$model, ε 1 s: ε in the report" "$(jqr "$S/$model-inside.json" .clock_uncertainty_ns)" 1000000000
	[ "$(jqr "$S/$model-inside.json" .cross_host_concurrent)" -gt 0 ] ||
		fail "$model, ε 1 s: the read was not left concurrent"
	an "$model-outside" --model $model --clock-uncertainty 100ms
	expect_eq "$model, ε 100 ms: exit" "$RC" 3
	expect_eq "$model, ε 100 ms: kinds" "$(jqr "$S/$model-outside.json" '[.anomalies[] | "\(.kind) \(.model)"] | join(",")')" "stale_read $model"
	grep -q "clock uncertainty 100000000 ns" "$S/$model-outside.txt" ||
		fail "$model: the verdict does not say ε"
done
