#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Forked children without exec: by default a child keeps its parent's
# lttng-ust channels instead of registering anew (preload/emit.c), and has
# no statedump of its own. Each case passes with TORNWATCH_FORK_REGISTER=1
# too (the child registers as liblttng-ust-fork has it do).
# 1. A forked child's torn read: found, and its stack symbolized in the
#    image it inherited (before, "??": no statedump had its pid).
# 2. Forks while two threads trace without pause, each child with a thread
#    and a grandchild of its own that end with exit(): no hang, every
#    process's events there, nothing lost.
# 3. A 1 ms SIGALRM handler that forks: ends, every child's write there.
. "$(dirname "$0")/../lib.sh"
SRC=$TESTS/progs/mmsync-verify.c
L_READ=$(grep -n 'n = read(fd, got, (size_t)length);' "$SRC" | cut -d: -f1)
[ -n "$L_READ" ] || fail "the verify read is not in $SRC"
for reg in 0 1; do
	export TORNWATCH_FORK_REGISTER=$reg
	F=$SCRATCH/mm-$reg
	TW_FAULT_PATH=$F TW_FAULT_STALE_PAGES=1085-1087 TW_FAULT_STATE=$SCRATCH/stale-$reg \
		LD_PRELOAD=$FAULT tw_run torn-$reg "$BIN/mmsync-verify" forked "$F"
	J=$SCRATCH/torn-$reg.json
	expect_eq "register=$reg: exit status" "$RC" 3
	expect_eq "register=$reg: kinds" "$(jqr "$J" '[.anomalies[].kind] | join(",")')" torn_read
	expect_eq "register=$reg: reader is the child" \
		"$(jqr "$J" '.anomalies[0].pid != .anomalies[0].interleaving[0].pid')" true
	expect_eq "register=$reg: child's read stack" \
		"$(jqr "$J" '.anomalies[0].stack[0] | "\(.function):\(.line):\(.binary)"')" \
		"verify:$L_READ:$BIN/mmsync-verify"

	timeout 120 "$TW" run -o "$SCRATCH/storm-$reg.trace" --json "$SCRATCH/storm-$reg.json" -- \
		"$BIN/fork-storm" threads 40 "$SCRATCH/storm-$reg.dat"
	expect_eq "register=$reg: threads exit status" "$?" 0
	J=$SCRATCH/storm-$reg.json
	expect_eq "register=$reg: threads processes" "$(jqr "$J" '.processes')" 81
	expect_eq "register=$reg: threads anomalies" "$(jqr "$J" '.anomalies | length')" 0
	expect_eq "register=$reg: threads lost" "$(jqr "$J" '.lost_events + .lost_packets')" 0

	timeout 120 "$TW" run -o "$SCRATCH/alarm-$reg.trace" --json "$SCRATCH/alarm-$reg.json" -- \
		"$BIN/fork-storm" alarm 100 "$SCRATCH/alarm-$reg.dat"
	expect_eq "register=$reg: alarm exit status" "$?" 0
	J=$SCRATCH/alarm-$reg.json
	expect_eq "register=$reg: alarm processes" "$(jqr "$J" '.processes')" 101
	expect_eq "register=$reg: alarm children's writes" \
		"$(bt_ended "$SCRATCH/alarm-$reg.trace" pwrite /fork-storm)" 100
done
