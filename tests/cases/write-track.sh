#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Stores by pointer, which no hook sees: the kernel's write tracking
# (userfaultfd asynchronous write-protect, PAGEMAP_SCAN) sees them. Each
# ptr-store mode runs bare and traced with the same result; a healthy file
# system gives 0 anomalies; a pointer store racing its page's msync is a
# sync_race; the report says which mappings the kernel tracked.
. "$(dirname "$0")/../lib.sh"
P=$BIN/ptr-store
D=$SCRATCH/data
mkdir -p "$D"
runs_here "$P" store "$D/probe"

# same MODE: bare and traced exit alike and print the same lines.
same() {
	local mode=$1 bare traced
	bare=$("$P" "$mode" "$D/bare-$mode"; echo "exit $?")
	tw_run "$mode" "$P" "$mode" "$D/$mode" >"$SCRATCH/$mode.out"
	traced=$(grep -v '^tornwatch\|^trace:\|^  ' "$SCRATCH/$mode.out"; echo "exit $RC")
	expect_eq "$mode: bare and traced" "$traced" "$bare"
	expect_eq "$mode: anomalies" "$(jqr "$SCRATCH/$mode.json" '.anomalies | length')" 0
}
tracking() { jqr "$SCRATCH/$1.json" "[.write_tracking.kernel, .write_tracking.hooks_only] | join(\" \")"; }

same store
expect_eq "store: tracked by the kernel" "$(tracking store)" "1 0"
expect_eq "store: all synced" "$(jqr "$SCRATCH/store.json" .unsynced_stores.bytes)" 0
# The child of a fork registers again; mremap drops the registration too.
same fork
same mremap
expect_eq "mremap: still tracked" "$(tracking mremap)" "1 0"
# A program's own userfaultfd: ours steps aside, its registration works.
same uffd
grep -q '^registered' "$SCRATCH/uffd.out" || fail "uffd: the program's registration failed"
expect_eq "uffd: hooks only after stepping aside" "$(tracking uffd)" "0 1"
expect_eq "uffd: reason" "$(jqr "$SCRATCH/uffd.json" '.write_tracking.files[0].refused')" \
	"the program uses userfaultfd"
grep -q 'by the memcpy hooks only' "$SCRATCH/uffd.out" || fail "uffd: the text report does not say so"
# The same userfaultfd taken from /dev/userfaultfd: no system call to see, an ioctl.
if [ -c /dev/userfaultfd ] && [ -r /dev/userfaultfd ]; then
	same devuffd
	grep -q '^registered' "$SCRATCH/devuffd.out" || fail "devuffd: the program's registration failed"
	expect_eq "devuffd: hooks only after stepping aside" "$(tracking devuffd)" "0 1"
else
	echo "note: no readable /dev/userfaultfd, devuffd not run"
fi
# close_range(3, ~0) takes neither our descriptors nor lttng-ust's.
same closeall
# fsync writes back the file's mapped pages: a sync point like msync.
same fsync
# munmap with no msync: the page cache still serves the store to a read;
# munmap is the last moment its page can be checked (no barrier, so the
# read is judged against it as a version, not required to see it).
same unmapped
expect_eq "unmapped: checked at munmap" \
	"$(bt_text "$SCRATCH/unmapped.trace" | grep -c 'call = "munmap", op = "msync"')" 1

# Without tracking the store is unseen: what the read found is data no one
# wrote, and the verdict says it may be that store (before: certain).
TORNWATCH_WRITE_TRACK=0 tw_run hooks "$P" store "$D/hooks" >"$SCRATCH/hooks.out" 2>&1
expect_eq "hooks only: tracking" "$(tracking hooks)" "0 1"
[ "$(jqr "$SCRATCH/hooks.json" '.anomalies | length')" -gt 0 ] ||
	fail "hooks only: the unseen store made no anomaly (this test's premise)"
expect_eq "hooks only: no certain verdict" \
	"$(jqr "$SCRATCH/hooks.json" '[.anomalies[] | select(.uncertain == false or .unseen_stores == false)] | length')" 0
grep -q 'uncertain: a mapping of the file was not write-tracked' "$SCRATCH/hooks.out" ||
	fail "hooks only: the text report does not say why it is uncertain"

# Seed 002's shape: a page stored by pointer, stored again while its msync
# runs (the fault preload holds msync until the second store is done).
export TW_FAULT_MSYNC_HOLD=1
LD_PRELOAD=$FAULT tw_run race "$P" race "$D/race"
expect_eq "race: exit" "$RC" 3
J=$SCRATCH/race.json
expect_eq "race: kinds" "$(jqr "$J" '[.anomalies[].kind] | join(",")')" sync_race
expect_eq "race: page" "$(jqr "$J" '[.anomalies[0].pages[] | "\(.index)=\(.state)"] | join(" ")')" "3=changed"
expect_eq "race: unseen by hooks" "$(jqr "$J" '.anomalies[0].untracked_store')" true
# Seed 002 itself: the second store meets fsync's write-back.
TW_FAULT_FSYNC_HOLD=1 LD_PRELOAD=$FAULT tw_run fsync-race "$P" fsync-race "$D/fsync-race"
expect_eq "fsync race: exit" "$RC" 3
J=$SCRATCH/fsync-race.json
expect_eq "fsync race: kinds" "$(jqr "$J" '[.anomalies[].kind] | join(",")')" sync_race
expect_eq "fsync race: page" "$(jqr "$J" '[.anomalies[0].pages[] | "\(.index)=\(.state)"] | join(" ")')" "3=changed"
expect_eq "fsync race: the sync" "$(jqr "$J" '.anomalies[0].interleaving[0].call')" fsync
