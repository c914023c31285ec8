#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Side by side in one run: bare, under tornwatch, under strace -f.
# 1. rwtest04's shape (mm-bench): whole-file mmap/memcpy/msync per operation.
# 2. The memcpy fast path: 64-byte copies outside any mapping.
set -u
TESTS=$(cd "$(dirname "$0")/.." && pwd)
TOP=$(dirname "$TESTS")
BIN=$TESTS/bin
TW=$TOP/cli/tornwatch
OPS=${BENCH_OPS:-2000}
work=$(mktemp -d "${TMPDIR:-/tmp}/tornwatch-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

secs() { sed -n 's/.*seconds=\([0-9.]*\).*/\1/p'; }
wall() { local t0 t1; t0=$(date +%s.%N); "$@" >"$work/out" 2>&1; t1=$(date +%s.%N); echo "$t1 - $t0" | bc -l; }

echo "mm-bench: $OPS operations on a 12,800,000-byte file (rwtest04's shape)"
bare=$("$BIN/mm-bench" "$work/f" "$OPS" | secs)
traced=$("$TW" run -o "$work/trace" -- "$BIN/mm-bench" "$work/f" "$OPS" | secs)
whole=$(wall "$TW" run -o "$work/trace2" -- "$BIN/mm-bench" "$work/f" "$OPS")
events=$("$TW" analyze "$work/trace2" | sed -n 's/^tornwatch: \([0-9]*\) events.*/\1/p')
size=$(du -sk "$work/trace2" | cut -f1)
if command -v strace >/dev/null; then
	straced=$(strace -f -o /dev/null "$BIN/mm-bench" "$work/f" "$OPS" | secs)
else
	straced=
fi
printf '  bare       %8.3f s\n' "$bare"
printf '  tornwatch  %8.3f s  (x%.2f)   whole run with session and analysis %.3f s\n' \
	"$traced" "$(echo "$traced / $bare" | bc -l)" "$whole"
[ -n "$straced" ] && printf '  strace -f  %8.3f s  (x%.2f)\n' "$straced" "$(echo "$straced / $bare" | bc -l)"
printf '  trace: %s events, %s KiB, %.1f events per operation\n' "$events" "$size" \
	"$(echo "$events / $OPS" | bc -l)"

echo "memcpy of 64 bytes outside any mapping, one file mapping tracked"
m_bare=$("$BIN/mm-bench" --memcpy 20000000 | sed -n 's/memcpy_ns=//p')
m_tw=$(LD_PRELOAD=$TOP/preload/libtornwatch.so "$BIN/mm-bench" --memcpy 20000000 | sed -n 's/memcpy_ns=//p')
printf '  bare       %6.2f ns/call\n  tornwatch  %6.2f ns/call  (+%.2f ns)\n' "$m_bare" "$m_tw" \
	"$(echo "$m_tw - $m_bare" | bc -l)"
