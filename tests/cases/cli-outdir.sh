#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# -o DIR never writes into an earlier trace unasked: a non-empty DIR is
# refused (exit 2, one line saying why and naming --force) before any
# session exists; --force writes there; an empty DIR is taken.
. "$(dirname "$0")/../lib.sh"
D=$SCRATCH/old
mkdir -p "$D"
echo keep >"$D/notes"
"$TW" run -o "$D" -- true >"$SCRATCH/a.out" 2>"$SCRATCH/a.err"
expect_eq "non-empty: exit" "$?" 2
expect_eq "non-empty: stderr lines" "$(wc -l <"$SCRATCH/a.err")" 1
grep -q "\"$D\" is not empty" "$SCRATCH/a.err" || fail "non-empty: not said: $(cat "$SCRATCH/a.err")"
grep -q -- "--force" "$SCRATCH/a.err" || fail "non-empty: --force not named"
expect_eq "non-empty: left alone" "$(ls "$D")" notes
lttng list 2>/dev/null | grep -q "Trace output: $D\$" && fail "a refused run left a session"

"$TW" run -o "$D" --force --json "$SCRATCH/f.json" -- true 2>/dev/null
expect_eq "--force: exit" "$?" 0
expect_eq "--force: traced" "$(jqr "$SCRATCH/f.json" .processes)" 1
expect_eq "--force: notes kept" "$(cat "$D/notes")" keep

mkdir "$SCRATCH/empty"
"$TW" run -o "$SCRATCH/empty" -- true 2>/dev/null
expect_eq "empty DIR: exit" "$?" 0

echo x >"$SCRATCH/file"
"$TW" run -o "$SCRATCH/file" -- true 2>"$SCRATCH/b.err"
expect_eq "a file: exit" "$?" 2
grep -q "not a directory" "$SCRATCH/b.err" || fail "a file: not said: $(cat "$SCRATCH/b.err")"
