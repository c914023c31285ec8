#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# tornwatch analyze on what is not a readable trace: exit 2 and one line that
# says why, never a crash.
. "$(dirname "$0")/../lib.sh"

# expect_bad NAME DIR: exit 2, exactly one line on stderr, nothing on stdout.
expect_bad() {
	local out err rc
	"$TW" analyze "$2" >"$SCRATCH/$1.out" 2>"$SCRATCH/$1.err"
	rc=$?
	expect_eq "$1: exit status" "$rc" 2
	expect_eq "$1: stderr lines" "$(wc -l <"$SCRATCH/$1.err")" 1
	expect_eq "$1: stdout bytes" "$(wc -c <"$SCRATCH/$1.out")" 0
	echo "  $1: $(cat "$SCRATCH/$1.err")"
}

expect_bad missing "$SCRATCH/no-such-dir"
mkdir "$SCRATCH/empty"
expect_bad empty "$SCRATCH/empty"

# A real trace, then damaged copies of it.
tw_run good "$BIN/mmsync-verify" seed000 "$SCRATCH/f"
expect_eq "good trace" "$RC" 0
meta=$(find "$SCRATCH/good.trace" -name metadata | head -n 1)
[ -n "$meta" ] || fail "no metadata in the good trace"
tdir=$(dirname "$meta")

cp -r "$tdir" "$SCRATCH/truncated"
for s in "$SCRATCH"/truncated/tornwatch_*; do
	truncate -s 1000 "$s"
done
expect_bad truncated "$SCRATCH/truncated"

cp -r "$tdir" "$SCRATCH/random"
head -c 65536 /dev/urandom >"$SCRATCH/random/metadata"
expect_bad random-metadata "$SCRATCH/random"

# libbabeltrace2 2.0.4 loops forever on metadata cut mid-packet...
cp -r "$tdir" "$SCRATCH/cut-metadata"
truncate -s $(( $(stat -c %s "$tdir/metadata") / 2 )) "$SCRATCH/cut-metadata/metadata"
TORNWATCH_OPEN_TIMEOUT=3 expect_bad cut-metadata "$SCRATCH/cut-metadata"

# ...and may crash on a sequence length past the packet: the crc[] of a
# 64 KiB write's pieces event (kind 0, offset, length 65536, then 128 crcs,
# a u16) made 65535: libbabeltrace2 aborts on a precondition.
cp -r "$tdir" "$SCRATCH/bad-length"
patched=0
for s in "$SCRATCH"/bad-length/tornwatch_*; do
	perl -0777 -i -pe 's/(\x00.{8}\x00\x00\x01\x00)\x80\x00/$1\xff\xff/s' "$s"
	cmp -s "$s" "$tdir/$(basename "$s")" || patched=1
done
[ "$patched" = 1 ] || fail "found no pieces event to corrupt"
expect_bad bad-length "$SCRATCH/bad-length"

# A trace of format 1 (tornwatch before call ids): refused by name.
expect_bad old-format "$TESTS/old-format/torn"
grep -q "trace format 1" "$SCRATCH/old-format.err" || fail "the old format was not named"

mkdir "$SCRATCH/noise"
head -c 4096 /dev/urandom >"$SCRATCH/noise/metadata"
head -c 65536 /dev/urandom >"$SCRATCH/noise/channel0_0"
expect_bad random-bytes "$SCRATCH/noise"

"$TW" analyze >/dev/null 2>&1
expect_eq "no argument" "$?" 2
"$TW" frobnicate >/dev/null 2>&1
expect_eq "unknown command" "$?" 2
