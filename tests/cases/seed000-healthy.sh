#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Seed 000's exact sequence on a healthy file system: no anomaly, exit 0.
. "$(dirname "$0")/../lib.sh"
tw_run healthy "$BIN/mmsync-verify" seed000 "$SCRATCH/mm-sync"
expect_eq "exit status" "$RC" 0
J=$SCRATCH/healthy.json
expect_eq "anomalies" "$(jqr "$J" '.anomalies | length')" 0
expect_eq "reads checked" "$(jqr "$J" '.reads_checked')" 1
expect_eq "lost events" "$(jqr "$J" '.lost_events')" 0
