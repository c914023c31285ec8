#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A runner that clears the environment (env -i) still has its command
# traced, and the report says the exec lost LD_PRELOAD; with
# TORNWATCH_FOLLOW_EXEC=0 it is not traced and named so; a static command,
# which no preload can enter, is named as not traced.
. "$(dirname "$0")/../lib.sh"

tw_run cleared env -i PATH=/usr/bin:/bin "$BIN/mmsync-verify" seed000 "$SCRATCH/mm-a"
J=$SCRATCH/cleared.json
expect_eq "exit status" "$RC" 0
expect_eq "reads checked" "$(jqr "$J" '.reads_checked')" 1
expect_eq "execs restored" "$(jqr "$J" '.exec_env_restored')" 1
expect_eq "not traced" "$(jqr "$J" '.not_traced | length')" 0

TORNWATCH_FOLLOW_EXEC=0 tw_run optout env -i PATH=/usr/bin:/bin \
	"$BIN/mmsync-verify" seed000 "$SCRATCH/mm-b" >"$SCRATCH/optout.txt"
cat "$SCRATCH/optout.txt"
J=$SCRATCH/optout.json
expect_eq "opt-out exit status" "$RC" 0
expect_eq "opt-out reads checked" "$(jqr "$J" '.reads_checked')" 0
expect_eq "opt-out execs restored" "$(jqr "$J" '.exec_env_restored')" 0
expect_eq "opt-out execs dropped" "$(jqr "$J" '.exec_env_dropped')" 1
expect_eq "opt-out not traced" "$(jqr "$J" '.not_traced[0].exe')" "$BIN/mmsync-verify"
grep -q "not traced: process .*mmsync-verify" "$SCRATCH/optout.txt" ||
	fail "the text report does not name the untraced command"
echo "ok: text report names the untraced command"

command -v cc >/dev/null || skip "no C compiler for the static command"
printf 'int main(void) { return 0; }\n' >"$SCRATCH/static.c"
cc -static -o "$SCRATCH/static" "$SCRATCH/static.c" 2>/dev/null ||
	skip "cc -static fails (no static libc)"
tw_run static sh -c "\"$SCRATCH/static\"; exit 0"
J=$SCRATCH/static.json
expect_eq "static exit status" "$RC" 0
expect_eq "static not traced" "$(jqr "$J" '.not_traced[0].exe')" "$SCRATCH/static"

# The static command itself: no trace at all, its own exit status kept.
printf 'int main(void) { return 7; }\n' >"$SCRATCH/seven.c"
cc -static -o "$SCRATCH/seven" "$SCRATCH/seven.c" || fail "cc -static failed"
tw_run seven "$SCRATCH/seven"
expect_eq "static command's own status" "$RC" 7
expect_eq "static command not traced" "$(jqr "$SCRATCH/seven.json" '.not_traced[0].exe')" "$SCRATCH/seven"
