#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# TORNWATCH_STACKS=0 makes no stack event and the report names no stack;
# TORNWATCH_STACK_DEPTH bounds the frames; by default the same program's
# calls do have stacks (the control). Only this test's process is counted:
# other traced programs may share the session daemon.
. "$(dirname "$0")/../lib.sh"

# stack_events TRACE: "EVENTS MAXDEPTH" of the stack events of mmsync-verify
stack_events() {
	bt_text "$1" | awk '
		function pid() { match($0, /pid = [0-9]+/); return substr($0, RSTART + 6, RLENGTH - 6) }
		/tornwatch:process:/ && index($0, "/mmsync-verify\"") { ours[pid()] = 1 }
		/tornwatch:stack:/ && ours[pid()] {
			n++
			match($0, /_ip_length = [0-9]+/)
			d = substr($0, RSTART + 13, RLENGTH - 13) + 0
			if (d > max) max = d
		}
		END { print n + 0, max + 0 }'
}

TORNWATCH_STACKS=0 tw_run off "$BIN/mmsync-verify" seed000 "$SCRATCH/f0"
expect_eq "off: exit status" "$RC" 0
expect_eq "off: stack events" "$(stack_events "$SCRATCH/off.trace")" "0 0"
expect_eq "off: stacks in the report" "$(grep -c '"stack"' "$SCRATCH/off.json")" 0

TORNWATCH_STACK_DEPTH=2 tw_run two "$BIN/mmsync-verify" seed000 "$SCRATCH/f2"
expect_eq "depth 2: exit status" "$RC" 0
read -r n d <<<"$(stack_events "$SCRATCH/two.trace")"
[ "$n" -gt 0 ] || fail "depth 2: no stack events"
expect_eq "depth 2: deepest stack" "$d" 2

tw_run on "$BIN/mmsync-verify" seed000 "$SCRATCH/f1"
expect_eq "on: exit status" "$RC" 0
read -r n d <<<"$(stack_events "$SCRATCH/on.trace")"
[ "$n" -gt 0 ] || fail "on: no stack events"
[ "$d" -gt 2 ] || fail "on: stacks of $d frames at most"
echo "ok: on: $n stack events, up to $d frames"
