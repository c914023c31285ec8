#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Seed 000's torn read with its call stacks: the store and the read are
# told with the function, source file and line of the program's own memcpy
# and read calls (lines found in the source here, not written down), in the
# text report and in the JSON, symbolized from the trace's statedump.
. "$(dirname "$0")/../lib.sh"
SRC=$TESTS/progs/mmsync-verify.c
L_STORE=$(grep -n 'memcpy(map + offset, data, (size_t)length);' "$SRC" | cut -d: -f1)
L_READ=$(grep -n 'n = read(fd, got, (size_t)length);' "$SRC" | cut -d: -f1)
[ -n "$L_STORE" ] && [ -n "$L_READ" ] || fail "the store and the read are not in $SRC"
F=$SCRATCH/mm-sync
export TW_FAULT_PATH=$F TW_FAULT_STALE_PAGES=1085-1087 TW_FAULT_STATE=$SCRATCH/stale
LD_PRELOAD=$FAULT "$TW" run -o "$SCRATCH/t.trace" --json "$SCRATCH/t.json" --report "$SCRATCH/t.txt" -- \
	"$BIN/mmsync-verify" seed000 "$F" >"$SCRATCH/t.out"
expect_eq "exit status" "$?" 3
J=$SCRATCH/t.json
expect_eq "kind" "$(jqr "$J" '.anomalies[0].kind')" torn_read

# store_row, read_row: the begin row of the store and of the read.
row() { jqr "$J" ".anomalies[0].interleaving[] | select(.call == \"$1\" and .phase == \"begin\") | $2"; }
base() { sed 's|.*/||'; }

# The copy into the mapping: in run(), which the compiler may inline into
# main; main's frame is there either way.
expect_eq "store: innermost function" "$(row memcpy '.stack[0] | (.inlined // .function)')" run
expect_eq "store: file" "$(row memcpy '.stack[0].file' | base)" mmsync-verify.c
expect_eq "store: line" "$(row memcpy '.stack[0].line')" "$L_STORE"
expect_eq "store: binary" "$(row memcpy '.stack[0].binary')" "$BIN/mmsync-verify"
expect_eq "store: main on the stack" \
	"$(row memcpy '[.stack[] | select(.function == "main" and (.file | endswith("/mmsync-verify.c")))] | length > 0')" true
expect_eq "read: function" "$(row read '.stack[0].function')" verify
expect_eq "read: file" "$(row read '.stack[0].file' | base)" mmsync-verify.c
expect_eq "read: line" "$(row read '.stack[0].line')" "$L_READ"
expect_eq "read: main on the stack" \
	"$(row read '[.stack[] | select(.function == "main" and (.file | endswith("/mmsync-verify.c")))] | length > 0')" true
expect_eq "anomaly's own stack" "$(jqr "$J" '.anomalies[0].stack[0] | "\(.function):\(.line)"')" "verify:$L_READ"
expect_eq "ends have no stack" \
	"$(jqr "$J" '[.anomalies[0].interleaving[] | select(.phase == "end" and has("stack"))] | length')" 0

# The text: each frame indented under its row.
T=$SCRATCH/t.txt
grep -A1 ' store  memcpy   begin' "$T" | tail -n 1 | grep -q "^      at main (mmsync-verify.c:$L_STORE) in mmsync-verify\( \[inlined run\]\)\?$" ||
	{ cat "$T"; fail "no frame at mmsync-verify.c:$L_STORE under the store"; }
echo "ok: text frame under the store"
grep -A1 ' read   read     begin.*<==' "$T" | tail -n 1 | grep -q "^      at verify (mmsync-verify.c:$L_READ) in mmsync-verify$" ||
	{ cat "$T"; fail "no frame at mmsync-verify.c:$L_READ under the read"; }
echo "ok: text frame under the read"
