#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The HTML report of ~10,000 anomalies: its size, the time tornwatch analyze
# takes to write it, and the time headless Chromium takes to load and draw
# it (wall time of --dump-dom and of --screenshot, and the page's own mark:
# ms from navigation start to the end of its first drawing), against an
# empty page's.
# The trace: mixer rwtest (3 processes) on the fault preload's stale window
# with MIXER_KEEP_GOING=1, as bench-analyzer's "many" but shorter; recorded
# once under $BENCH_TRACES (shared with bench-analyzer), --regen (or
# BENCH_REGEN=1) records it anew. Exit 0 whatever the numbers.
set -u
TESTS=$(cd "$(dirname "$0")/.." && pwd)
TOP=$(dirname "$TESTS")
BIN=$TESTS/bin
TW=$TOP/cli/tornwatch
FAULT=$BIN/fault-preload.so
CACHE=${BENCH_TRACES:-/tmp/tornwatch-bench-traces}
OPS=${BENCH_HTML_OPS:-21000}	# per process, 3 processes: ~10,000 anomalies
NPROC=3
SEED=11
STALE=${BENCH_STALE_PAGES:-60-115}
TRIES=${BENCH_RECORD_TRIES:-3}
REGEN=${BENCH_REGEN:-0}
case ${1:-} in
--regen) REGEN=1 ;;
"") ;;
*) echo "usage: $0 [--regen]   (env: BENCH_TRACES BENCH_REGEN BENCH_HTML_OPS BENCH_STALE_PAGES BENCH_RECORD_TRIES)" >&2
   exit 2 ;;
esac
if ! command -v chromium >/dev/null; then
	echo "bench-html: chromium is missing: run scripts/install-deps (package chromium)"
	exit 0
fi
FORMAT=$(sed -n 's/^#define TW_FORMAT_VERSION \([0-9]*\).*/\1/p' "$TOP/common/tornwatch-events.h")
work=$(mktemp -d "${TMPDIR:-/tmp}/tornwatch-bench-html.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 143' TERM
trap 'exit 130' INT
mkdir -p "$CACHE"

key=f$FORMAT-mixer-rwtest-${NPROC}x$OPS-seed$SEED-stale$STALE
dir=$CACHE/$key
TRACE=$dir/trace
# json_num FILE NAME: the first "NAME":number of a JSON report (only its head is read).
json_num() {
	head -c 4000000 "$1" 2>/dev/null | grep -o -m1 "\"$2\":[0-9]*" | head -n 1 | cut -d: -f2
}
if [ "$REGEN" = 1 ] || [ ! -s "$dir/meta" ] || [ ! -d "$TRACE" ]; then
	rm -rf "$dir" "$dir.partial"
	mkdir -p "$dir.partial"
	t0=$SECONDS
	for ((try = 1; try <= TRIES; try++)); do
		echo "recording mixer rwtest, $NPROC processes x $OPS operations, pages $STALE stale..."
		rm -rf "$dir.partial/trace"
		env LD_PRELOAD="$FAULT" TW_FAULT_PATH="$work/mixer-file" \
			TW_FAULT_STALE_PAGES="$STALE" TW_FAULT_STATE="$work/stale" \
			MIXER_KEEP_GOING=1 "$TW" run -o "$dir.partial/trace" --max-anomalies 0 \
			--json "$work/run.json" -- "$BIN/mixer" rwtest "$work/mixer-file" \
			"$OPS" "$NPROC" "$SEED" >"$work/run.out" 2>&1
		rc=$?
		rm -f "$work/mixer-file" "$work/stale"
		if [ "$rc" = 2 ] || [ ! -d "$dir.partial/trace" ]; then
			echo "tornwatch run failed (exit $rc):"
			tail -n 5 "$work/run.out" | sed 's/^/    /'
			rm -rf "$dir.partial"
			exit 0
		fi
		# Other programs traced meanwhile get in; a few tries for a trace without.
		[ "$(json_num "$work/run.json" foreign_events)" = 0 ] && break
	done
	{
		echo "recorded=$(date -u '+%Y-%m-%d %H:%M UTC') in $((SECONDS - t0)) s"
		echo "foreign_events=$(json_num "$work/run.json" foreign_events)"
	} >"$dir.partial/meta"
	rm -f "$work/run.json"
	mv "$dir.partial" "$dir"
else
	echo "reusing the cached trace $dir ($(sed -n 's/^recorded=//p' "$dir/meta"))"
fi

H=$work/report.html
t0=$(date +%s.%N)
"$TW" analyze --max-anomalies 0 --html "$H" --json "$work/report.json" "$TRACE" >/dev/null 2>"$work/err"
t1=$(date +%s.%N)
[ -s "$H" ] || { echo "no HTML report: $(tail -n 2 "$work/err")"; exit 0; }
anom=$(head -c 4000000 "$work/report.json" | sed -n 's/.*"summary":{"anomalies":\([0-9]*\),"groups":\([0-9]*\).*/\1 anomalies in \2 groups/p')
jbytes=$(stat -c %s "$work/report.json")
hbytes=$(stat -c %s "$H")
rm -f "$work/report.json"
echo "$anom; JSON report $jbytes B"
f=$(sed -n 's/^foreign_events=//p' "$dir/meta")
[ "${f:-0}" = 0 ] || echo "  (the trace holds $f events of other processes traced meanwhile: analyze reads them too)"
printf 'HTML report: %d B (%.1f MiB), written with the text and JSON in %.2f s\n' \
	"$hbytes" "$(echo "$hbytes / 1048576" | bc -l)" "$(echo "$t1 - $t0" | bc -l)"

# load URL OUT: wall seconds of Chromium's --dump-dom of URL.
load() {
	local a b
	a=$(date +%s.%N)
	timeout 120 chromium --headless --no-sandbox --disable-gpu --no-first-run \
		--user-data-dir="$work/chromium" --dump-dom "$1" >"$2" 2>/dev/null
	b=$(date +%s.%N)
	echo "$b - $a" | bc -l
}
echo '<!DOCTYPE html><html><body>empty</body></html>' >"$work/empty.html"
load "file://$work/empty.html" "$work/empty.dom" >/dev/null	# a first start warms the cache
base=$(load "file://$work/empty.html" "$work/empty.dom")
for i in 1 2 3; do
	wall=$(load "file://$H" "$work/report.dom")
	ms=$(grep -o 'id="tw-ready" hidden="" data-ms="[0-9.]*"' "$work/report.dom" | sed 's/.*data-ms="//; s/"//')
	printf 'chromium --dump-dom, run %d: %.2f s wall (an empty page: %.2f s); the page drawn %s ms after navigation start\n' \
		"$i" "$wall" "$base" "${ms:-(no mark: the script failed)}"
done
# --screenshot: load, draw and paint, without writing the 11 MB DOM back out.
shot() {
	local a b
	a=$(date +%s.%N)
	timeout 120 chromium --headless --no-sandbox --disable-gpu --no-first-run \
		--user-data-dir="$work/chromium" --window-size=1400,900 \
		--screenshot="$work/shot.png" "$1" >/dev/null 2>&1
	b=$(date +%s.%N)
	echo "$b - $a" | bc -l
}
printf 'chromium --screenshot: %.2f s wall, %.2f s again (an empty page: %.2f s)\n' \
	"$(shot "file://$H")" "$(shot "file://$H")" "$(shot "file://$work/empty.html")"
groups=$(grep -o 'class="group" data-group=' "$work/report.dom" | wc -l)
echo "group headings drawn at load: $groups (the rest behind \"show more\"); lanes drawn at load: $(grep -o 'class="lane"' "$work/report.dom" | wc -l)"
wall=$(load "file://$H#open=0,1,2,3,4,5,6,7,8,9" "$work/open.dom")
ms=$(grep -o 'data-ms="[0-9.]*"' "$work/open.dom" | sed 's/.*="//; s/"//')
printf 'with the first 10 groups opened: %.2f s wall, drawn %s ms after navigation start, %d lanes\n' \
	"$wall" "${ms:-?}" "$(grep -o 'class="lane"' "$work/open.dom" | wc -l)"
exit 0
