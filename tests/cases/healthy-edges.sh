#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Healthy sequences that fsx and fsstress run all the time (partial reads of
# a write, blocks of two writes, copy_file_range through syscall(), collapse
# and insert range, a hole punched by ioctl, a reused inode number, a private
# mapping where a shared one was unmapped with a length inside a page): each
# program verifies its own data, and tornwatch must report nothing. Each
# one gave a false unknown_data, stale_read or torn_read before.
. "$(dirname "$0")/../lib.sh"
ran=0
for mode in partial partial-older two-writes copy-raw collapse insert punch-ioctl reuse unmap-unaligned; do
	"$BIN/healthy-edges" "$mode" "$SCRATCH/probe-$mode" >/dev/null
	case $? in
	0) ;;
	77) echo "skip: $mode: not supported by this file system"; continue ;;
	*) fail "$mode: the program itself failed" ;;
	esac
	tw_run "$mode" "$BIN/healthy-edges" "$mode" "$SCRATCH/$mode"
	expect_eq "$mode: exit status" "$RC" 0
	expect_eq "$mode: anomalies" "$(jqr "$SCRATCH/$mode.json" '.anomalies | length')" 0
	[ "$(jqr "$SCRATCH/$mode.json" '.reads_checked')" -ge 1 ] || fail "$mode: no read checked"
	ran=$((ran + 1))
done
[ "$ran" -gt 0 ] || skip "the file system under $SCRATCH supports none of the sequences"
