#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The HTML report of a real torn read (seed 000's stale window, writer and
# verifier in two processes) on a file whose path holds "</script>", "&"
# and a quote, drawn by headless Chromium: one lane per process/thread of
# the interleaving, one box per call, the page grid's cells in the JSON
# report's states, the summary's count; the embedded data parses and names
# the file as it is; the page loads nothing from the network. A command
# never traced gets a page saying so.
. "$(dirname "$0")/../lib.sh"
command -v chromium >/dev/null || skip "chromium is not installed (scripts/install-deps)"
D=$SCRATCH/'d</script><b>&"q'
mkdir -p "$D"
F=$D/mm-sync
H=$SCRATCH/torn.html
J=$SCRATCH/torn.json
export TW_FAULT_PATH=$F TW_FAULT_STALE_PAGES=1085-1087 TW_FAULT_STATE=$SCRATCH/stale
LD_PRELOAD=$FAULT "$TW" run -o "$SCRATCH/torn.trace" --json "$J" --html "$H" -- \
	"$BIN/mmsync-verify" split "$F" >"$SCRATCH/run.out" 2>&1
expect_eq "exit status" "$?" 3
expect_eq "anomalies" "$(jqr "$J" '.anomalies | length')" 1
[ -s "$H" ] || fail "no HTML report written"

# Self-contained: no address to fetch, no external script, style or font.
if grep -Eio 'https?://[^"'\'' )]*' "$H" | head -n 3 | grep .; then
	fail "the page names addresses to load"
fi
echo "ok: no http:// or https:// in the page"
grep -Eiq '<(script|link|img|iframe)[^>]* (src|href)=' "$H" && fail "the page loads an external resource"
echo "ok: no src= or href= resources"
# The path's "</script>" ends no script: the two scripts' own ends only.
expect_eq "</script> in the file" "$(grep -o '</script>' "$H" | wc -l)" 2

# The embedded data: one JSON blob that parses and names the file as it is.
sed -n '/^<script type="application\/json" id="tw-data">/,/<\/script>$/p' "$H" |
	sed '1s/^<script[^>]*>//; $s/<\/script>$//' >"$SCRATCH/blob.json"
jq -e . "$SCRATCH/blob.json" >/dev/null || fail "the embedded data is not JSON"
expect_eq "embedded file name" "$(jqr "$SCRATCH/blob.json" '.files[0]')" "$F"
expect_eq "embedded anomalies" "$(jqr "$SCRATCH/blob.json" '.anomalies | length')" 1
# Every call carries its stack; the read's innermost frame is verify() in
# mmsync-verify.c, as the JSON report says.
[ "$(jqr "$SCRATCH/blob.json" '[.calls_table[] | select(.stack | length == 0)] | length')" -eq 0 ] ||
	fail "a call of the page has no stack"
expect_eq "the read's stack in the page" \
	"$(jqr "$SCRATCH/blob.json" '[.calls_table[] | select(.call == "read") | .stack[0] | "\(.function) \(.file | split("/") | last)"] | first')" \
	"$(jqr "$J" '.anomalies[0].interleaving[-2].stack[0] | "\(.function) \(.file | split("/") | last)"')"
cited=$(jqr "$SCRATCH/blob.json" '.anomalies[0].call')

# dump DOM FILE: what Chromium drew of the page with #HASH.
dump() {
	timeout 60 chromium --headless --no-sandbox --disable-gpu --no-first-run \
		--user-data-dir="$SCRATCH/chromium" --virtual-time-budget=5000 \
		--dump-dom "file://$H#$1" >"$2" 2>"$SCRATCH/chromium.err"
	[ -s "$2" ] || fail "chromium drew nothing: $(tail -n 3 "$SCRATCH/chromium.err")"
}

# At load: the summary and the group headings only; no lanes yet.
dump "" "$SCRATCH/closed.html"
grep -q 'id="tw-ready"' "$SCRATCH/closed.html" || fail "the page's script did not run to its end"
expect_eq "summary count" "$(grep -o 'id="tw-count">[0-9]*' "$SCRATCH/closed.html" | cut -d'>' -f2)" \
	"$(jqr "$J" '.summary.anomalies')"
expect_eq "group headings" "$(grep -o 'class="group" data-group=' "$SCRATCH/closed.html" | wc -l)" \
	"$(jqr "$J" '.summary.groups')"
expect_eq "lanes before a group is opened" "$(grep -o 'class="lane"' "$SCRATCH/closed.html" | wc -l)" 0

# Opened, with the anomaly's read selected.
dump "open=all&select=$cited" "$SCRATCH/open.html"
O=$SCRATCH/open.html
expect_eq "lanes (pid/tid)" \
	"$(grep -o 'class="lane" data-pid="[0-9]*" data-tid="[0-9]*"' "$O" | sed 's/.*data-pid="\([0-9]*\)" data-tid="\([0-9]*\)"/\1\/\2/' | sort | tr '\n' ' ')" \
	"$(jqr "$J" '[.anomalies[0].interleaving[] | "\(.pid)/\(.tid)"] | unique | .[]' | sort | tr '\n' ' ')"
expect_eq "lanes" "$(grep -o 'class="lane"' "$O" | wc -l)" 2
expect_eq "call boxes" "$(grep -o 'class="call op-[a-z]*[^"]*" data-call=' "$O" | wc -l)" \
	"$(jqr "$J" '[.anomalies[0].interleaving[] | select(.phase == "begin")] | length')"
expect_eq "cited call" "$(grep -o '<div class="call op-read cited[^"]*" data-call="[0-9]*"[^>]*>[a-z]*' "$O" | sed 's/.*>//')" read
expect_eq "page cells" \
	"$(grep -o '<span class="page [^"]*" data-index="[0-9]*" data-state="[a-z_]*"' "$O" | sed 's/.*data-index="\([0-9]*\)" data-state="\([a-z_]*\)"/\1:\2/' | tr '\n' ' ')" \
	"$(jqr "$J" '[.anomalies[0].pages[] | "\(.index):\(.state)"] | join(" ")') "
expect_eq "new cells" "$(grep -o '<span class="page new[ "]' "$O" | wc -l)" \
	"$(jqr "$J" '[.anomalies[0].pages[] | select(.state == "new")] | length')"
expect_eq "old cells" "$(grep -o '<span class="page old[ "]' "$O" | wc -l)" \
	"$(jqr "$J" '[.anomalies[0].pages[] | select(.state == "old")] | length')"
# The selected read's details: its length, its return, its stack.
detail=$(grep -o '<div class="detail">.*' "$O" | sed 's/<\/div>.*//')
for want in "$(jqr "$J" '.anomalies[0].offset')" "$(jqr "$J" '.anomalies[0].length')" \
	"$(jqr "$J" '.anomalies[0].interleaving[-1].ret')"; do
	case $detail in
	*">$want<"*) echo "ok: details show $want" ;;
	*) fail "details of the read lack $want: $detail" ;;
	esac
done
case $detail in
*"verify at "*mmsync-verify.c:[0-9]*) echo "ok: details show the read's stack" ;;
*) fail "details of the read lack its stack: $detail" ;;
esac
# The file's name as text, not markup, in the drawn page.
grep -qF 'd&lt;/script&gt;&lt;b&gt;&amp;"q/mm-sync' "$O" || fail "the file name is not drawn as text"
echo "ok: the file name is drawn as text"
grep -q '<b>&' "$O" && fail "the file name became markup"

# A command that never loads the preload gets a page that says so.
printf 'int main(void) { return 0; }\n' >"$SCRATCH/static.c"
if cc -static -o "$SCRATCH/static" "$SCRATCH/static.c" 2>/dev/null; then
	H=$SCRATCH/untraced.html
	# Other traced programs on the machine can put events of theirs in
	# the session (then the trace is analyzed, and may be cut): tries.
	for try in 1 2 3; do
		rm -rf "$SCRATCH/untraced.trace"
		"$TW" run -o "$SCRATCH/untraced.trace" --html "$H" -- "$SCRATCH/static" \
			>/dev/null 2>"$SCRATCH/untraced.err"
		rc=$?
		[ "$rc" != 2 ] && break
		echo "try $try: tornwatch run exit 2: $(tail -n 1 "$SCRATCH/untraced.err")"
	done
	expect_eq "untraced exit status" "$rc" 0
	dump "" "$SCRATCH/untraced.dom"
	expect_eq "untraced count" "$(grep -o 'id="tw-count">[0-9]*' "$SCRATCH/untraced.dom" | cut -d'>' -f2)" 0
	grep -q 'was not traced' "$SCRATCH/untraced.dom" || fail "the untraced page does not say so"
	echo "ok: the untraced page says so"
else
	echo "note: cc -static fails (no static libc): the untraced page is not checked"
fi
exit 0
