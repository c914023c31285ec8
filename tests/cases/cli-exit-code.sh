#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# --exit-code N is the status of a run or analysis that found an anomaly
# (default 3); a clean run keeps the command's own, 3 included.
. "$(dirname "$0")/../lib.sh"
export TW_FAULT_PATH=$SCRATCH/f TW_FAULT_STALE_PAGES=1085-1087 TW_FAULT_STATE=$SCRATCH/stale
torn() {
	LD_PRELOAD=$FAULT "$TW" run -o "$SCRATCH/$1.trace" "${@:2}" -- \
		"$BIN/mmsync-verify" seed000 "$SCRATCH/f" >/dev/null 2>&1
}
torn default
expect_eq "anomaly, default" "$?" 3
torn n42 --exit-code 42
expect_eq "anomaly, --exit-code 42" "$?" 42
torn n0 --exit-code=0
expect_eq "anomaly, --exit-code=0" "$?" 0
"$TW" run -o "$SCRATCH/clean.trace" --exit-code 42 -- sh -c 'exit 3' 2>/dev/null
expect_eq "clean, command exit 3" "$?" 3
"$TW" analyze --exit-code 9 "$SCRATCH/default.trace" >/dev/null
expect_eq "analyze --exit-code 9" "$?" 9
"$TW" analyze --exit-code 9 "$SCRATCH/clean.trace" >/dev/null
expect_eq "analyze --exit-code 9, clean" "$?" 0
"$TW" analyze --exit-code 9 "$SCRATCH/no-such" >/dev/null 2>&1
expect_eq "analyze --exit-code 9, bad trace" "$?" 2
