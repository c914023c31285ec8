#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Host A truncates or punches what host B's client still shows
# (tests/multihost-rig.sh; window_reads: B's client keeps what it first
# read). B reads 50 ms after A's call returned, A having closed.
#   p: A writes a, then punches a hole over it; B reads a.
#   t: A writes a, truncates to 0 and grows back to 4096; B reads a.
# Under posix with ε of 1 ms both of B's reads had to see zeros: stale,
# naming A's call. With ε of 10 s the call may have come after the read:
# concurrent, not flagged. Under close-to-open A closed before B opened:
# stale; under commit A never fsynced: concurrent.
. "$(dirname "$0")/../lib.sh"
. "$TESTS/multihost-rig.sh"
trap 'rig_down; cleanup' EXIT
rig_skip_unless
rig_up 2
A=$SCRATCH/mnt0 B=$SCRATCH/mnt1 S=$SCRATCH
for f in p t; do
	case $f in
	p) cut=punch ;;
	t) cut="truncate:0 truncate:4096" ;;
	esac
	rig_run 0 "$BIN/mh-steps $A/$f open write:a close post:$S/${f}1 wait:$S/${f}2 open $cut close post:$S/${f}3" >"$S/${f}A" 2>&1 &
	pa=$!
	rig_run 1 "$BIN/mh-steps $B/$f wait:$S/${f}1 open read close post:$S/${f}2 wait:$S/${f}3 nap:50 open read close" >"$S/${f}B" 2>&1
	wait $pa || fail "$f: host A's steps failed"
	cat "$S/${f}A" "$S/${f}B"
	expect_eq "$f: B's reads" "$(grep read "$S/${f}B" | tr '\n' ' ')" "read 4096 'a' read 4096 'a' "
done
SAME="--same-fs twa$RIG_ID:$A=twb$RIG_ID:$B"
an() { # NAME ARGS...: analyze the relay's output
	local n=$1
	shift
	"$TW" analyze --json "$S/$n.json" $SAME "$@" "$RIG_RELAY_OUT" >"$S/$n.txt"
	RC=$?
	cat "$S/$n.txt"
}
stale_files() { jqr "$S/$1.json" '[.anomalies[] | select(.kind == "stale_read") | .file | split("/") | last] | sort | join(",")'; }
calls_named() { jqr "$S/$1.json" "[.anomalies[] | select(.kind == \"stale_read\") | .interleaving[] | select(.call == \"$2\")] | length > 0"; }

an near --clock-uncertainty 1ms
expect_eq "ε 1 ms: exit" "$RC" 3
expect_eq "ε 1 ms: stale" "$(stale_files near)" "p,t"
expect_eq "ε 1 ms: only stale reads" "$(jqr "$S/near.json" '.anomalies | length')" 2
expect_eq "ε 1 ms: model" "$(jqr "$S/near.json" '[.anomalies[].model] | unique | join(",")')" posix
expect_eq "ε 1 ms: cut on" "$(jqr "$S/near.json" '[.anomalies[].written_on] | unique | join(",")')" "twa$RIG_ID"
expect_eq "ε 1 ms: the punch is cited" "$(calls_named near fallocate)" true
expect_eq "ε 1 ms: the truncation is cited" "$(calls_named near ftruncate)" true

an far --clock-uncertainty 10s
expect_eq "ε 10 s: exit" "$RC" 0
expect_eq "ε 10 s: anomalies" "$(jqr "$S/far.json" '.anomalies | length')" 0
[ "$(jqr "$S/far.json" .cross_host_concurrent)" -gt 0 ] ||
	fail "ε 10 s: B's reads were not left concurrent"
echo "ok: B's reads concurrent within ε"

an cto --clock-uncertainty 1ms --model close-to-open
expect_eq "close-to-open: stale" "$(stale_files cto)" "p,t"
expect_eq "close-to-open: model" "$(jqr "$S/cto.json" '[.anomalies[].model] | unique | join(",")')" close-to-open

an commit --clock-uncertainty 1ms --model commit
expect_eq "commit: anomalies" "$(jqr "$S/commit.json" '.anomalies | length')" 0
