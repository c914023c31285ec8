#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The traced program sees no difference: errno and return values of failing
# and succeeding calls, a signal handler, threads, fork, another library's
# constructor running before ours, and a second interposer below ours.
. "$(dirname "$0")/../lib.sh"
"$BIN/hook-edges" || fail "hook-edges fails even without tornwatch"
LD_PRELOAD=$FAULT tw_run edges "$BIN/hook-edges"
expect_eq "exit status" "$RC" 0
J=$SCRATCH/edges.json
expect_eq "anomalies" "$(jqr "$J" '.anomalies | length')" 0
expect_eq "processes traced (parent and forked child)" "$(jqr "$J" '.processes')" 2
[ "$(jqr "$J" '.reads_checked')" -ge 1100 ] ||
	fail "the threads' 800 and the 300 files' preads were not all checked"
echo "ok: $(jqr "$J" '.reads_checked') reads checked"
# 300 files one after another, more than the file table holds: all tracked.
T=$(bt_text "$SCRATCH/edges.trace")
stores=$(echo "$T" | grep -c 'call_begin.*call = "memcpy", op = "store", fd = -1, dev = [0-9]*, ino = [0-9]*, offset = 4096, length = 16,')
[ "$stores" -ge 300 ] || fail "only $stores of the 300 files' stores were recorded"
echo "ok: $stores stores at offset 4096 recorded"
echo "$T" | grep -q 'call_begin.*call = "read", op = "store", .*offset = 24576, length = 16,' ||
	fail "read() from a pipe into the mapping was not recorded as a store"
echo "ok: read() into the mapping recorded as a store"
for call in ftruncate copy_file_range; do
	[ "$(bt_ended "$SCRATCH/edges.trace" "$call")" -gt 0 ] ||
		fail "$call was not recorded"
done
echo "ok: ftruncate and copy_file_range recorded"
if echo "$T" | grep -q 'call_begin.*call = "memcpy", op = "store", .*offset = 0, length = 14,'; then
	fail "a store into anonymous memory mapped over the file was recorded as a file store"
fi
echo "ok: MAP_FIXED anonymous memory over a tracked range is no longer tracked"
