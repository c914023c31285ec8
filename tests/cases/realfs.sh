#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Healthy file systems raise no alarm: on tmpfs and on ext4, xfs and btrfs
# images mounted through loop devices, the rwtest-like mix (3 processes,
# mmap stores and loads with msync, writes, reads, 1,000 operations each),
# the fsx-like mix (2,000 operations with truncation), seed 000's sequence
# and the healthy async programs run under tornwatch: zero anomalies. The
# false-alarm figure of each file system is printed.
. "$(dirname "$0")/../lib.sh"
[ "$(id -u)" = 0 ] || skip "mounting file systems needs root"
seed=${TW_REALFS_SEED:-$((RANDOM + 1))}
echo "seed $seed (TW_REALFS_SEED repeats a run)"
tested=0
for fs in tmpfs ext4 xfs btrfs; do
	dir=$SCRATCH/mnt-$fs
	if ! mount_fs "$fs" "$dir" >"$SCRATCH/why"; then
		echo "skip: $fs: $(cat "$SCRATCH/why")"
		continue
	fi
	calls=0 reads=0 alarms=0
	run_on() {
		local name=$fs-$1
		shift
		tw_run "$name" "$@"
		expect_eq "$name: exit status" "$RC" 0
		alarms=$((alarms + $(jqr "$SCRATCH/$name.json" '.anomalies | length')))
		calls=$((calls + $(jqr "$SCRATCH/$name.json" '.calls')))
		reads=$((reads + $(jqr "$SCRATCH/$name.json" '.reads_checked')))
	}
	run_on rwtest "$BIN/mixer" rwtest "$dir/rw" 1000 3 "$seed"
	run_on fsx "$BIN/mixer" fsx "$dir/fsx" 2000 "$seed"
	run_on seed000 "$BIN/mmsync-verify" seed000 "$dir/mm-sync"
	if "$BIN/aio-phantom" healthy "$dir/probe" >/dev/null; then
		run_on aio "$BIN/aio-phantom" healthy "$dir/aio"
	else
		echo "$fs: no O_DIRECT libaio here, not run"
	fi
	if "$BIN/uring-short-read" "$dir/probe2" >/dev/null; then
		run_on uring-read "$BIN/uring-short-read" "$dir/uring"
		run_on uring-write "$BIN/uring-scribble" healthy "$dir/uring2"
	else
		echo "$fs: no io_uring O_DIRECT here, not run"
	fi
	echo "false alarms on $fs: $alarms in $calls traced calls ($reads reads checked)"
	[ "$alarms" -eq 0 ] || fail "$fs: $alarms false alarms"
	tested=$((tested + 1))
done
[ "$tested" -gt 0 ] || skip "no file system could be mounted"
