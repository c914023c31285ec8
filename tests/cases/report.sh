#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A report people read: 30 runs of seed 000's sequence under the stale
# window give 30 identical torn_reads. The summary comes first; they are one
# group, 3 in full and the rest counted; --max-anomalies limits what is shown
# in full and the summary still counts all; the JSON says what made it, from
# what, and gives timestamps as strings.
. "$(dirname "$0")/../lib.sh"
F=$SCRATCH/mm-sync
N=30
export TW_FAULT_PATH=$F TW_FAULT_STALE_PAGES=25-26 TW_FAULT_STATE=$SCRATCH/stale
LD_PRELOAD=$FAULT tw_run many bash -c \
	"for i in \$(seq $N); do '$BIN/mmsync-verify' seed000 '$F' 1048576 100000 9927; done" \
	>"$SCRATCH/run.out"
expect_eq "exit status" "$RC" 3
J=$SCRATCH/many.json
expect_eq "anomalies" "$(jqr "$J" '.anomalies | length')" $N

T=$SCRATCH/many.trace
"$TW" analyze "$T" >"$SCRATCH/report.txt"
expect_eq "analyze exit status" "$?" 3
head -n 1 "$SCRATCH/report.txt" | grep -q "(times in UTC" || fail "the header does not name the time zone"
line=$(grep -n -m1 '^summary:' "$SCRATCH/report.txt" | cut -d: -f1)
[ -n "$line" ] && [ "$line" -le 10 ] || fail "no summary in the first 10 lines"
echo "ok: summary on line $line"
grep -q "^  by kind: *torn_read ×$N\$" "$SCRATCH/report.txt" || fail "no count by kind"
grep -q "^  by file: *$F ×$N: pages 25–26 old\$" "$SCRATCH/report.txt" || fail "no count by file with its pages"
grep -q "^  by process: *pid [0-9]* ×1, .* and 20 more processes\$" "$SCRATCH/report.txt" || fail "no count by process"
expect_eq "anomalies in full" "$(grep -c '^torn_read:' "$SCRATCH/report.txt")" 3
grep -q "^×$N torn_read in $F: memcpy (store) → msync → read; the first 3 in full\$" "$SCRATCH/report.txt" ||
	fail "no group heading"
grep -q "^  … and 27 more like these ($N in all, .*, $N processes)\$" "$SCRATCH/report.txt" ||
	fail "the rest of the group is not counted"
lines=$(wc -l <"$SCRATCH/report.txt")
[ "$lines" -lt $((N * 10)) ] || fail "grouping left $lines lines"
echo "ok: $lines lines for $N anomalies"

"$TW" analyze --max-anomalies 1 "$T" >"$SCRATCH/one.txt"
expect_eq "--max-anomalies 1: exit status" "$?" 3
expect_eq "--max-anomalies 1: in full" "$(grep -c '^torn_read:' "$SCRATCH/one.txt")" 1
grep -q "^  by kind: *torn_read ×$N\$" "$SCRATCH/one.txt" || fail "--max-anomalies 1: the summary lost some"
grep -q "^  … and 29 more like this one" "$SCRATCH/one.txt" || fail "--max-anomalies 1: the rest is not counted"
"$TW" analyze --max-anomalies 0 "$T" >"$SCRATCH/none.txt"
expect_eq "--max-anomalies 0: in full" "$(grep -c '^torn_read:' "$SCRATCH/none.txt")" 0
grep -q "^1 more group ($N anomalies) not shown" "$SCRATCH/none.txt" || fail "--max-anomalies 0: not said"
"$TW" analyze --max-anomalies x "$T" >/dev/null 2>&1
expect_eq "--max-anomalies x" "$?" 2

# tornwatch run takes it too.
export TW_FAULT_STALE_PAGES=1085-1087 TW_FAULT_PATH=$SCRATCH/one TW_FAULT_STATE=$SCRATCH/stale1
LD_PRELOAD=$FAULT "$TW" run --max-anomalies 0 -o "$SCRATCH/run0.trace" -- \
	"$BIN/mmsync-verify" seed000 "$SCRATCH/one" 2>"$SCRATCH/run0.txt"
expect_eq "run --max-anomalies 0: exit status" "$?" 3
expect_eq "run --max-anomalies 0: in full" "$(grep -c '^torn_read:' "$SCRATCH/run0.txt")" 0
grep -q "^  by kind: *torn_read ×1\$" "$SCRATCH/run0.txt" || fail "run --max-anomalies 0: no summary"

# The JSON: what made it and from what; timestamps jq cannot round.
expect_eq "tool" "$(jqr "$J" '.tool.name')" tornwatch
[ -n "$(jqr "$J" '.tool.version')" ] || fail "no tool version"
expect_eq "schema" "$(jqr "$J" '.schema')" 2
expect_eq "command" "$(jqr "$J" '.command[0:2] | join(" ")')" "bash -c"
expect_eq "trace" "$(jqr "$J" '.trace | join(",")')" "$T"
expect_eq "text zone" "$(jqr "$J" '.clock.text_zone')" UTC
expect_eq "by_kind" "$(jqr "$J" '.summary.by_kind.torn_read')" $N
expect_eq "by_file" "$(jqr "$J" '.summary.by_file[] | "\(.file) \(.count) \(.pages | map("\(.first)-\(.last)=\(.state)") | join(","))"')" \
	"$F $N 25-26=old"
expect_eq "by_process" "$(jqr "$J" '.summary.by_process | length')" $N
expect_eq "groups" "$(jqr "$J" '[.groups[] | "\(.count) \(.calls)"] | join(";")')" \
	"$N memcpy (store) → msync → read"
expect_eq "anomalies' group" "$(jqr "$J" '[.anomalies[].group] | unique | join(",")')" 0
expect_eq "ts types" "$(jqr "$J" '[.anomalies[] | .ts, .interleaving[].ts | type] | unique | join(",")')" string
ts=$(jqr "$J" '.anomalies[0].ts')
[[ $ts =~ ^[0-9]{19}$ ]] || fail "anomaly ts '$ts' is not 19 digits of nanoseconds"
"$TW" analyze --json "$SCRATCH/analyze.json" "$T" >/dev/null
expect_eq "analyze: command" "$(jqr "$SCRATCH/analyze.json" '.command')" null

# A reader that stops after one line: no word on stderr, the usual status.
set -o pipefail
"$TW" analyze --json - --report "$SCRATCH/epipe.txt" "$T" 2>"$SCRATCH/epipe.err" | head -n 1 >/dev/null
expect_eq "| head -n 1: exit status" "${PIPESTATUS[0]}" 3
expect_eq "| head -n 1: stderr" "$(cat "$SCRATCH/epipe.err")" ""
