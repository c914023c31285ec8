#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A writer on host A and a verifier on host B (tests/multihost-rig.sh: two
# network, mount, UTS and time namespaces, host A's clock 2 s behind B's,
# each host its own session daemon and tearfs client of one backing
# directory, window_reads: B's client keeps what it first read). Both
# traces go to one lttng-relayd; tornwatch analyze merges them.
#   f: A writes b and closes; B opens after and still reads a. Stale under
#      close-to-open and under posix.
#   g: A writes c and keeps the file open; B, whose open came before, reads
#      a. Stale under posix; under close-to-open A never closed before B
#      opened: concurrent, not flagged.
#   k: B keeps k open; A writes b (B reads a: concurrent under commit),
#      then fsyncs (B reads a: stale under commit), then closes. Under
#      close-to-open both are concurrent (B opened before A's close).
# Without --same-fs the two mounts are different files: nothing is judged
# across hosts. Each verdict names its model and both hosts.
. "$(dirname "$0")/../lib.sh"
. "$TESTS/multihost-rig.sh"
trap 'rig_down; cleanup' EXIT
rig_skip_unless
rig_up 2
A=$SCRATCH/mnt0 B=$SCRATCH/mnt1 S=$SCRATCH
rig_run 0 "$BIN/mh-steps $A/f open write:a close post:$S/f1 wait:$S/f2 open write:b close post:$S/f3" >"$S/fA" 2>&1 &
pa=$!
rig_run 1 "$BIN/mh-steps $B/f wait:$S/f1 open read close post:$S/f2 wait:$S/f3 nap:50 open read close" >"$S/fB" 2>&1
wait $pa
rig_run 0 "$BIN/mh-steps $A/g open write:a close post:$S/g1 wait:$S/g2 open write:c post:$S/g3 wait:$S/g4 close" >"$S/gA" 2>&1 &
pa=$!
rig_run 1 "$BIN/mh-steps $B/g wait:$S/g1 open read post:$S/g2 wait:$S/g3 nap:50 read post:$S/g4 close" >"$S/gB" 2>&1
wait $pa
rig_run 0 "$BIN/mh-steps $A/k open write:a fsync close post:$S/k1 wait:$S/k2 open write:b post:$S/k3 wait:$S/k4 fsync post:$S/k5 wait:$S/k6 close" >"$S/kA" 2>&1 &
pa=$!
rig_run 1 "$BIN/mh-steps $B/k wait:$S/k1 open read post:$S/k2 wait:$S/k3 nap:50 read post:$S/k4 wait:$S/k5 nap:50 read post:$S/k6 close" >"$S/kB" 2>&1
wait $pa
cat "$S"/fA "$S"/fB "$S"/gA "$S"/gB "$S"/kA "$S"/kB
expect_eq "k: B's reads" "$(grep read "$S/kB" | tr '\n' ' ')" "read 4096 'a' read 4096 'a' read 4096 'a' "
expect_eq "f: B's second read" "$(grep read "$S/fB" | tail -n 1)" "read 4096 'a'"
expect_eq "g: B's second read" "$(grep read "$S/gB" | tail -n 1)" "read 4096 'a'"
expect_eq "relay: traces of both hosts" "$(ls "$RIG_RELAY_OUT" | sort | tr '\n' ' ')" "twa$RIG_ID twb$RIG_ID "
SAME="--same-fs twa$RIG_ID:$A=twb$RIG_ID:$B"
an() { # NAME ARGS...: analyze the relay's output
	local n=$1
	shift
	"$TW" analyze --json "$S/$n.json" "$@" "$RIG_RELAY_OUT" >"$S/$n.txt"
	RC=$?
	cat "$S/$n.txt"
}
stale_files() { jqr "$S/$1.json" '[.anomalies[] | select(.kind == "stale_read") | .file | split("/") | last] | sort | join(",")'; }

an apart
expect_eq "apart: exit" "$RC" 0
expect_eq "apart: hosts" "$(jqr "$S/apart.json" '[.hosts[].name] | sort | join(",")')" "twa$RIG_ID,twb$RIG_ID"
expect_eq "apart: judged across hosts" "$(jqr "$S/apart.json" .cross_host_judged)" 0
# Each host's clock as the kernel's NTP state said at its processes' start:
# ε is measured only when every host's clock is synchronized.
read -r sync maxerr <<<"$("$BIN/clock-state")"
expect_eq "apart: clocks" "$(jqr "$S/apart.json" '[.hosts[].clock] | unique | join(",")')" "$sync"
if [ "$sync" = synchronized ]; then
	expect_eq "apart: ε measured" "$(jqr "$S/apart.json" .clock_uncertainty)" measured
	expect_eq "apart: ε" "$(jqr "$S/apart.json" .clock_uncertainty_ns)" $((2 * maxerr * 1000))
else
	expect_eq "apart: ε not measured" "$(jqr "$S/apart.json" .clock_uncertainty)" none
	grep -q "clock not synchronized" "$S/apart.txt" || fail "the report does not say the clocks are not synchronized"
fi

an posix $SAME
expect_eq "posix: exit" "$RC" 3
expect_eq "posix: stale" "$(stale_files posix)" "f,g,k,k"
expect_eq "posix: models" "$(jqr "$S/posix.json" '[.anomalies[].model] | unique | join(",")')" posix
expect_eq "posix: writer's host" "$(jqr "$S/posix.json" '[.anomalies[].written_on] | unique | join(",")')" "twa$RIG_ID"
expect_eq "posix: reader's host" "$(jqr "$S/posix.json" '[.anomalies[].host] | unique | join(",")')" "twb$RIG_ID"

an cto $SAME --model close-to-open
expect_eq "close-to-open: exit" "$RC" 3
expect_eq "close-to-open: stale" "$(stale_files cto)" "f"
expect_eq "close-to-open: model" "$(jqr "$S/cto.json" '.anomalies[0].model')" close-to-open
grep -q "judged under close-to-open: written on twa$RIG_ID, read on twb$RIG_ID" "$S/cto.txt" ||
	fail "close-to-open: the verdict does not name its model and hosts"
[ "$(jqr "$S/cto.json" .cross_host_concurrent)" -gt 0 ] ||
	fail "close-to-open: g's read was not left concurrent"
echo "ok: g's read concurrent under close-to-open"
# Both hosts' programs have pid 32 in their namespaces (the second host's
# shown plus 2^22): each one's stacks come from its own host's statedump.
for h in "<" ">="; do
	expect_eq "close-to-open: stacks of pids $h 2^22" \
		"$(jqr "$S/cto.json" "[.anomalies[0].interleaving[] | select(.pid $h 4194304 and .stack) | .stack[0].binary | split(\"/\") | last] | unique | join(\",\")")" mh-steps
done

an commit $SAME --model commit
expect_eq "commit: stale" "$(stale_files commit)" "k"
expect_eq "commit: model" "$(jqr "$S/commit.json" '.anomalies[0].model')" commit
expect_eq "commit: the read after the fsync" "$(jqr "$S/commit.json" '[.anomalies[0].interleaving[] | select(.call == "fsync" and .phase == "end") | .ts] as $f | ($f | length) > 0 and .anomalies[0].ts > ($f | max)')" true

# A model per mount root: posix under B's mount wins over the default.
an roots $SAME --model close-to-open --model "$B=posix"
expect_eq "per root: stale" "$(stale_files roots)" "f,g,k,k"
