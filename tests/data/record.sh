#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Records the golden traces again (after a change of the trace format) and
# writes their reports as NAME.expect; read the diff of those by eye before
# committing. Files live in /tmp/golden so that the reports name short paths.
set -eu
DATA=$(cd "$(dirname "$0")" && pwd)
TOP=$(dirname "$(dirname "$DATA")")
TW=$TOP/cli/tornwatch
BIN=$TOP/tests/bin
G=/tmp/golden
rm -rf "$G"
mkdir -p "$G"

record() {
	local name=$1
	shift
	rm -rf "${DATA:?}/$name" "$G/$name.trace"
	"$@" || true
	cp -r "$(dirname "$(find "$G/$name.trace" -name metadata)")" "$DATA/$name.tmp"
	mkdir -p "$DATA/$name/ust/uid/0"
	mv "$DATA/$name.tmp" "$DATA/$name/ust/uid/0/64-bit"
	"$TW" analyze "$DATA/$name" >"$DATA/$name.expect" || true
}

# Seed 000: pages 25-26 of the verify read come from before the msync.
record torn env TW_FAULT_PATH=$G/mm-sync TW_FAULT_STALE_PAGES=25-26 \
	TW_FAULT_STATE=$G/stale-torn LD_PRELOAD=$BIN/fault-preload.so \
	"$TW" run -o "$G/torn.trace" -- "$BIN/mmsync-verify" seed000 "$G/mm-sync" 262144 100000 9927
# A store of another thread while msync(MS_SYNC) runs.
record race env TW_FAULT_MSYNC_HOLD=1 LD_PRELOAD=$BIN/fault-preload.so \
	"$TW" run -o "$G/race.trace" -- "$BIN/mmsync-verify" race "$G/mm-race" 262144 100000 9927
# The verify read in another process, every page stale.
record split env TW_FAULT_PATH=$G/mm-split TW_FAULT_STALE_PAGES=24-26 \
	TW_FAULT_STATE=$G/stale-split LD_PRELOAD=$BIN/fault-preload.so \
	"$TW" run -o "$G/split.trace" -- "$BIN/mmsync-verify" split "$G/mm-split" 262144 100000 9927
# Seed 001: io_getevents interrupted, the buffer reused while the write flies.
mkdir -p "$G/phantom"
record phantom env TW_FAULT_AIO_HOLD=1 LD_PRELOAD=$BIN/async-fault.so \
	"$TW" run -o "$G/phantom.trace" -- "$BIN/aio-phantom" eintr "$G/phantom/aio-file"
