#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Every call name the preload can put in an event has a number in
# common/tw-calls.h: a name missing there would reach the trace as "?".
. "$(dirname "$0")/../lib.sh"
src=$TOP/preload
list=$TOP/common/tw-calls.h
names=$( {
	# Hooks whose macro stringifies the function's name.
	grep -hoE '^TW_(BUF|IOV|COPY|SYNC|OPEN|OPENAT)_HOOK\([a-z_0-9]+|^TW_(FALLOCATE|FTRUNCATE|TRUNCATE|SENDFILE)\([a-z_0-9]+' "$src"/*.c |
		sed -E 's/.*\(//'
	grep -hoE '^TW_RING_HOOK\(int, [a-z_0-9]+' "$src"/*.c | sed -E 's/.*, //'
	# Literal names handed to the functions that emit them.
	grep -hoE '(io_begin|range_begin|tw_call_init|tw_span_call|fd_end|map_event|untrack|released|scan_cq|uring_before|uring_after|enter_before|enter_after|tw_aio_[a-z]+|tw_uring_[a-z]+|tw_inflight_[a-z_]+)\([^"]*"[^"]+"' "$src"/*.c |
		sed -E 's/.*"([^"]+)"$/\1/'
} | sort -u)
n=0
while IFS= read -r name; do
	grep -qF "\"$name\")" "$list" || fail "call name \"$name\" has no number in common/tw-calls.h"
	n=$((n + 1))
done <<<"$names"
[ "$n" -gt 40 ] || fail "found only $n call names in the preload's sources"
echo "ok: all $n call names the preload emits have a number"
