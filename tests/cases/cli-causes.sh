#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Failures name their real cause: a TORNWATCH_LIB that does not exist is
# named as such; a command that cannot be executed gets a shell's status
# (126 not executable, 127 not found) and a message saying which; none
# leaves a session behind.
. "$(dirname "$0")/../lib.sh"
cd "$SCRATCH" || fail "cd"

TORNWATCH_LIB=/nonexist "$TW" run -o "$SCRATCH/a.trace" -- true 2>"$SCRATCH/a.err"
expect_eq "TORNWATCH_LIB=/nonexist: exit" "$?" 2
grep -q '"/nonexist": that path does not exist' "$SCRATCH/a.err" ||
	fail "TORNWATCH_LIB=/nonexist: $(cat "$SCRATCH/a.err")"
TORNWATCH_LIB=$SCRATCH "$TW" run -o "$SCRATCH/a2.trace" -- true 2>"$SCRATCH/a2.err"
expect_eq "TORNWATCH_LIB=DIR: exit" "$?" 2
grep -qi 'is a directory' "$SCRATCH/a2.err" || fail "TORNWATCH_LIB=DIR: $(cat "$SCRATCH/a2.err")"

# cannot NAME STATUS WORDS CMD...
cannot() {
	local name=$1 want=$2 words=$3
	shift 3
	"$TW" run -o "$SCRATCH/$name.trace" -- "$@" >/dev/null 2>"$SCRATCH/$name.err"
	expect_eq "$name: exit" "$?" "$want"
	grep -q "cannot run \"$1\": $words" "$SCRATCH/$name.err" ||
		fail "$name: $(cat "$SCRATCH/$name.err")"
}
printf '#!/bin/sh\necho hi\n' >"$SCRATCH/noexec.sh"
chmod 0644 "$SCRATCH/noexec.sh"
cannot not-executable 126 "permission denied" "$SCRATCH/noexec.sh"
mkdir -p "$SCRATCH/adir"
cannot directory 126 "permission denied" "$SCRATCH/adir"
cannot missing-path 127 "no such file" "$SCRATCH/no-such-program"
cannot not-in-path 127 "command not found" tornwatch-no-such-command
# Compared with the shell's own statuses for the same commands.
sh -c "'$SCRATCH/noexec.sh'" 2>/dev/null
expect_eq "sh: not executable" "$?" 126
sh -c tornwatch-no-such-command 2>/dev/null
expect_eq "sh: not found" "$?" 127
lttng list 2>/dev/null | grep -q "Trace output: $SCRATCH/" && fail "a session was left behind"
echo "ok: no session left"
