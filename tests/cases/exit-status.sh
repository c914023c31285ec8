#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tornwatch run returns the command's own status when nothing was found.
. "$(dirname "$0")/../lib.sh"
tw_run true true
expect_eq "true" "$RC" 0
tw_run seven sh -c 'exit 7'
expect_eq "exit 7" "$RC" 7
tw_run killed sh -c 'kill -TERM $$'
expect_eq "killed by SIGTERM" "$RC" 143
tw_run missing "$SCRATCH/no-such-program"
expect_eq "missing program" "$RC" 127
"$TW" run >/dev/null 2>&1
expect_eq "run without a command" "$?" 2
