#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The report never mixes into the command's stdout: `tornwatch run -- CMD |
# jq` sees CMD's output alone; the report goes to stderr or --report FILE;
# --json - makes stdout the JSON alone, for run and for analyze.
. "$(dirname "$0")/../lib.sh"
J='{"from":"the command"}'

"$TW" run -o "$SCRATCH/a.trace" -- sh -c "echo '$J'" >"$SCRATCH/a.out" 2>"$SCRATCH/a.err"
expect_eq "run: exit" "$?" 0
expect_eq "run: stdout is the command's" "$(cat "$SCRATCH/a.out")" "$J"
expect_eq "run | jq" "$(jq -r .from "$SCRATCH/a.out")" "the command"
grep -q '^tornwatch: [0-9]* events from' "$SCRATCH/a.err" || fail "run: no report on stderr"
grep -q "^trace: $SCRATCH/a.trace\$" "$SCRATCH/a.err" || fail "run: no trace line on stderr"

# --report FILE: the whole report there, stderr quiet.
"$TW" run -o "$SCRATCH/b.trace" --report "$SCRATCH/b.txt" -- sh -c "echo '$J'" \
	>"$SCRATCH/b.out" 2>"$SCRATCH/b.err"
expect_eq "--report: stdout" "$(cat "$SCRATCH/b.out")" "$J"
expect_eq "--report: stderr" "$(cat "$SCRATCH/b.err")" ""
grep -q '^tornwatch: [0-9]* events from' "$SCRATCH/b.txt" || fail "--report: no header in the file"
expect_eq "--report: last line" "$(tail -n 1 "$SCRATCH/b.txt")" "trace: $SCRATCH/b.trace"

# --json -: the command's output, then exactly one JSON object.
"$TW" run -o "$SCRATCH/c.trace" --json - -- true >"$SCRATCH/c.out" 2>"$SCRATCH/c.err"
expect_eq "run --json -: objects on stdout" "$(jq -s length "$SCRATCH/c.out")" 1
expect_eq "run --json -: tool" "$(jq -r .tool.name "$SCRATCH/c.out")" tornwatch
grep -q '^tornwatch: [0-9]* events from' "$SCRATCH/c.err" || fail "run --json -: no text report on stderr"

# (analyze keeps every process: another traced program on the machine may
# have made anomalies in the same trace, hence 0 or 3.)
"$TW" analyze --json - "$SCRATCH/c.trace" >"$SCRATCH/d.out" 2>"$SCRATCH/d.err"
rc=$?
[ "$rc" = 0 ] || [ "$rc" = 3 ] || fail "analyze --json -: exit $rc"
expect_eq "analyze --json -: objects on stdout" "$(jq -s length "$SCRATCH/d.out")" 1
grep -q '^tornwatch: [0-9]* events from' "$SCRATCH/d.err" || fail "analyze --json -: the text went nowhere"
# analyze keeps its report on stdout otherwise.
"$TW" analyze "$SCRATCH/c.trace" 2>/dev/null | head -n 1 | grep -q '^tornwatch: [0-9]* events from' ||
	fail "analyze: no report on stdout"
"$TW" analyze --report - --json - "$SCRATCH/c.trace" 2>/dev/null >"$SCRATCH/e.out"
head -n 1 "$SCRATCH/e.out" | grep -q '^tornwatch: [0-9]* events from' || fail "analyze --report -: not on stdout"
"$TW" run -o "$SCRATCH/f.trace" --report /nonexistent/dir/r.txt -- true 2>"$SCRATCH/f.err"
expect_eq "unwritable --report: exit" "$?" 2
grep -q '/nonexistent/dir/r.txt' "$SCRATCH/f.err" || fail "unwritable --report: not named"
