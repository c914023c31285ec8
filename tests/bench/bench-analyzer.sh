#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The analysis's cost, side by side in one run, through the CLI only
# (tornwatch run / analyze, babeltrace2), so it measures whatever analyzer
# cli/tornwatch runs:
# 1. One workload, mixer rwtest (3 processes: mmap stores + msync, loads,
#    pwrite, pread), at two sizes: ~1 M and ~4 M events. For each, the
#    trace's events and bytes, then CPU (user+sys, the whole process tree)
#    and peak RSS (the largest process, GNU time) of babeltrace2 -o dummy
#    and of tornwatch analyze.
# 2. The ~1 M workload again on a faulty file system: the test-only fault
#    preload serves pages STALE of the file as they were when first mapped,
#    the mixer goes on past its own DATA COMPARISON ERRORs (MIXER_KEEP_GOING):
#    ~25,000 anomalies, against the clean ~1 M trace of the same operations.
# Traces are recorded once and kept under $BENCH_TRACES, one directory per
# workload and size; --regen (or BENCH_REGEN=1) records them anew. Exit 0
# whatever the numbers: a benchmark, not a test.
set -u
TESTS=$(cd "$(dirname "$0")/.." && pwd)
TOP=$(dirname "$TESTS")
BIN=$TESTS/bin
TW=$TOP/cli/tornwatch
FAULT=$BIN/fault-preload.so
GTIME=/usr/bin/time
CACHE=${BENCH_TRACES:-/tmp/tornwatch-bench-traces}
OPS=${BENCH_ANALYZER_OPS:-52000}	# per process, 3 processes: ~1 M events
NPROC=3
SEED=11
STALE=${BENCH_STALE_PAGES:-60-115}	# of the mixer's 1 MiB file (256 pages)
RUNS=${BENCH_RUNS:-3}			# each measurement: the least CPU of RUNS (the noise here is ±20 %)
TRIES=${BENCH_RECORD_TRIES:-3}		# recordings until no foreign events
REGEN=${BENCH_REGEN:-0}
case ${1:-} in
--regen) REGEN=1 ;;
"") ;;
*) echo "usage: $0 [--regen]   (env: BENCH_TRACES BENCH_REGEN BENCH_ANALYZER_OPS BENCH_STALE_PAGES BENCH_RUNS BENCH_RECORD_TRIES)" >&2
   exit 2 ;;
esac
if [ ! -x "$GTIME" ]; then
	echo "bench-analyzer: $GTIME (GNU time) is missing: run scripts/install-deps (package time)"
	exit 0
fi
FORMAT=$(sed -n 's/^#define TW_FORMAT_VERSION \([0-9]*\).*/\1/p' "$TOP/common/tornwatch-events.h")
work=$(mktemp -d "${TMPDIR:-/tmp}/tornwatch-bench-analyzer.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 143' TERM
trap 'exit 130' INT
mkdir -p "$CACHE"

# record KEY [ENV...]: the trace of mixer rwtest under tornwatch run, with
# ENV set (the fault's), in $CACHE/KEY unless it is there already; sets
# TRACE. $CACHE/KEY/meta holds what tornwatch run said of the command's own
# processes (events, and those of other processes traced meanwhile).
record() {
	local key=$1 dir=$CACHE/$1 ops=$2 tmp
	shift 2
	TRACE=$dir/trace
	if [ "$REGEN" != 1 ] && [ -s "$dir/meta" ] && [ -d "$TRACE" ]; then
		if grep -qx 'foreign_events=0' "$dir/meta"; then
			echo "  $key: reusing the cached trace $dir (recorded $(sed -n 's/^recorded=//p' "$dir/meta"))"
			return 0
		fi
		echo "  $key: the cached trace holds events of other processes: recording it again"
	fi
	rm -rf "$dir"
	tmp=$dir.partial
	rm -rf "$tmp"
	mkdir -p "$tmp"
	local t0=$SECONDS try rc
	# Without root (no namespace of the run's own) other traced programs
	# get into the trace too: a few tries for a trace of our workload alone.
	for ((try = 1; try <= TRIES; try++)); do
		echo "  $key: recording mixer rwtest, $NPROC processes x $ops operations..."
		rm -rf "$tmp/trace"
		env "$@" "$TW" run -o "$tmp/trace" --max-anomalies 0 --json "$work/run.json" -- \
			"$BIN/mixer" rwtest "$work/mixer-file" "$ops" "$NPROC" "$SEED" \
			>"$work/run.out" 2>&1
		rc=$?
		rm -f "$work/mixer-file" "$work/stale"
		if [ "$rc" = 2 ] || [ ! -d "$tmp/trace" ]; then
			echo "  $key: tornwatch run failed (exit $rc):"
			tail -n 5 "$work/run.out" | sed 's/^/    /'
			rm -rf "$tmp" "$work/run.json"
			return 1
		fi
		[ "$(json_num "$work/run.json" foreign_events)" = 0 ] && break
		[ "$try" -lt "$TRIES" ] &&
			echo "  $key: $(json_num "$work/run.json" foreign_events) events of other processes got in, again"
	done
	{
		echo "recorded=$(date -u '+%Y-%m-%d %H:%M UTC') in $((SECONDS - t0)) s"
		echo "command_events=$(json_num "$work/run.json" events)"
		echo "command_anomalies=$(json_num "$work/run.json" anomalies)"
		echo "foreign_events=$(json_num "$work/run.json" foreign_events)"
		echo "program_errors=$(grep -c 'DATA COMPARISON ERROR' "$work/run.out")"
	} >"$tmp/meta"
	rm -f "$work/run.json" "$work/run.out"
	mv "$tmp" "$dir"
	echo "  $key: recorded in $((SECONDS - t0)) s, kept in $dir"
}

# json_num FILE NAME: the first "NAME":number of a JSON report. The report
# of 25,000 anomalies is hundreds of MB; its counts come first (the header
# fields, then summary.anomalies), so only its beginning is read.
json_num() {
	head -c 4000000 "$1" 2>/dev/null | grep -o -m1 "\"$2\":[0-9]*" | head -n 1 | cut -d: -f2
}

# measure NAME CMD...: CPU seconds (user+sys of the process tree) and peak
# RSS in KiB (its largest process) of CMD, stdout discarded; the run with
# the least CPU of $RUNS. Sets CPU and RSS (empty when it failed).
measure() {
	local name=$1 i c r
	shift
	CPU= RSS=
	for ((i = 0; i < RUNS; i++)); do
		"$GTIME" -f '%U %S %M' -o "$work/time" "$@" >/dev/null 2>"$work/err"
		if [ $? = 2 ] || [ ! -s "$work/time" ]; then
			echo "  $name failed: $(cat "$work/err" "$work/time" | grep -v "^Command exited" | tail -n 2)"
			return 1
		fi
		read -r u s r < <(tail -n 1 "$work/time")
		c=$(echo "$u + $s" | bc -l)
		if [ -z "$CPU" ] || [ "$(echo "$c < $CPU" | bc -l)" = 1 ]; then
			CPU=$c
		fi
		if [ -z "$RSS" ] || [ "$r" -gt "$RSS" ]; then
			RSS=$r
		fi
	done
}

# bench NAME TRACE: fills EV_, BYTES_, BT_CPU_, BT_RSS_, TW_CPU_, TW_RSS_,
# ANOM_ for NAME (events and anomalies from analyze --json, untimed).
bench() {
	local name=$1 trace=$2 ev
	printf -v "BYTES_$name" '%s' "$(find "$trace" -path '*/ust/*' -type f -printf '%s\n' | awk '{ s += $1 } END { print s + 0 }')"
	"$TW" analyze --max-anomalies 0 --json - "$trace" 2>"$work/err" |
		sed -n '/^{/,$p' | head -c 4000000 >"$work/json"
	ev=$(json_num "$work/json" events)
	# An analyzer whose JSON lacks the count: babeltrace2's, one line an event.
	[ -n "$ev" ] || ev=$(babeltrace2 "$trace" 2>/dev/null | wc -l)
	printf -v "EV_$name" '%s' "$ev"
	printf -v "ANOM_$name" '%s' "$(sed -n 's/.*"summary":{"anomalies":\([0-9]*\).*/\1/p' "$work/json")"
	rm -f "$work/json"
	measure "babeltrace2 ($name)" babeltrace2 -o dummy "$trace" || return 1
	printf -v "BT_CPU_$name" '%s' "$CPU"
	printf -v "BT_RSS_$name" '%s' "$RSS"
	measure "tornwatch analyze ($name)" "$TW" analyze "$trace" || return 1
	printf -v "TW_CPU_$name" '%s' "$CPU"
	printf -v "TW_RSS_$name" '%s' "$RSS"
}

r2() { echo "scale=6; $1 / $2" | bc -l; }
# verdict VALUE TARGET: PASS when VALUE <= TARGET
verdict() { [ "$(echo "$1 <= $2" | bc -l)" = 1 ] && echo PASS || echo FAIL; }
mib() { echo "scale=3; $1 / 1024" | bc -l; }

OPS4=$((OPS * 4))
echo "traces (cache: $CACHE)"
record "f$FORMAT-mixer-rwtest-${NPROC}x$OPS-seed$SEED" "$OPS" || exit 0
T1=$TRACE
record "f$FORMAT-mixer-rwtest-${NPROC}x$OPS4-seed$SEED" "$OPS4" || exit 0
T4=$TRACE
record "f$FORMAT-mixer-rwtest-${NPROC}x$OPS-seed$SEED-stale$STALE" "$OPS" \
	LD_PRELOAD="$FAULT" TW_FAULT_PATH="$work/mixer-file" \
	TW_FAULT_STALE_PAGES="$STALE" TW_FAULT_STATE="$work/stale" \
	MIXER_KEEP_GOING=1 || exit 0
TM=$TRACE
MMETA=$(dirname "$TM")/meta

echo "measuring (each figure the least CPU of $RUNS run(s))..."
bench one "$T1" && bench four "$T4" && bench many "$TM" || exit 0

echo
printf '%-28s %10s %10s %6s | %-19s | %-19s | %10s %7s\n' "" "" "" "" "babeltrace2 -o dummy" \
	"tornwatch analyze" "tornwatch" "CPU"
printf '%-28s %10s %10s %6s | %8s %10s | %8s %10s | %10s %7s\n' trace events bytes B/ev \
	"CPU s" "RSS MiB" "CPU s" "RSS MiB" "events/s" "tw/bt2"
row() {
	local label=$1 n=$2 ev by btc btr twc twr
	ev=EV_$n by=BYTES_$n btc=BT_CPU_$n btr=BT_RSS_$n twc=TW_CPU_$n twr=TW_RSS_$n
	printf '%-28s %10d %10d %6.1f | %8.2f %10.1f | %8.2f %10.1f | %10.0f %7.2f\n' "$label" \
		"${!ev}" "${!by}" "$(r2 "${!by}" "${!ev}")" "${!btc}" "$(mib "${!btr}")" \
		"${!twc}" "$(mib "${!twr}")" "$(r2 "${!ev}" "${!twc}")" "$(r2 "${!twc}" "${!btc}")"
}
row "~1M, clean ($ANOM_one anomalies)" one
row "~4M, clean ($ANOM_four anomalies)" four
row "~1M, many ($ANOM_many anomalies)" many
echo
echo "workload: tests/bin/mixer rwtest FILE OPS $NPROC $SEED, OPS $OPS (~1M) and $OPS4 (~4M);"
echo "  many: the ~1M one with the fault preload serving pages $STALE stale and MIXER_KEEP_GOING=1"
echo "  ($(sed -n 's/^program_errors=//p' "$MMETA") DATA COMPARISON ERRORs printed by the program); clean: the ~1M trace"
for k in "$T1" "$T4" "$TM"; do
	f=$(sed -n 's/^foreign_events=//p' "$(dirname "$k")/meta")
	[ "${f:-0}" = 0 ] || echo "  note: $(basename "$(dirname "$k")") holds $f events of other processes traced meanwhile, which analyze and babeltrace2 read too; the workload's own anomalies: $(sed -n 's/^command_anomalies=//p' "$(dirname "$k")/meta")"
done

cpu1=$(r2 "$TW_CPU_one" "$BT_CPU_one")
cpu4=$(r2 "$TW_CPU_four" "$BT_CPU_four")
worst=$cpu1
[ "$(echo "$cpu4 > $cpu1" | bc -l)" = 1 ] && worst=$cpu4
rss=$(r2 "$TW_RSS_four" "$TW_RSS_one")
many=$(r2 "$TW_CPU_many" "$TW_CPU_one")
echo
printf 'CPU tornwatch/babeltrace2:   %5.2f (~1M), %5.2f (~4M)   target <= 1.5  %s\n' \
	"$cpu1" "$cpu4" "$(verdict "$worst" 1.5)"
printf 'peak RSS 4M/1M (tornwatch):  %5.2f (%.1f / %.1f MiB)   target <= 1.5  %s\n' \
	"$rss" "$(mib "$TW_RSS_four")" "$(mib "$TW_RSS_one")" "$(verdict "$rss" 1.5)"
printf 'CPU many-anomalies/clean:    %5.2f (%s anomalies)    target <= 3    %s\n' \
	"$many" "$ANOM_many" "$(verdict "$many" 3)"
exit 0
