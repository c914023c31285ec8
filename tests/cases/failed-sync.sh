#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# An msync whose write-back the file system lost and reported (tearfs
# -o lost_sync: mapped pages' write-back is held, fsync drops it and fails
# with EIO). The program tries the msync again, which returns 0 (the kernel
# reports a lost write-back once), and its verify read sees the old data:
# tornwatch made the stores required at the second msync and called the
# read a stale_read. A store racing the failed msync was a sync_race. A
# failed msync makes nothing required and races nothing: no anomaly.
. "$(dirname "$0")/../lib.sh"
MNT=$SCRATCH/mnt
mount_tearfs "$MNT" lost_sync || skip "tearfs cannot be mounted here"

tw_run resync "$BIN/mmsync-verify" resync "$MNT/F" 1048576 100000 9927
J=$SCRATCH/resync.json
# The program's own verdict: the data is gone, as the file system said.
expect_eq "resync: exit status (the program's)" "$RC" 1
expect_eq "resync: msync failed" "$(bt_text "$SCRATCH/resync.trace" |
	grep -c 'call_end: .* ret = -1, err = 5 }')" 1
expect_eq "resync: anomalies" "$(jqr "$J" '.anomalies | length')" 0

export TW_FAULT_MSYNC_HOLD=1 MMSYNC_SYNC_MAY_FAIL=1
LD_PRELOAD=$FAULT tw_run race "$BIN/mmsync-verify" race "$MNT/F" 1048576 100000 9927
J=$SCRATCH/race.json
expect_eq "race: exit status" "$RC" 0
# Only the program's own events: other traced programs share the daemon.
bt_text "$SCRATCH/race.trace" >"$SCRATCH/race.txt"
pid=$(grep 'tornwatch:process:' "$SCRATCH/race.txt" | grep '/mmsync-verify"' |
	sed -n 's/.* pid = \([0-9]*\),.*/\1/p' | head -n 1)
[ -n "$pid" ] || fail "race: the program's process event is missing"
expect_eq "race: stores by two threads" "$(grep "{ pid = $pid, " "$SCRATCH/race.txt" |
	grep 'call_begin: .*call = "memcpy"' | grep -o 'tid = [0-9]*' | sort -u | wc -l)" 2
expect_eq "race: msync failed" "$(grep "{ pid = $pid, " "$SCRATCH/race.txt" |
	grep -c 'call_end: .* ret = -1, err = 5 }')" 1
expect_eq "race: anomalies" "$(jqr "$J" '[.anomalies[].kind] | join(",")')" ""
