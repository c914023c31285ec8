#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# End to end on a real FUSE client: tests/tearfs with each fault knob, the
# seed-000 sequence, the rwtest-like mix (3 processes) and the fsx-like mix
# under tornwatch run. With a knob the kind it causes is reported, with the
# pages it got wrong, and every data comparison error a program printed is
# inside an anomaly; with no knob nothing is reported.
. "$(dirname "$0")/../lib.sh"
[ "$(id -u)" = 0 ] || skip "mounting FUSE needs root"
[ -c /dev/fuse ] || skip "no /dev/fuse"
n=0
# tearfs_mount KNOBS: a fresh tearfs in $D; verify fds are direct, as the seed's.
tearfs_mount() {
	n=$((n + 1))
	D=$SCRATCH/tearfs-$n
	mount_tearfs "$D" "direct_for_sync${1:+,$1}" >"$SCRATCH/why" ||
		skip "$(cat "$SCRATCH/why")"
}

pages() { jqr "$1" "[.anomalies[$2].pages[] | \"\(.index):\(.offset)+\(.length)=\(.state)\"] | join(\" \")"; }

# caught NAME KINDS: the mix failed its own check, tornwatch reported only
# KINDS (a regex), and an anomaly of the failing process has a page that is
# not new around the first wrong byte the program named.
caught() {
	local j=$SCRATCH/$1.json out=$SCRATCH/$1.out line pid off
	expect_eq "$1: exit status" "$RC" 3
	line=$(grep -m1 'DATA COMPARISON ERROR' "$out") || fail "$1: the program found no error"
	pid=$(echo "$line" | sed -n 's/.* pid \([0-9]*\) .*/\1/p')
	off=$(echo "$line" | sed -n 's/.* at offset \([0-9]*\):.*/\1/p')
	jqr "$j" '.anomalies[].kind' | grep -Evq "^($2)\$" &&
		fail "$1: unexpected kinds $(jqr "$j" '[.anomalies[].kind] | unique | join(",")')"
	[ "$(jqr "$j" "[.anomalies[] | select(.pid == $pid) | .pages[] |
		select(.state != \"new\" and .offset <= $off and $off < .offset + .length)] | length")" -gt 0 ] ||
		fail "$1: no anomaly of pid $pid covers offset $off ($line)"
	echo "ok: $1: $(jqr "$j" '[.anomalies[].kind] | unique | join(",")'), offset $off of pid $pid inside"
}

mixes() {
	tw_run "$1-rwtest" "$BIN/mixer" rwtest "$D/rw" 500 3 11 >"$SCRATCH/$1-rwtest.out"
	tw_run "$1-fsx" "$BIN/mixer" fsx "$D/fsx" 1000 11 >"$SCRATCH/$1-fsx.out"
}

# No knob: a faithful passthrough, nothing to report.
tearfs_mount ""
tw_run clean-seed000 "$BIN/mmsync-verify" seed000 "$D/mm-sync"
expect_eq "clean: seed000 exit" "$RC" 0
mixes clean
calls=0 alarms=0
for w in seed000 rwtest fsx; do
	[ "$w" = seed000 ] || expect_eq "clean: $w exit" "$RC" 0
	alarms=$((alarms + $(jqr "$SCRATCH/clean-$w.json" '.anomalies | length')))
	calls=$((calls + $(jqr "$SCRATCH/clean-$w.json" '.calls')))
done
tw_run clean-uring "$BIN/uring-short-read" "$D/uring"
expect_eq "clean: uring exit" "$RC" 0
echo "false alarms on tearfs: $alarms in $calls traced calls"
expect_eq "clean: anomalies" "$alarms" 0

# partial_flush: msync's writeback applies its first page only: seed 000.
tearfs_mount partial_flush
tw_run pf-seed000 "$BIN/mmsync-verify" seed000 "$D/mm-sync"
expect_eq "partial_flush: seed000 exit" "$RC" 3
expect_eq "partial_flush: kinds" "$(jqr "$SCRATCH/pf-seed000.json" '[.anomalies[].kind] | join(",")')" torn_read
expect_eq "partial_flush: pages" "$(pages "$SCRATCH/pf-seed000.json" 0)" \
	"1084:4442856+1304=new 1085:4444160+4096=old 1086:4448256+4096=old 1087:4452352+431=old"
mixes pf
# Pages whose first write never reached the backing file read as zeros
# that were never visible (the file was made by O_TRUNC and one pwrite of
# its pattern): zero-fill of a lost write is unknown_data, not old.
caught pf-rwtest 'torn_read|stale_read|incoherent_view|unknown_data'
caught pf-fsx 'torn_read|stale_read|incoherent_view|unknown_data'

# lazy_write: acknowledged, applied 5 s later: the verify read is all old.
tearfs_mount lazy_write=5000
tw_run lw-seed000 "$BIN/mmsync-verify" seed000 "$D/mm-sync"
expect_eq "lazy_write: seed000 exit" "$RC" 3
expect_eq "lazy_write: kinds" "$(jqr "$SCRATCH/lw-seed000.json" '[.anomalies[].kind] | join(",")')" stale_read
expect_eq "lazy_write: pages" "$(pages "$SCRATCH/lw-seed000.json" 0)" \
	"1084:4442856+1304=old 1085:4444160+4096=old 1086:4448256+4096=old 1087:4452352+431=old"
mixes lw
caught lw-rwtest 'torn_read|stale_read|incoherent_view|unknown_data'
caught lw-fsx 'torn_read|stale_read|incoherent_view|unknown_data'

# window_reads: reads served from a 128 KiB window cached before the store.
# Each open drops tearfs's clean pages from the page cache, so a mapping
# can be refilled with stale data while another process's msync runs: a
# page changing under an msync with no store to explain it is a sync_race.
tearfs_mount window_reads
tw_run wr-seed000 "$BIN/mmsync-verify" seed000 "$D/mm-sync"
expect_eq "window_reads: seed000 exit" "$RC" 3
expect_eq "window_reads: kinds" "$(jqr "$SCRATCH/wr-seed000.json" '[.anomalies[].kind] | join(",")')" stale_read
mixes wr
caught wr-rwtest 'torn_read|stale_read|incoherent_view|sync_race'
caught wr-fsx 'torn_read|stale_read|incoherent_view'

# short_direct_reads: seed 004's O_DIRECT read through io_uring comes back short.
tearfs_mount short_direct_reads
tw_run sd "$BIN/uring-short-read" "$D/extents"
expect_eq "short_direct_reads: exit" "$RC" 3
expect_eq "short_direct_reads: kinds" "$(jqr "$SCRATCH/sd.json" '[.anomalies[].kind] | join(",")')" short_read
expect_eq "short_direct_reads: pages" "$(pages "$SCRATCH/sd.json" 0)" "1:4096+4096=not_read"
