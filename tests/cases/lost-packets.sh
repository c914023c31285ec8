#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Packets cut out of a real trace, as a tracer that lost them leaves it.
# Two torn reads, one process per CPU with a switch timer so each stream
# has several packets: A stays on CPU 0; B fills, stores and msyncs on
# CPU 1 and verifies on CPU 0. Losing a stream's first, a middle or its last
# packet is counted, and makes uncertain the anomalies whose process or file
# the stream carried if the loss began before their read ended; the other
# process's anomaly stays certain.
TW_OWN_SESSION=1 . "$(dirname "$0")/../lib.sh"
[ "$(nproc)" -ge 2 ] || skip "needs two CPUs, one stream each"
CUT=$BIN/ctf-packets
S=tw-lostpk-$$
D=$SCRATCH/rec
mkdir -p "$D"
lttng create "$S" --output="$D/trace" >/dev/null || fail "lttng create"
trap 'lttng destroy "$S" >/dev/null 2>&1; cleanup' EXIT
lttng enable-channel -u -s "$S" --subbuf-size=16384 --num-subbuf=16 \
	--switch-timer=100000 tw >/dev/null || fail "enable-channel"
lttng enable-event -u -s "$S" -c tw 'tornwatch:*' "${OWN_FILTER[@]}" >/dev/null || fail "enable-event"
lttng start "$S" >/dev/null || fail "start"
# The pauses outlast the switch timer: fill, store + msync and read land in
# packets of their own.
for p in A:0:0 B:1:0; do
	IFS=: read -r name cpu verify <<<"$p"
	MMSYNC_PAUSE_MS=400 MMSYNC_VERIFY_CPU=$verify TW_FAULT_PATH=$D/$name \
		TW_FAULT_STALE_PAGES=25-26 TW_FAULT_STATE=$D/state-$name \
		taskset -c "$cpu" env LD_PRELOAD="$TOP/preload/libtornwatch.so:$FAULT" \
		"$BIN/mmsync-verify" seed000 "$D/$name" 262144 100000 9927 &
done
wait
sleep 0.5
lttng stop "$S" >/dev/null || fail "stop"
lttng destroy "$S" >/dev/null || fail "destroy"
T=$(dirname "$(find "$D/trace" -name metadata)")
[ -f "$T/tw_0" ] && [ -f "$T/tw_1" ] || fail "no per-CPU streams tw_0, tw_1 in $T"

# The byte walk assumes lttng-ust's packet layout: check it is this one.
meta=$(babeltrace2 --output-format=ctf-metadata "$T") || fail "no metadata"
grep -q 'byte_order = le;' <<<"$meta" || fail "not a little-endian trace"
tr -d '\t\n' <<<"$meta" | grep -qF 'packet.header := struct {uint32_t magic;uint8_t  uuid[16];uint32_t stream_id;uint64_t stream_instance_id;};' ||
	fail "unexpected packet header"
tr -d '\t\n' <<<"$meta" | grep -qF 'struct packet_context {uint64_clock_monotonic_t timestamp_begin;uint64_clock_monotonic_t timestamp_end;uint64_t content_size;uint64_t packet_size;uint64_t packet_seq_num;unsigned long events_discarded;uint32_t cpu_id;};' ||
	fail "unexpected packet context"

# analyze_cut NAME STREAM PACKETS...: a copy of the trace without them.
analyze_cut() {
	local name=$1 stream=$2
	shift 2
	rm -rf "$SCRATCH/$name"
	cp -r "$D/trace" "$SCRATCH/$name"
	if [ $# -gt 0 ]; then
		"$CUT" cut "$(dirname "$(find "$SCRATCH/$name" -name metadata)")/$stream" "$@" ||
			fail "$name: cannot cut packets $* of $stream"
	fi
	"$TW" analyze --json "$SCRATCH/$name.json" "$SCRATCH/$name" >"$SCRATCH/$name.txt"
	J=$SCRATCH/$name.json
}
# uncertain PID: the torn read of PID, "true" or "false" ("" when gone)
uncertain() { jqr "$J" "[.anomalies[] | select(.pid == $1) | .uncertain] | if length == 0 then \"\" else .[0] end"; }
lost() { jqr "$J" '.lost_events + .lost_packets'; }

analyze_cut clean tw_0
expect_eq "lost in the whole trace" "$(lost)" 0
pids=$(jqr "$J" '[.anomalies[] | select(.kind == "torn_read") | .pid] | sort | map(tostring) | join(" ")')
read -r pa pb <<<"$pids"
[ -n "$pb" ] || fail "want two torn reads, got pids '$pids'"
# Which is A: the process whose every event is on CPU 0.
if babeltrace2 "$T" | grep -q "cpu_id = 1 }, { pid = $pa,"; then
	t=$pa; pa=$pb; pb=$t
fi
expect_eq "A's torn read" "$(uncertain "$pa")" false
expect_eq "B's torn read" "$(uncertain "$pb")" false

# The packet of tw_0 that holds A's read, by its raw timestamp.
read_ts=$(babeltrace2 --clock-cycles "$T" | grep 'tornwatch:call_begin: { cpu_id = 0 }' |
	grep "pid = $pa," | grep 'call = ( "read"' | sed -E 's/^\[0*([0-9]+)\].*/\1/' | tail -n 1)
[ -n "$read_ts" ] || fail "A's read is not in tw_0"
"$CUT" list "$T/tw_0" >"$SCRATCH/tw_0.packets"
"$CUT" list "$T/tw_1" >"$SCRATCH/tw_1.packets"
rp=$(awk -v t="$read_ts" '$5 <= t && t <= $6 { print $1 }' "$SCRATCH/tw_0.packets")
last0=$(tail -n 1 "$SCRATCH/tw_0.packets" | cut -d' ' -f1)
last1=$(tail -n 1 "$SCRATCH/tw_1.packets" | cut -d' ' -f1)
echo "tw_0: read in packet $rp of 0..$last0; tw_1: packets 0..$last1"
[ -n "$rp" ] && [ "$rp" -ge 2 ] && [ "$rp" -lt "$last0" ] ||
	fail "A's read is not in a middle packet of tw_0 (packet '$rp')"
[ "$last1" -ge 2 ] || fail "tw_1 has too few packets"

# Before A's read, in A's stream: A's anomaly (and B's: B verified on CPU 0).
analyze_cut first tw_0 0
[ "$(lost)" -gt 0 ] || fail "first packet of tw_0 cut: nothing lost"
expect_eq "lost at start, first packet of tw_0 cut" "$(jqr "$J" .lost_at_start)" 1
expect_eq "A's torn read, first packet of tw_0 cut" "$(uncertain "$pa")" true
grep -q "1 at a stream's start" "$SCRATCH/first.txt" || fail "text report: no loss at start"

analyze_cut middle tw_0 $((rp - 1))
[ "$(lost)" -gt 0 ] || fail "middle packet of tw_0 cut: nothing lost"
expect_eq "A's torn read, packet $((rp - 1)) of tw_0 cut" "$(uncertain "$pa")" true

# After A's read: counted, but it cannot have hidden what the read saw.
analyze_cut last tw_0 "$last0"
[ "$(lost)" -gt 0 ] || fail "last packet of tw_0 cut: nothing lost"
expect_eq "lost at end, last packet of tw_0 cut" "$(jqr "$J" .lost_at_end)" 1
expect_eq "A's torn read, last packet of tw_0 cut (after the read)" "$(uncertain "$pa")" false

# B's stores' stream: its loss concerns B, never A (tw_1 carried neither
# A's events nor A's file).
analyze_cut b-first tw_1 0
[ "$(lost)" -gt 0 ] || fail "first packet of tw_1 cut: nothing lost"
expect_eq "B's torn read, first packet of tw_1 cut" "$(uncertain "$pb")" true
expect_eq "A's torn read, first packet of tw_1 cut" "$(uncertain "$pa")" false

analyze_cut b-middle tw_1 1
[ "$(lost)" -gt 0 ] || fail "middle packet of tw_1 cut: nothing lost"
expect_eq "B's torn read, packet 1 of tw_1 cut" "$(uncertain "$pb")" true
expect_eq "A's torn read, packet 1 of tw_1 cut" "$(uncertain "$pa")" false

# tw_1 went quiet when B moved to CPU 0: its last packet, closed at stop,
# gone, the stream ends before B's read and may have held B's events.
analyze_cut b-last tw_1 "$last1"
expect_eq "lost at end, last packet of tw_1 cut" "$(jqr "$J" .lost_at_end)" 1
expect_eq "B's torn read, last packet of tw_1 cut" "$(uncertain "$pb")" true
expect_eq "A's torn read, last packet of tw_1 cut" "$(uncertain "$pa")" false
