#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Seed 002's user-space twin on real io_uring: an 8 KiB write linked behind
# a read from an empty pipe cannot start until the pipe gets a byte; the
# program scribbles 'X' over the buffer's second page before that. One
# buffer_modified_in_flight naming the memset and page 1; the verify read
# that found the scribble is part of it, not a separate unknown_data. When
# the program scribbles only after reaping the write, nothing is reported.
. "$(dirname "$0")/../lib.sh"
F=$SCRATCH/scribbled
runs_here "$BIN/uring-scribble" healthy "$SCRATCH/probe"

tw_run healthy "$BIN/uring-scribble" healthy "$F"
expect_eq "healthy: exit status" "$RC" 0
expect_eq "healthy: anomalies" "$(jqr "$SCRATCH/healthy.json" '.anomalies | length')" 0
expect_eq "healthy: reads checked" "$(jqr "$SCRATCH/healthy.json" '.reads_checked')" 1

tw_run scribble "$BIN/uring-scribble" scribble "$F"
expect_eq "exit status" "$RC" 3
J=$SCRATCH/scribble.json
expect_eq "kinds" "$(jqr "$J" '[.anomalies[].kind] | join(",")')" buffer_modified_in_flight
expect_eq "file" "$(jqr "$J" '.anomalies[0].file')" "$F"
expect_eq "range" "$(jqr "$J" '"\(.anomalies[0].offset)+\(.anomalies[0].length)"')" 0+8192
expect_eq "engine" "$(jqr "$J" '.anomalies[0].engine')" io_uring
expect_eq "pages" "$(jqr "$J" '[.anomalies[0].pages[] | "\(.index)=\(.state)"] | join(" ")')" "1=changed"
expect_eq "interleaving" "$(jqr "$J" '[.anomalies[0].interleaving[] | "\(.op)/\(.phase)"] | join(" ")')" \
	"write/submit touch/store write/complete read/begin read/end"
expect_eq "calls" "$(jqr "$J" '[.anomalies[0].interleaving[] | select(.phase != "complete") | .call] | join(" ")')" \
	"io_uring_submit memset pread pread"
