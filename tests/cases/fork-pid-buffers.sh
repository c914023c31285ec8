#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A forked child that keeps its parent's channels (the default, emit.c)
# writes into its parent's buffers. Under the user's own session with
# per-process buffers (--buffers-pid), those are torn down when the parent
# exits, and what the child writes after that is lost with no count of it
# anywhere: the report must name it and hold every verdict uncertain, never
# say a plain "0 anomalies". The child here outlives its parent and pwrites
# and preads its block 50 times 200 ms after the parent ended.
# - per-process buffers, default: the child is named, reads are missing;
# - per-process buffers, TORNWATCH_FORK_REGISTER=1: the child has buffers
#   of its own, all 50 reads are there, nothing named;
# - per-user buffers, default: all 50 reads there, nothing named.
TW_OWN_SESSION=1 . "$(dirname "$0")/../lib.sh"
S=tw-pidbuf-$$
trap 'lttng destroy "$S" >/dev/null 2>&1; rm -rf "$SCRATCH"' EXIT

# traced NAME BUFFERS REGISTER: the orphan's run in a session of its own.
traced() {
	local name=$1 F=$SCRATCH/$1.data i
	lttng create "$S" --output="$SCRATCH/$name" >/dev/null || fail "lttng create"
	lttng enable-channel -u -s "$S" "--buffers-$2" ch >/dev/null ||
		fail "enable-channel --buffers-$2"
	lttng enable-event -u -s "$S" -c ch 'tornwatch:*' "${OWN_FILTER[@]}" >/dev/null ||
		fail "enable-event"
	lttng start "$S" >/dev/null || fail "start"
	TORNWATCH_FORK_REGISTER=$3 LD_PRELOAD="$TOP/preload/libtornwatch.so" \
		"$BIN/fork-storm" orphan 50 "$F" || fail "$name: the parent failed"
	for i in $(seq 100); do
		[ -e "$F.done" ] && break
		sleep 0.1
	done
	[ -e "$F.done" ] || fail "$name: the child never ended"
	sleep 0.2	# its last events flushed by its exit
	lttng stop "$S" >/dev/null || fail "stop"
	lttng destroy "$S" >/dev/null || fail "destroy"
	"$TW" analyze --json "$SCRATCH/$name.json" "$SCRATCH/$name" \
		>"$SCRATCH/$name.txt" 2>&1
	expect_eq "$name: analyze exit status" "$?" 0
}

traced pid-kept pid 0
J=$SCRATCH/pid-kept.json
expect_eq "pid-kept: children named" "$(jqr "$J" '.children_in_parent_buffers.count')" 1
[ "$(jqr "$J" '.reads_checked')" -lt 50 ] ||
	fail "pid-kept: the child's reads were all recorded: nothing was lost to name"
grep -q "wrote into its parent's per-process buffers" "$SCRATCH/pid-kept.txt" ||
	fail "pid-kept: the text report does not name the child"

traced pid-registered pid 1
J=$SCRATCH/pid-registered.json
expect_eq "pid-registered: children named" "$(jqr "$J" '.children_in_parent_buffers.count')" 0
expect_eq "pid-registered: reads checked" "$(jqr "$J" '.reads_checked')" 50

traced uid-kept uid 0
J=$SCRATCH/uid-kept.json
expect_eq "uid-kept: children named" "$(jqr "$J" '.children_in_parent_buffers.count')" 0
expect_eq "uid-kept: reads checked" "$(jqr "$J" '.reads_checked')" 50
