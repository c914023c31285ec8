#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A signal to tornwatch run reaches the command; the session is stopped and
# destroyed and what it recorded is analyzed. `timeout 2 tornwatch run --
# sleep 5` leaves no session in `lttng list`.
. "$(dirname "$0")/../lib.sh"
# A tornwatch that died with its session leaves it: destroyed here, ours
# only (its output under $SCRATCH), so a failure leaves nothing behind.
ours() {
	lttng list 2>/dev/null | awk -v d="$SCRATCH/" '
		/^ *[0-9]+\) / { name = $2 }
		/Trace output: / && index($3, d) == 1 { print name }'
}
drop_ours() {
	local s
	for s in $(ours); do
		lttng destroy "$s" >/dev/null 2>&1
	done
	cleanup
}
trap drop_ours EXIT
no_session() {
	if lttng list 2>/dev/null | grep -q "Trace output: $SCRATCH/$1.trace\$"; then
		fail "$1: its session is still there"
	fi
	echo "ok: $1: no session left"
}

start=$(date +%s)
timeout 2 "$TW" run -o "$SCRATCH/timeout.trace" --json "$SCRATCH/timeout.json" -- sleep 5 \
	2>"$SCRATCH/timeout.err"
expect_eq "timeout: exit" "$?" 124
secs=$(( $(date +%s) - start ))
[ "$secs" -lt 5 ] || fail "timeout: took ${secs}s, sleep was not stopped"
no_session timeout
expect_eq "timeout: analyzed" "$(jqr "$SCRATCH/timeout.json" .processes)" 1
grep -q "caught SIGTERM" "$SCRATCH/timeout.err" || fail "timeout: not said"

# sig NAME STATUS: the signal sent to tornwatch alone, while sleep runs.
# Job control on, so the background job does not ignore SIGINT.
set -m
sig() {
	local pid
	"$TW" run -o "$SCRATCH/$1.trace" --json "$SCRATCH/$1.json" -- sleep 5 2>/dev/null &
	pid=$!
	sleep 1
	kill -s "$1" "$pid"
	wait "$pid"
	expect_eq "$1: exit (the command's own)" "$?" "$2"
	no_session "$1"
	expect_eq "$1: analyzed" "$(jqr "$SCRATCH/$1.json" .processes)" 1
}
sig TERM 143
sig HUP 129
sig INT 130
set +m
