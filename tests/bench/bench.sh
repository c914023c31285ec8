#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Side by side in one run: each workload bare, under `tornwatch run` and under
# `strace -f`, BENCH_REPS times each, interleaved so that drift of the
# machine hits all three alike. Each row gives the medians, the spread
# (half the range over the median), the ratios against bare, the trace bytes
# per operation and whether the target is met.
set -u
TESTS=$(cd "$(dirname "$0")/.." && pwd)
TOP=$(dirname "$TESTS")
BIN=$TESTS/bin
TW=$TOP/cli/tornwatch
LIB=$TOP/preload/libtornwatch.so
REPS=${BENCH_REPS:-5}
OPS=${BENCH_OPS:-2000}
KIDS=${BENCH_CHILDREN:-200}
FIO_SECS=${BENCH_FIO_SECS:-3}
work=$(mktemp -d "${TMPDIR:-/tmp}/tornwatch-bench.XXXXXX")
trap 'rm -rf "$work"' EXIT
have_strace=$(command -v strace >/dev/null && echo 1)
WRAP=()

# value KEY: the number after KEY= in what the probe printed
value() { sed -n "s/.*\\b$1=\\([0-9.]*\\).*/\\1/p" | head -n 1; }

# num V: V with as many digits as it deserves
num() { awk -v v="$1" 'BEGIN { a = v < 0 ? -v : v
	printf(a >= 1000 ? "%.0f" : a >= 10 ? "%.1f" : a >= 1 ? "%.2f" : "%.3f", v) }'; }

# stats V...: median, then spread in % (half the range over the median)
stats() {
	printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 }
		END { m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		      printf "%s %.0f\n", m, (m > 0 ? 50 * (v[NR] - v[1]) / m : 0) }'
}

# in_mode MODE: sets WRAP to run a probe bare, under tornwatch or strace
in_mode() {
	case $1 in
	bare) WRAP=() ;;
	tornwatch) rm -rf "$work/trace"; WRAP=("$TW" run -o "$work/trace" --) ;;
	strace) WRAP=(strace -f -o /dev/null) ;;
	esac
}

# bench LABEL KEY OPS TARGET PROBE [ARG...]
#   KEY      what the probe prints: ns, ms or s per operation (lower is
#            better), or iops (higher is better)
#   OPS      operations per probe run, for trace bytes per operation
#            ("iops": from the measured rate, "-": not counted)
#   TARGET   "+N" tornwatch within N units of bare, "xN" within N times bare,
#            ">=N" at least N times bare's rate, "-" none
#   PROBE    a function running its workload under "${WRAP[@]}"
bench() {
	local label=$1 key=$2 ops=$3 target=$4 mode rep v bytes=
	local -A vals=([bare]= [tornwatch]= [strace]=)
	shift 4
	local modes="bare tornwatch"
	[ -n "$have_strace" ] && [ "$key" != memcpy_ns ] && modes="$modes strace"
	for ((rep = 0; rep < REPS; rep++)); do
		for mode in $modes; do
			in_mode "$mode"
			v=$("$@" 2>/dev/null | value "$key")
			[ -n "$v" ] || { printf '%-36s %s failed\n' "$label" "$mode"; return; }
			vals[$mode]="${vals[$mode]} $v"
		done
	done
	read -r b bs <<<"$(stats ${vals[bare]})"
	read -r t ts <<<"$(stats ${vals[tornwatch]})"
	s=-; sr=-; cheaper=-
	if [ -n "${vals[strace]}" ]; then
		read -r s ss <<<"$(stats ${vals[strace]})"
		sr=$(awk -v a="$s" -v b="$b" 'BEGIN { printf "x%.2f", a / b }')
		# how many times cheaper tornwatch's overhead is than strace's
		cheaper=$(awk -v t="$t" -v s="$s" -v b="$b" -v k="$key" 'BEGIN {
			if (k == "iops") { t = 1 / t; s = 1 / s; b = 1 / b }
			if (t - b <= 0) { print "free"; exit }
			printf "%.1f", (s - b) / (t - b) }')
	fi
	[ "$ops" = iops ] && ops=$(awk -v r="$t" -v d="$FIO_SECS" 'BEGIN { printf "%d", r * d }')
	if [ "$ops" != - ] && [ -d "$work/trace" ]; then
		bytes=$(du -sb "$work/trace" | cut -f1)
		bytes=$(awk -v n="$bytes" -v o="$ops" 'BEGIN { printf "%.0f", n / o }')
	fi
	verdict=$(awk -v t="$t" -v b="$b" -v g="$target" 'BEGIN {
		if (g == "-") { print "-"; exit }
		if (substr(g, 1, 1) == "+") { d = t - b; ok = d <= substr(g, 2) + 0; printf "%+.2f %s", d, ok ? "met" : "missed"; exit }
		if (substr(g, 1, 1) == "x") { ok = t / b <= substr(g, 2) + 0 }
		else { ok = t / b >= substr(g, 3) + 0 }
		print ok ? "met" : "missed" }')
	[ "$s" != - ] && s=$(num "$s")
	printf '%-36s %9s ±%-3s %9s ±%-3s %7s %9s %7s %7s %6s  %s %s\n' "$label" \
		"$(num "$b")" "$bs%" "$(num "$t")" "$ts%" "$(awk -v a="$t" -v b="$b" 'BEGIN { printf "x%.2f", a / b }')" \
		"$s" "$sr" "$cheaper" "${bytes:--}" "$target" "$verdict"
}

probe() { "${WRAP[@]}" "$@"; }
probe_doio() { rm -f "$work/doio"; probe "$BIN/mm-bench" "$work/doio" "$OPS"; }
probe_fio() {
	rm -f "$work/fio.json"
	probe fio --name=bench --filename="$work/fio" --size=64M --rw=randwrite \
		--bs=4k --iodepth=16 --direct=1 --runtime="$FIO_SECS" --time_based \
		--ioengine="$1" --output-format=json --output="$work/fio.json" >/dev/null 2>&1
	echo "iops=$(jq '.jobs[0].write.iops' "$work/fio.json")"
}

echo "tornwatch make bench: $REPS runs of each, medians ±spread; ratios against bare"
echo "  cheaper: how many times less tornwatch adds than strace -f; B/op: trace bytes per operation"
printf '%-36s %14s %14s %7s %9s %7s %7s %6s  %s\n' what bare tornwatch ratio "strace -f" ratio \
	cheaper B/op target
echo "$KIDS" > "$work/small"
bench "process start, ms (cat FILE)" ms_per_child "$KIDS" +2 \
	probe "$BIN/fork-bench" spawn "$KIDS" "$work/small"
bench "fork + wait, ms" ms_per_child "$KIDS" +1 probe "$BIN/fork-bench" fork "$KIDS"
bench "fork + pwrite + wait, ms" ms_per_child "$KIDS" - \
	probe "$BIN/fork-bench" io "$KIDS" "$work/kids"
# The child registered with the session daemon anew, as liblttng-ust-fork
# has it do, instead of keeping its parent's channels (README).
probe_fork_register() { TORNWATCH_FORK_REGISTER=1 probe "$BIN/fork-bench" fork "$KIDS"; }
bench "fork + wait, registering anew, ms" ms_per_child "$KIDS" - probe_fork_register
for size in 16 256 4096 65536; do
	calls=$((4000000000 / (size + 1000)))
	bench "memcpy $size B outside mappings, ns" memcpy_ns - +1 \
		probe "$BIN/mm-bench" --memcpy "$calls" "$size"
	bench "memcpy $size B between mappings, ns" memcpy_ns - +1 \
		probe "$BIN/mm-bench" --memcpy "$calls" "$size" between
done
bench "doio 12.8 MB shape, $OPS ops, s" seconds "$OPS" x1.3 probe_doio
bench "pread/pwrite 4 KiB, ns" pio_ns 200000 - probe "$BIN/mm-bench" --pio "$work/pio" 100000
if command -v fio >/dev/null; then
	bench "fio libaio randwrite 4 KiB, IOPS" iops iops ">=0.9" probe_fio libaio
	# fio's io_uring engine enters the kernel with its own system call
	# instructions: tornwatch sees its setup only (B/op says so).
	bench "fio io_uring randwrite 4 KiB, IOPS" iops iops - probe_fio io_uring
else
	echo "fio: not installed, fio rows skipped"
fi

# Where a traced process start goes: the preload alone with no session
# recording, lttng-ust's registration wait removed (the child's first events
# are then lost until it registers), and its base-address statedump removed.
echo "process start, where the time goes (ms per process, medians of $REPS)"
start_ms() { "$@" "$BIN/fork-bench" spawn "$KIDS" "$work/small" 2>/dev/null | value ms_per_child; }
for what in bare preload-no-session tornwatch register-timeout-0 no-statedump \
	    write-track-0; do
	vs=
	for ((rep = 0; rep < REPS; rep++)); do
		rm -rf "$work/trace"
		case $what in
		bare) v=$(start_ms) ;;
		preload-no-session) v=$(start_ms env LD_PRELOAD="$LIB") ;;
		tornwatch) v=$(start_ms "$TW" run -o "$work/trace" --) ;;
		register-timeout-0) v=$(start_ms env LTTNG_UST_REGISTER_TIMEOUT=0 \
				"$TW" run -o "$work/trace" --) ;;
		no-statedump) v=$(start_ms env LTTNG_UST_WITHOUT_BADDR_STATEDUMP=1 \
				"$TW" run -o "$work/trace" --) ;;
		write-track-0) v=$(start_ms env TORNWATCH_WRITE_TRACK=0 \
				"$TW" run -o "$work/trace" --) ;;
		esac
		vs="$vs ${v:-0}"
	done
	read -r m sp <<<"$(stats $vs)"
	printf '  %-22s %8s ±%s%%\n' "$what" "$m" "$sp"
done

# What kernel write tracking costs at msync, against the hooks alone and
# against checksumming every page.
echo "doio shape, tracking modes (s, medians of $REPS)"
for what in "" TORNWATCH_WRITE_TRACK=0 --full-check; do
	vs=
	for ((rep = 0; rep < REPS; rep++)); do
		rm -rf "$work/trace" "$work/doio"
		case $what in
		--full-check) v=$("$TW" run -o "$work/trace" --full-check -- \
				"$BIN/mm-bench" "$work/doio" "$OPS" 2>/dev/null | value seconds) ;;
		"") v=$("$TW" run -o "$work/trace" -- \
				"$BIN/mm-bench" "$work/doio" "$OPS" 2>/dev/null | value seconds) ;;
		*) v=$(env "$what" "$TW" run -o "$work/trace" -- \
				"$BIN/mm-bench" "$work/doio" "$OPS" 2>/dev/null | value seconds) ;;
		esac
		vs="$vs ${v:-0}"
	done
	read -r m sp <<<"$(stats $vs)"
	printf '  %-24s %8s ±%s%%\n' "${what:-kernel write tracking}" "$m" "$sp"
done

# What a call stack costs: 64-byte stores into a tracked mapping, each one
# recorded (begin, checksums, end), with and without its stack event.
SCALLS=${BENCH_STORES:-50000}
echo "call stacks: $SCALLS 64-byte stores into a tracked mapping, each recorded (ns per store, medians of $REPS)"
u16=$("$BIN/stack-bench" 200000 16)
printf '  libunwind alone          %8s ns per unwind of %s frames (stack-bench, 16 calls deep)\n' \
	"$(sed -n 's/unwind_ns=\([0-9.]*\).*/\1/p' <<<"$u16")" "$(sed -n 's/.*frames=//p' <<<"$u16")"
declare -A st_med
for what in bare stacks-off stacks-on; do
	vs=
	for ((rep = 0; rep < REPS; rep++)); do
		rm -rf "$work/trace"
		case $what in
		bare) v=$("$BIN/mm-bench" --memcpy "$SCALLS" 64 into | value memcpy_ns) ;;
		stacks-off) v=$(TORNWATCH_STACKS=0 "$TW" run -o "$work/trace" -- \
				"$BIN/mm-bench" --memcpy "$SCALLS" 64 into 2>/dev/null | value memcpy_ns) ;;
		stacks-on) v=$("$TW" run -o "$work/trace" -- \
				"$BIN/mm-bench" --memcpy "$SCALLS" 64 into 2>/dev/null | value memcpy_ns) ;;
		esac
		vs="$vs ${v:-0}"
	done
	read -r m sp <<<"$(stats $vs)"
	st_med[$what]=$m
	printf '  %-24s %8s ±%s%%\n' "$what" "$m" "$sp"
done
frames=$(babeltrace2 "$work/trace" 2>/dev/null | grep -m1 'tornwatch:stack:' |
	sed -n 's/.*_ip_length = \([0-9]*\).*/\1/p')
printf '  per captured stack of %s frames (unwind and event): %s ns\n' "${frames:-?}" \
	"$(num "$(awk -v a="${st_med[stacks-on]}" -v b="${st_med[stacks-off]}" 'BEGIN { print a - b }')")"
