#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The other way in: the user's own LTTng session, all user-space events
# enabled (malloc events of lttng-ust's libc wrapper among them), contexts
# added, libtornwatch.so preloaded by hand; then tornwatch analyze on it.
TW_OWN_SESSION=1 . "$(dirname "$0")/../lib.sh"
wrapper=$(ls /usr/lib/*/liblttng-ust-libc-wrapper.so.1 2>/dev/null | head -n 1)
[ -n "$wrapper" ] || skip "liblttng-ust-libc-wrapper.so.1 not found"
F=$SCRATCH/mm-sync
S=tw-own-$$
lttng create "$S" --output="$SCRATCH/own" >/dev/null || fail "lttng create"
trap 'lttng destroy "$S" >/dev/null 2>&1; rm -rf "$SCRATCH"' EXIT
lttng enable-event -u -s "$S" -a "${OWN_FILTER[@]}" >/dev/null || fail "enable-event"
lttng add-context -u -s "$S" -t vpid -t vtid >/dev/null || fail "add-context"
lttng start "$S" >/dev/null || fail "start"
TW_FAULT_PATH=$F TW_FAULT_STALE_PAGES=1085-1087 TW_FAULT_STATE=$SCRATCH/stale \
	LD_PRELOAD="$TOP/preload/libtornwatch.so:$wrapper:$FAULT" \
	"$BIN/mmsync-verify" seed000 "$F"
lttng stop "$S" >/dev/null || fail "stop"
lttng destroy "$S" >/dev/null || fail "destroy"
babeltrace2 "$SCRATCH/own" | grep -q 'lttng_ust_libc:malloc' ||
	fail "the trace holds no events of another provider"
"$TW" analyze --json "$SCRATCH/own.json" "$SCRATCH/own"
expect_eq "analyze exit status" "$?" 3
expect_eq "kinds" "$(jqr "$SCRATCH/own.json" '[.anomalies[].kind] | join(",")')" torn_read
expect_eq "pages" "$(jqr "$SCRATCH/own.json" '[.anomalies[0].pages[] | "\(.index)=\(.state)"] | join(" ")')" \
	"1084=new 1085=old 1086=old 1087=old"
