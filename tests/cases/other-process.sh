#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A traced program that tornwatch run did not start (here a second program
# preloaded by hand) registers with the same session daemon. As root, run
# records only its own UTS namespace: the other program is not in the trace
# at all. With --all-processes (and where the namespace cannot be made) it
# lands in the run's trace: the run's report leaves its events out, analyze
# of the same trace (every process) keeps them.
. "$(dirname "$0")/../lib.sh"
tw_run warmup true
expect_eq "session daemon up" "$RC" 0

# other_while NAME [OPTION...]: tornwatch run of one seed-000 sequence while
# another, preloaded by hand, runs beside it.
other_while() {
	local name=$1 other
	shift
	MMSYNC_PAUSE_MS=1500 LD_PRELOAD="$TOP/preload/libtornwatch.so" \
		"$BIN/mmsync-verify" seed000 "$SCRATCH/other-$name" >/dev/null &
	other=$!
	MMSYNC_PAUSE_MS=3000 "$TW" run -o "$SCRATCH/$name.trace" --json "$SCRATCH/$name.json" \
		"$@" -- "$BIN/mmsync-verify" seed000 "$SCRATCH/$name"
	RC=$?
	wait "$other"
	expect_eq "$name: exit status" "$RC" 0
	expect_eq "$name: processes of the run" "$(jqr "$SCRATCH/$name.json" '.processes')" 1
	"$TW" analyze --json "$SCRATCH/$name-all.json" "$SCRATCH/$name.trace" >/dev/null
}

if [ "$(id -u)" -eq 0 ]; then
	other_while mine
	J=$SCRATCH/mine.json
	ns=$(stat -L -c %i /proc/self/ns/uts)
	filter=$(jqr "$J" '.session_filter')
	case $filter in
	'$ctx.uts_ns == '[0-9]*) echo "ok: session filter $filter" ;;
	*) fail "no UTS namespace filter: '$filter'" ;;
	esac
	[ "$filter" != "\$ctx.uts_ns == $ns" ] || fail "the filter names this shell's own namespace"
	expect_eq "mine: foreign events" "$(jqr "$J" '.foreign_events')" 0
	expect_eq "mine: analyze of the trace" "$(jqr "$SCRATCH/mine-all.json" '.processes')" 1
	expect_eq "mine: the run's hostname" "$("$TW" run -o "$SCRATCH/h.trace" -- hostname | head -n 1)" \
		"$(hostname)"
else
	echo "note: not root, no namespace of its own: every traced program is recorded"
fi

other_while all --all-processes
J=$SCRATCH/all.json
expect_eq "all: no session filter" "$(jqr "$J" '.session_filter')" null
[ "$(jqr "$J" '.foreign_events')" -gt 0 ] || fail "no foreign events: the other program was not recorded"
echo "ok: $(jqr "$J" '.foreign_events') foreign events left out"
n=$(jqr "$SCRATCH/all-all.json" '.processes')
[ "$n" -ge 2 ] || fail "analyze kept $n processes, want the other program too"
echo "ok: analyze keeps $n processes"
