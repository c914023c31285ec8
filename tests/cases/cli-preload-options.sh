#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# TORNWATCH_OPTIONS carries the preload's settings in one variable, as
# ASAN_OPTIONS does; a variable of its own (TORNWATCH_WRITE_TRACK...) wins
# over its key; a bad entry is one line on the program's stderr and is
# skipped, the program runs to its end with its own status.
. "$(dirname "$0")/../lib.sh"
P=$BIN/ptr-store
D=$SCRATCH/data
mkdir -p "$D"
runs_here "$P" store "$D/probe"
tracking() { jqr "$SCRATCH/$1.json" "[.write_tracking.kernel, .write_tracking.hooks_only] | join(\" \")"; }

TORNWATCH_OPTIONS=write_track=0 tw_run off "$P" store "$D/off" >/dev/null
expect_eq "write_track=0: tracking" "$(tracking off)" "0 1"
TORNWATCH_OPTIONS=full_check=1:write_track=false tw_run two "$P" store "$D/two" >/dev/null
expect_eq "two keys: tracking" "$(tracking two)" "0 1"
# The variable wins whatever the order.
TORNWATCH_OPTIONS=write_track=0 TORNWATCH_WRITE_TRACK=1 tw_run var "$P" store "$D/var" >/dev/null
expect_eq "TORNWATCH_WRITE_TRACK=1 over write_track=0" "$(tracking var)" "1 0"
TORNWATCH_OPTIONS=write_track=1 TORNWATCH_WRITE_TRACK=0 tw_run var0 "$P" store "$D/var0" >/dev/null
expect_eq "TORNWATCH_WRITE_TRACK=0 over write_track=1" "$(tracking var0)" "0 1"

# Bad entries: one line each on the program's stderr (a pipe: where a
# diagnostic is read), the good one still taken, the status kept.
TORNWATCH_OPTIONS=bogus=1:write_track=0:full_check=maybe tw_run bad bash -c \
	"/bin/true 2>&1 >/dev/null | cat; exit 7" >"$SCRATCH/bad.out" 2>/dev/null
expect_eq "bad entries: status" "$RC" 7
expect_eq "bad entries: lines" "$(grep -c 'TORNWATCH_OPTIONS' "$SCRATCH/bad.out")" 2
grep -q '^tornwatch\[[0-9]*\]: TORNWATCH_OPTIONS: unknown key "bogus" ignored' "$SCRATCH/bad.out" ||
	fail "bad key: $(cat "$SCRATCH/bad.out")"
grep -q 'full_check needs =0 or =1, "full_check=maybe" ignored' "$SCRATCH/bad.out" ||
	fail "bad value: $(cat "$SCRATCH/bad.out")"
TORNWATCH_OPTIONS=bogus=1:write_track=0 tw_run bad2 "$P" store "$D/bad2" >/dev/null 2>&1
expect_eq "bad entries: write_track=0 still taken" "$(tracking bad2)" "0 1"

# disable=1: nothing traced, and tornwatch says why.
TORNWATCH_OPTIONS=disable=1 "$TW" run -o "$SCRATCH/dis.trace" -- true 2>"$SCRATCH/dis.err"
expect_eq "disable=1: status" "$?" 0
grep -q '"true" was not traced: TORNWATCH_OPTIONS has disable' "$SCRATCH/dis.err" ||
	fail "disable=1: $(cat "$SCRATCH/dis.err")"
