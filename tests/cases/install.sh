#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# make install PREFIX=DIR: the installed CLI finds its installed library,
# also when the installed tree is moved elsewhere.
. "$(dirname "$0")/../lib.sh"
make -s -C "$TOP" install PREFIX="$SCRATCH/prefix" >/dev/null || fail "make install"
[ -x "$SCRATCH/prefix/bin/tornwatch" ] || fail "no bin/tornwatch"
[ -f "$SCRATCH/prefix/lib/libtornwatch.so" ] || fail "no lib/libtornwatch.so"
mv "$SCRATCH/prefix" "$SCRATCH/moved"
TW=$SCRATCH/moved/bin/tornwatch
export TW_FAULT_PATH=$SCRATCH/f TW_FAULT_STALE_PAGES=1085-1087 TW_FAULT_STATE=$SCRATCH/stale
LD_PRELOAD=$FAULT tw_run installed "$BIN/mmsync-verify" seed000 "$SCRATCH/f"
expect_eq "exit status" "$RC" 3
expect_eq "kinds" "$(jqr "$SCRATCH/installed.json" '[.anomalies[].kind] | join(",")')" torn_read
