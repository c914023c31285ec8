#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Frames without debug information: a copy of mmsync-verify stripped of
# its DWARF still names its functions from the ELF symbol table, with no
# file or line; once the binary is gone, its frames say "??" and the
# analysis still ends with its verdict.
. "$(dirname "$0")/../lib.sh"
command -v strip >/dev/null || skip "strip (binutils) is not installed"
P=$SCRATCH/nodebug-verify
cp "$BIN/mmsync-verify" "$P" && strip --strip-debug "$P" || fail "cannot strip a copy"
F=$SCRATCH/mm-sync
export TW_FAULT_PATH=$F TW_FAULT_STALE_PAGES=1085-1087 TW_FAULT_STATE=$SCRATCH/stale
LD_PRELOAD=$FAULT tw_run nd "$P" seed000 "$F"
expect_eq "exit status" "$RC" 3
J=$SCRATCH/nd.json
# Other traced programs may share the session: this file's anomaly only.
row() { jqr "$1" ".anomalies[] | select(.file == \"$F\") | .interleaving[] | select(.call == \"read\" and .phase == \"begin\") | .stack[0] | $2"; }
expect_eq "symbol table: function" "$(row "$J" .function)" verify
expect_eq "symbol table: file" "$(row "$J" .file)" null
expect_eq "symbol table: line" "$(row "$J" .line)" null
expect_eq "symbol table: binary" "$(row "$J" .binary)" "$P"

rm -f "$P"
"$TW" analyze --json "$SCRATCH/gone.json" "$SCRATCH/nd.trace" >"$SCRATCH/gone.txt"
rc=$?
# 3: anomalies found (this one, maybe others').
expect_eq "binary gone: analyze exit status" "$rc" 3
expect_eq "binary gone: function" "$(row "$SCRATCH/gone.json" .function)" "??"
expect_eq "binary gone: binary" "$(row "$SCRATCH/gone.json" .binary)" "$P"
expect_eq "binary gone: anomaly" "$(jqr "$SCRATCH/gone.json" ".anomalies[] | select(.file == \"$F\") | .kind")" torn_read
