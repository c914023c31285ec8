#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A file unlinked and made again by open(O_CREAT | O_RDWR), neither O_EXCL
# nor O_TRUNC, gets the old inode number on ext4: the new file's holes read
# as zeros where the old file held data. On tmpfs and on an ext4 image on a
# loop device, the program (one reuse; and LTP aiodio_sparse's shape, O_DIRECT
# libaio writes into a sparse file made again each round, a child reading it
# all the time) passes bare and traced with no anomaly; where the inode
# number is reused, a stale window of the fault preload taken from the old
# file and served to the new one is still a stale_read of every page.
. "$(dirname "$0")/../lib.sh"
[ "$(id -u)" = 0 ] || skip "mounting file systems needs root"
reused=0
for fs in tmpfs ext4; do
	dir=$SCRATCH/mnt-$fs
	if ! mount_fs "$fs" "$dir" >"$SCRATCH/why"; then
		echo "skip: $fs: $(cat "$SCRATCH/why")"
		continue
	fi
	out=$("$BIN/inode-reuse" plain "$dir/probe")
	case $? in
	0) ;;
	77) echo "skip: $fs: $(echo "$out" | tail -n 1)"; continue ;;
	*) fail "$fs: the program itself failed bare: $out" ;;
	esac
	tw_run "$fs-plain" "$BIN/inode-reuse" plain "$dir/f"
	[ "$RC" -ne 77 ] || { echo "skip: $fs: no reuse in the traced run"; continue; }
	J=$SCRATCH/$fs-plain.json
	expect_eq "$fs plain: exit status" "$RC" 0
	expect_eq "$fs plain: anomalies" "$(jqr "$J" '.anomalies | length')" 0
	expect_eq "$fs plain: reads checked" "$(jqr "$J" '.reads_checked')" 2
	# The old file's last name went away twice: before the reuse, at the end.
	expect_eq "$fs plain: unlinks traced" \
		"$(bt_ended "$SCRATCH/$fs-plain.trace" unlink inode-reuse)" 2

	out=$("$BIN/inode-reuse" aio "$dir/probe" 4)
	case $? in
	0)
		tw_run "$fs-aio" "$BIN/inode-reuse" aio "$dir/sparse" 12
		J=$SCRATCH/$fs-aio.json
		expect_eq "$fs aio: exit status" "$RC" 0
		expect_eq "$fs aio: anomalies" "$(jqr "$J" '.anomalies | length')" 0
		[ "$(jqr "$J" '.reads_checked')" -ge 100 ] || fail "$fs aio: few reads checked"
		;;
	77) echo "$fs aio: not run: $(echo "$out" | tail -n 1)" ;;
	*) fail "$fs aio: the program itself failed bare: $out" ;;
	esac

	# The old file's pages served to the new one: a real stale read.
	TW_FAULT_PATH=$dir/s TW_FAULT_STALE_PAGES=0-15 TW_FAULT_STATE=$SCRATCH/stale-$fs \
		LD_PRELOAD=$FAULT tw_run "$fs-stale" "$BIN/inode-reuse" plain "$dir/s"
	J=$SCRATCH/$fs-stale.json
	expect_eq "$fs stale: exit status" "$RC" 3
	expect_eq "$fs stale: kinds" "$(jqr "$J" '[.anomalies[].kind] | join(",")')" stale_read
	expect_eq "$fs stale: states" \
		"$(jqr "$J" '[.anomalies[0].pages[].state] | unique | join(",")')" old
	expect_eq "$fs stale: pages" "$(jqr "$J" '.anomalies[0].pages | length')" 16
	expect_eq "$fs stale: interleaving" "$(interleaving "$J" 0)" \
		"pwrite/begin pwrite/end pread/begin pread/end unlink/begin unlink/end open/begin open/end pwrite/begin pwrite/end pwrite/begin pwrite/end pread/begin pread/end"
	reused=$((reused + 1))
done
[ "$reused" -gt 0 ] || skip "no file system here gave an unlinked file's inode number to a new file"
