#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# siglongjmp out of a SIGBUS raised inside a hooked memcpy: the calls made
# after it are still traced (the abandoned hook's guard is reset).
. "$(dirname "$0")/../lib.sh"
runs_here "$BIN/siglongjmp" "$SCRATCH/bare.dat"
tw_run jump "$BIN/siglongjmp" "$SCRATCH/jump.dat"
J=$SCRATCH/jump.json
expect_eq "exit status" "$RC" 0
# The analyzer may not check reads of a file with a call that never ended
# (the abandoned memcpy): the events themselves are the evidence.
command -v babeltrace2 >/dev/null || skip "babeltrace2 is not installed"
ends=$(bt_ended "$SCRATCH/jump.trace" pread /siglongjmp)
expect_eq "pread calls traced after the jump" "$ends" 4
expect_eq "lost events" "$(jqr "$J" '.lost_events')" 0
