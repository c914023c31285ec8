#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Side by side in one run: bare, under tornwatch, under strace -f.
# 1. rwtest04's shape (mm-bench): whole-file mmap/memcpy/msync per operation.
# 2. The memcpy fast path: 64-byte copies outside any mapping.
# 3. What a child costs: fork + _exit, fork + exec of cat, fork + one pwrite.
# 4. fio random writes through io_uring and libaio.
set -u
TESTS=$(cd "$(dirname "$0")/.." && pwd)
TOP=$(dirname "$TESTS")
BIN=$TESTS/bin
TW=$TOP/cli/tornwatch
OPS=${BENCH_OPS:-2000}
work=$(mktemp -d "${TMPDIR:-/tmp}/tornwatch-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT

secs() { sed -n 's/.*seconds=\([0-9.]*\).*/\1/p'; }
wall() { local t0 t1; t0=$(date +%s.%N); "$@" >"$work/out" 2>&1; t1=$(date +%s.%N); echo "$t1 - $t0" | bc -l; }

echo "mm-bench: $OPS operations on a 12,800,000-byte file (rwtest04's shape)"
bare=$("$BIN/mm-bench" "$work/f" "$OPS" | secs)
traced=$("$TW" run -o "$work/trace" -- "$BIN/mm-bench" "$work/f" "$OPS" | secs)
rm -rf "$work/trace"
# What kernel write tracking costs at msync: against the hooks alone and
# against checksumming every page (--full-check).
hooks=$(TORNWATCH_WRITE_TRACK=0 "$TW" run -o "$work/trace" -- "$BIN/mm-bench" "$work/f" "$OPS" | secs)
rm -rf "$work/trace"
full=$("$TW" run -o "$work/trace" --full-check -- "$BIN/mm-bench" "$work/f" "$OPS" | secs)
rm -rf "$work/trace"
whole=$(wall "$TW" run -o "$work/trace2" -- "$BIN/mm-bench" "$work/f" "$OPS")
events=$("$TW" analyze "$work/trace2" | sed -n 's/^tornwatch: \([0-9]*\) events.*/\1/p')
size=$(du -sk "$work/trace2" | cut -f1)
if command -v strace >/dev/null; then
	straced=$(strace -f -o /dev/null "$BIN/mm-bench" "$work/f" "$OPS" | secs)
else
	straced=
fi
printf '  bare       %8.3f s\n' "$bare"
printf '  tornwatch  %8.3f s  (x%.2f)   whole run with session and analysis %.3f s\n' \
	"$traced" "$(echo "$traced / $bare" | bc -l)" "$whole"
printf '    hooks only (TORNWATCH_WRITE_TRACK=0) %8.3f s  (x%.2f)\n' "$hooks" "$(echo "$hooks / $bare" | bc -l)"
printf '    --full-check                         %8.3f s  (x%.2f)\n' "$full" "$(echo "$full / $bare" | bc -l)"
[ -n "$straced" ] && printf '  strace -f  %8.3f s  (x%.2f)\n' "$straced" "$(echo "$straced / $bare" | bc -l)"
printf '  trace: %s events, %s KiB, %.1f events per operation\n' "$events" "$size" \
	"$(echo "$events / $OPS" | bc -l)"

echo "memcpy of 64 bytes outside any mapping, one file mapping tracked"
m_bare=$("$BIN/mm-bench" --memcpy 20000000 | sed -n 's/memcpy_ns=//p')
m_tw=$(LD_PRELOAD=$TOP/preload/libtornwatch.so "$BIN/mm-bench" --memcpy 20000000 | sed -n 's/memcpy_ns=//p')
printf '  bare       %6.2f ns/call\n  tornwatch  %6.2f ns/call  (+%.2f ns)\n' "$m_bare" "$m_tw" \
	"$(echo "$m_tw - $m_bare" | bc -l)"

# What a call stack costs: 64-byte stores into a tracked mapping, each one
# recorded (begin, checksums, end), with and without its stack event.
SCALLS=${BENCH_STORES:-50000}
echo "memcpy of 64 bytes into a tracked mapping: $SCALLS stores, each recorded"
s_bare=$("$BIN/mm-bench" --memcpy "$SCALLS" 64 into | sed -n 's/memcpy_ns=//p')
s_off=$(TORNWATCH_STACKS=0 "$TW" run -o "$work/st0" -- "$BIN/mm-bench" --memcpy "$SCALLS" 64 into |
	sed -n 's/memcpy_ns=//p')
s_on=$("$TW" run -o "$work/st1" -- "$BIN/mm-bench" --memcpy "$SCALLS" 64 into |
	sed -n 's/memcpy_ns=//p')
s_frames=$(babeltrace2 "$work/st1" 2>/dev/null | grep -m1 'tornwatch:stack:' |
	sed -n 's/.*_ip_length = \([0-9]*\).*/\1/p')
rm -rf "$work/st0" "$work/st1"
u16=$("$BIN/stack-bench" 200000 16)
printf '  libunwind alone: %s ns per unwind of %s frames (stack-bench, 16 calls deep)\n' \
	"$(sed -n 's/unwind_ns=\([0-9.]*\).*/\1/p' <<<"$u16")" "$(sed -n 's/.*frames=//p' <<<"$u16")"
printf '  bare       %8.1f ns/store\n  stacks off %8.1f ns/store (TORNWATCH_STACKS=0)\n' "$s_bare" "$s_off"
printf '  stacks on  %8.1f ns/store: %.1f ns per captured stack of %s frames (unwind and event)\n' \
	"$s_on" "$(echo "$s_on - $s_off" | bc -l)" "${s_frames:-?}"

# 3. Per child, bare and traced. Most of the traced cost is lttng-ust's
# re-registration in the child (its constructor waits for the session
# daemon); LTTNG_UST_REGISTER_TIMEOUT=0 removes the wait but loses the
# child's events until registration completes: the pwrites counted say how
# many of the io children's writes reached the trace.
KIDS=${BENCH_CHILDREN:-50}
echo "children: $KIDS of each, ms per child (fork-bench)"
for mode in fork spawn io; do
	k_bare=$("$BIN/fork-bench" "$mode" "$KIDS" "$work/kids" | sed -n 's/ms_per_child=//p')
	k_tw=$("$TW" run -o "$work/kids-$mode" -- "$BIN/fork-bench" "$mode" "$KIDS" \
		"$work/kids" | sed -n 's/ms_per_child=//p')
	k_0=$(LTTNG_UST_REGISTER_TIMEOUT=0 "$TW" run -o "$work/kids0-$mode" -- \
		"$BIN/fork-bench" "$mode" "$KIDS" "$work/kids" | sed -n 's/ms_per_child=//p')
	printf '  %-6s bare %7.3f  tornwatch %8.3f  register timeout 0 %7.3f' \
		"$mode" "$k_bare" "$k_tw" "$k_0"
	if [ "$mode" = io ]; then
		w_tw=$(babeltrace2 "$work/kids-$mode" 2>/dev/null | grep -c 'call_begin.*"pwrite"')
		w_0=$(babeltrace2 "$work/kids0-$mode" 2>/dev/null | grep -c 'call_begin.*"pwrite"')
		printf '  (pwrites traced: %s and %s of %s)' "$w_tw" "$w_0" "$KIDS"
	fi
	echo
done

# 4. fio, 4 KiB random O_DIRECT writes at queue depth 16: IOPS side by side.
# fio's io_uring engine enters the kernel with its own syscall instruction,
# so tornwatch sees its setup only; its libaio engine goes through libaio.
if ! command -v fio >/dev/null; then
	echo "fio: not installed, skipped"
	exit 0
fi
FIO_SECS=${BENCH_FIO_SECS:-3}
# fio_iops ENGINE [WRAPPER...]: the job's write IOPS, run under WRAPPER.
fio_iops() {
	local engine=$1
	shift
	"$@" fio --name=bench --filename="$work/fio" --size=64M --rw=randwrite \
		--bs=4k --iodepth=16 --direct=1 --runtime="$FIO_SECS" --time_based \
		--ioengine="$engine" --output-format=json --output="$work/fio.json" \
		>/dev/null 2>&1 && jq '.jobs[0].write.iops' "$work/fio.json"
}
for engine in io_uring libaio; do
	echo "fio randwrite 4 KiB, iodepth 16, O_DIRECT, ioengine=$engine, $FIO_SECS s"
	f_bare=$(fio_iops "$engine")
	f_tw=$(fio_iops "$engine" "$TW" run -o "$work/fio-$engine" --)
	f_st=$(fio_iops "$engine" strace -f -o /dev/null)
	f_ev=$("$TW" analyze "$work/fio-$engine" | sed -n 's/^tornwatch: \([0-9]*\) events.*/\1/p')
	printf '  bare       %9.0f IOPS\n' "$f_bare"
	printf '  tornwatch  %9.0f IOPS  (x%.2f)  %s events, %.2f per write\n' "$f_tw" \
		"$(echo "$f_tw / $f_bare" | bc -l)" "$f_ev" \
		"$(echo "$f_ev / ($f_tw * $FIO_SECS)" | bc -l)"
	printf '  strace -f  %9.0f IOPS  (x%.2f)\n' "$f_st" "$(echo "$f_st / $f_bare" | bc -l)"
done
