#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Two clients of one file system that number its files each their own way
# (host B's tearfs with own_ino: FUSE node ids, not the backing inode
# numbers): --same-fs matches the file by its path below the two roots.
# A writes b and closes; B opens after and still reads a: stale under
# posix, found only when the two numbers are known to be one file.
. "$(dirname "$0")/../lib.sh"
. "$TESTS/multihost-rig.sh"
trap 'rig_down; cleanup' EXIT
rig_skip_unless
RIG_TEARFS_OPTS1=window_reads,own_ino rig_up 0
A=$SCRATCH/mnt0 B=$SCRATCH/mnt1 S=$SCRATCH
rig_run 0 "$BIN/mh-steps $A/f open write:a close post:$S/f1 wait:$S/f2 open write:b close post:$S/f3" >"$S/fA" 2>&1 &
pa=$!
rig_run 1 "$BIN/mh-steps $B/f wait:$S/f1 open read close post:$S/f2 wait:$S/f3 nap:50 open read close" >"$S/fB" 2>&1
wait $pa
cat "$S/fA" "$S/fB"
expect_eq "B's second read" "$(grep read "$S/fB" | tail -n 1)" "read 4096 'a'"
ino_a=$(rig_sh 0 "stat -c %i '$A/f'") ino_b=$(rig_sh 1 "stat -c %i '$B/f'")
[ -n "$ino_a" ] && [ -n "$ino_b" ] && [ "$ino_a" != "$ino_b" ] ||
	fail "the two clients give f one number ($ino_a, $ino_b): nothing to match by path"
echo "ok: f is inode $ino_a on A and $ino_b on B"

"$TW" analyze --json "$S/p.json" --same-fs "twa$RIG_ID:$A=twb$RIG_ID:$B" "$RIG_RELAY_OUT" >"$S/p.txt"
expect_eq "same-fs: exit" "$?" 3
expect_eq "same-fs: stale" "$(jqr "$S/p.json" '[.anomalies[] | select(.kind == "stale_read") | .file | split("/") | last] | join(",")')" f
expect_eq "same-fs: written on" "$(jqr "$S/p.json" '.anomalies[0].written_on')" "twa$RIG_ID"
"$TW" analyze --json "$S/apart.json" "$RIG_RELAY_OUT" >/dev/null
expect_eq "without --same-fs: judged across hosts" "$(jqr "$S/apart.json" .cross_host_judged)" 0
