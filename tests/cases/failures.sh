#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Failures are named for what they are: a reader of stdout that left is no
# failure at all; a crash in our own code is ours ("internal error"), not
# the trace's; running out of memory, or a SIGKILL (the OOM killer's), says
# so. TORNWATCH_TEST_CRASH is a test-only knob that fails the analysis on
# purpose inside our event callback. The CTF reader's own crash on damaged
# data keeps its wording (bad-input.sh).
. "$(dirname "$0")/../lib.sh"
T=$TESTS/data/torn
set -o pipefail

"$TW" analyze "$T" 2>"$SCRATCH/gone.err" | true
expect_eq "| true: exit status" "${PIPESTATUS[0]}" 3
expect_eq "| true: stderr" "$(cat "$SCRATCH/gone.err")" ""
"$TW" analyze "$T" 2>"$SCRATCH/head.err" | head -n 1 >"$SCRATCH/head.out"
expect_eq "| head -n 1: exit status" "${PIPESTATUS[0]}" 3
expect_eq "| head -n 1: stderr" "$(cat "$SCRATCH/head.err")" ""
grep -q '^tornwatch: [0-9]* events' "$SCRATCH/head.out" || fail "| head -n 1: not the header"

tw_run ok "$BIN/mmsync-verify" seed000 "$SCRATCH/f" >/dev/null
expect_eq "healthy run" "$RC" 0
"$TW" run -o "$SCRATCH/gone.trace" --report - -- "$BIN/mmsync-verify" seed000 "$SCRATCH/g" \
	2>"$SCRATCH/run-gone.err" | true
expect_eq "run | true: exit status" "${PIPESTATUS[0]}" 0
expect_eq "run | true: stderr" "$(cat "$SCRATCH/run-gone.err")" ""
set +o pipefail

# expect_fail MODE LINE: the knob's failure gives exit 2 and exactly LINE.
expect_fail() {
	TORNWATCH_TEST_CRASH=$1 "$TW" analyze "$T" >"$SCRATCH/$1.out" 2>"$SCRATCH/$1.err"
	expect_eq "$1: exit status" "$?" 2
	expect_eq "$1: stderr" "$(cat "$SCRATCH/$1.err")" "$2"
	expect_eq "$1: stdout bytes" "$(wc -c <"$SCRATCH/$1.out")" 0
}
expect_fail ours "tornwatch: internal error (signal SIGABRT) analyzing \"$T\", please report"
expect_fail kill "tornwatch: killed (out of memory?) analyzing \"$T\""
expect_fail enomem "tornwatch: out of memory analyzing \"$T\""
