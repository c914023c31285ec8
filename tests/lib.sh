# SPDX-License-Identifier: MIT
# Shared by the case scripts: paths, a scratch directory, assertions.
set -u
TESTS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(dirname "$TESTS")
TW="$TOP/cli/tornwatch"
BIN="$TESTS/bin"
FAULT="$BIN/fault-preload.so"
SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/tornwatch-test.XXXXXX")
MOUNTS=()

# Whatever happens (failure, timeout's SIGTERM, ^C), what was mounted is
# unmounted, newest first, before the scratch directory goes.
cleanup() {
	local i m
	for ((i = ${#MOUNTS[@]} - 1; i >= 0; i--)); do
		m=${MOUNTS[i]}
		if mountpoint -q "$m"; then
			umount "$m" 2>/dev/null || fusermount3 -u -z "$m" 2>/dev/null ||
				umount -l "$m" 2>/dev/null || echo "cannot unmount $m" >&2
		fi
	done
	rm -rf "$SCRATCH"
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

# Under SANITIZE=1 the CLI is sanitized and a test's LD_PRELOAD reaches it
# too; a crash inside libbabeltrace2 must stay a signal the CLI reports.
export ASAN_OPTIONS="verify_asan_link_order=0:handle_segv=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}"

# A test with a session of its own (the user's way in) runs, as root, in a
# UTS namespace of its own and filters on it: another traced program on the
# machine would land in the session and overflow its small buffers.
# OWN_FILTER is the --filter argument for lttng enable-event ("" when not).
if [ "$(id -u)" -eq 0 ] && [ -z "${TW_OWN_UTS:-}" ] && [ -n "${TW_OWN_SESSION:-}" ]; then
	rm -rf "$SCRATCH"
	TW_OWN_UTS=1 exec unshare -u "$0" "$@"
fi
OWN_FILTER=()
if [ -n "${TW_OWN_UTS:-}" ]; then
	OWN_FILTER=(--filter "\$ctx.uts_ns == $(stat -L -c %i /proc/self/ns/uts)")
fi

skip() { echo "skip: $*"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }

command -v jq >/dev/null || skip "jq is not installed"
command -v lttng >/dev/null || skip "lttng (lttng-tools) is not installed"

# expect_eq WHAT GOT WANT
expect_eq() {
	[ "$2" = "$3" ] || fail "$1: got '$2', want '$3'"
	echo "ok: $1 = $3"
}

# bt_text TRACE: the trace as babeltrace2 prints it, enumerations shown by
# their name alone ( "read" : container = 0 ) -> "read"
bt_text() {
	babeltrace2 "$1" 2>/dev/null |
		sed -E 's/\( "([^"]*)" : container = [0-9]+ \)/"\1"/g'
}

# bt_ended TRACE CALL [EXE]: how many calls named CALL have their end in
# TRACE; with EXE, only calls of processes whose image path ends in EXE (other
# traced programs on the machine share the session daemon's buffers)
bt_ended() {
	bt_text "$1" | awk -v call="\"$2\"" -v exe="${3:-}" '
		function pid() { match($0, /pid = [0-9]+/); return substr($0, RSTART + 6, RLENGTH - 6) }
		function key(  p) { p = pid(); match($0, /cid = 0x[0-9A-F]+/); return p "/" substr($0, RSTART, RLENGTH) }
		/tornwatch:process:/ && exe != "" && index($0, exe "\"") { ours[pid()] = 1 }
		/tornwatch:call_begin:/ && index($0, "call = " call ",") &&
		    (exe == "" || ours[pid()]) { begun[key()] = 1 }
		/tornwatch:call_end:/ { if (begun[key()]) n++ }
		END { print n + 0 }'
}

# jqr FILE FILTER: one value out of a JSON report
jqr() { jq -r "$2" "$1"; }

# tw_run NAME ARGS...: tornwatch run with a JSON report in $SCRATCH/NAME.json
# and the text report in $SCRATCH/NAME.report, printed on stdout after the
# command's own output; sets RC to its exit status.
tw_run() {
	local name=$1
	shift
	"$TW" run -o "$SCRATCH/$name.trace" --json "$SCRATCH/$name.json" \
		--report "$SCRATCH/$name.report" -- "$@"
	RC=$?
	[ ! -f "$SCRATCH/$name.report" ] || cat "$SCRATCH/$name.report"
	echo "tornwatch run exit: $RC"
}

# runs_here PROG ARGS...: skips the test when the program, run bare, says
# the kernel or file system refuses what it needs (exit 77).
runs_here() {
	local out
	out=$("$@" 2>&1)
	[ $? -ne 77 ] || skip "$(echo "$out" | tail -n 1)"
}

# interleaving FILE N: "call/phase" of each row of anomaly N
interleaving() {
	jqr "$1" "[.anomalies[$2].interleaving[] | \"\(.call)/\(.phase)\"] | join(\" \")"
}

# mount_fs TYPE DIR: tmpfs, or a fresh ext4, xfs or btrfs image on a loop
# device, mounted on DIR until the test ends. Says why and fails when it
# cannot (not root, no loop devices, no mkfs).
mount_fs() {
	local type=$1 dir=$2 img=$SCRATCH/$1.img
	mkdir -p "$dir"
	if [ "$(id -u)" != 0 ]; then
		echo "$type: mounting needs root"
		return 1
	fi
	case $type in
	tmpfs)
		mount -t tmpfs -o size=512m tornwatch-test "$dir" || return 1 ;;
	ext4|xfs|btrfs)
		[ -e /dev/loop-control ] || { echo "$type: no loop devices"; return 1; }
		command -v "mkfs.$type" >/dev/null || { echo "$type: mkfs.$type is not installed"; return 1; }
		truncate -s 512M "$img" || return 1
		case $type in
		ext4) mkfs.ext4 -q -F "$img" ;;
		xfs) mkfs.xfs -q -f "$img" ;;
		btrfs) mkfs.btrfs -q -f "$img" >/dev/null ;;
		esac || { echo "$type: mkfs failed"; return 1; }
		mount -o loop "$img" "$dir" || { echo "$type: loop mount failed"; return 1; } ;;
	*)
		echo "$type: unknown file system"
		return 1 ;;
	esac
	MOUNTS+=("$dir")
}

# mount_tearfs DIR [KNOBS]: tests/tearfs over a fresh backing directory,
# mounted on DIR until the test ends, with -o KNOBS.
mount_tearfs() {
	local dir=$1 knobs=${2:-} back=$1.backing
	[ "$(id -u)" = 0 ] || { echo "tearfs: mounting needs root"; return 1; }
	[ -c /dev/fuse ] || { echo "tearfs: no /dev/fuse"; return 1; }
	mkdir -p "$dir" "$back"
	"$BIN/tearfs" "$back" "$dir" ${knobs:+-o "$knobs"} || { echo "tearfs: mount failed"; return 1; }
	MOUNTS+=("$dir")
}
