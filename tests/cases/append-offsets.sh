#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Writes whose offset the kernel chooses: pwrite on an O_APPEND fd,
# pwritev2(RWF_APPEND), O_APPEND set by fcntl(F_SETFL) or carried by
# F_DUPFD and dup2, and four threads write()ing one shared offset through
# one fd or through dups of it. Each
# program verifies its own data; the hook must record where the data went
# (or say it does not know), so tornwatch must report nothing. Before,
# each recorded the offset the caller passed and raised false anomalies.
. "$(dirname "$0")/../lib.sh"
ran=0
for mode in pwrite-append rwf-append setfl-append dup-append threads threads-dup; do
	"$BIN/append-edges" "$mode" "$SCRATCH/probe-$mode" >/dev/null
	case $? in
	0) ;;
	77) echo "skip: $mode: not supported here"; continue ;;
	*) fail "$mode: the program itself failed" ;;
	esac
	tw_run "$mode" "$BIN/append-edges" "$mode" "$SCRATCH/$mode"
	expect_eq "$mode: exit status" "$RC" 0
	expect_eq "$mode: anomalies" "$(jqr "$SCRATCH/$mode.json" '.anomalies | length')" 0
	[ "$(jqr "$SCRATCH/$mode.json" '.reads_checked')" -ge 1 ] || fail "$mode: no read checked"
	ran=$((ran + 1))
done
[ "$ran" -gt 0 ] || skip "none of the sequences is supported under $SCRATCH"
