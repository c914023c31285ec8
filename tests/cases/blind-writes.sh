#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# File data changed past the write family and the memcpy hooks: a hole
# punched under a mapping (madvise MADV_REMOVE), process_vm_writev into
# this process's mapping and into a child's, pwrite on /proc/self/mem. Each
# program checks its own reads (bare and traced alike); tornwatch states no
# certain anomaly (before these were seen: stale_read or unknown_data), and
# the report names the writes into process memory it cannot place. Kernel
# write tracking is off: the hooks alone must get it right.
. "$(dirname "$0")/../lib.sh"
P=$BIN/blind-writes
D=$SCRATCH/data
mkdir -p "$D"
export TORNWATCH_WRITE_TRACK=0
for mode in madv vmw-self vmw-other procmem; do
	"$P" "$mode" "$D/bare-$mode"
	bare=$?
	[ "$bare" -eq 77 ] && { echo "skip $mode: refused here"; continue; }
	expect_eq "$mode: bare" "$bare" 0
	tw_run "$mode" "$P" "$mode" "$D/$mode" >"$SCRATCH/$mode.out"
	J=$SCRATCH/$mode.json
	expect_eq "$mode: traced" "$RC" 0
	expect_eq "$mode: anomalies" "$(jqr "$J" '.anomalies | length')" 0
	[ "$(jqr "$J" .reads_checked)" -gt 0 ] || fail "$mode: no read checked"
done
expect_eq "madv: no blind spot" "$(jqr "$SCRATCH/madv.json" .memory_writes)" 0
expect_eq "vmw-self: placed in the mapping" "$(jqr "$SCRATCH/vmw-self.json" .memory_writes)" 0
for mode in vmw-other procmem; do
	expect_eq "$mode: named" "$(jqr "$SCRATCH/$mode.json" .memory_writes)" 1
	grep -q "blind spot: 1 write into process memory" "$SCRATCH/$mode.out" ||
		fail "$mode: the text report does not name it"
done
