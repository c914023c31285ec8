#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# analyze of a trace whose session still records: the message names the
# session and says to stop it, not "was libtornwatch.so preloaded?"; once
# stopped, the same directory analyzes.
TW_OWN_SESSION=1 . "$(dirname "$0")/../lib.sh"
S=tw-active-$$
lttng create "$S" --output="$SCRATCH/act" >/dev/null || fail "lttng create"
trap 'lttng destroy "$S" >/dev/null 2>&1; cleanup' EXIT
lttng enable-event -u -s "$S" 'tornwatch:*' "${OWN_FILTER[@]}" >/dev/null || fail "enable-event"
lttng start "$S" >/dev/null || fail "start"
LD_PRELOAD="$TOP/preload/libtornwatch.so" dd if=/dev/zero of="$SCRATCH/f" bs=4k count=2 2>/dev/null
"$TW" analyze "$SCRATCH/act" >/dev/null 2>"$SCRATCH/err"
expect_eq "active: exit status" "$?" 2
grep -q "session \"$S\" is still recording into \"$SCRATCH/act\"" "$SCRATCH/err" ||
	fail "the message does not name the recording session: $(cat "$SCRATCH/err")"
echo "ok: names the recording session"
grep -q "preloaded" "$SCRATCH/err" && fail "still asks whether the library was preloaded"
echo "ok: does not blame the preload"
lttng stop "$S" >/dev/null || fail "stop"
"$TW" analyze "$SCRATCH/act" >"$SCRATCH/out" 2>"$SCRATCH/err"
expect_eq "stopped: exit status" "$?" 0
grep -q "still recording" "$SCRATCH/err" && fail "a stopped session said recording"
grep -q "^tornwatch: [0-9]* events" "$SCRATCH/out" || fail "no report once stopped"
echo "ok: analyzes once stopped"
