# SPDX-License-Identifier: MIT
# Shared by the case scripts: paths, a scratch directory, assertions.
set -u
TESTS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(dirname "$TESTS")
TW="$TOP/cli/tornwatch"
BIN="$TESTS/bin"
FAULT="$BIN/fault-preload.so"
SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/tornwatch-test.XXXXXX")
trap 'rm -rf "$SCRATCH"' EXIT

# Under SANITIZE=1 the CLI is sanitized and a test's LD_PRELOAD reaches it
# too; a crash inside libbabeltrace2 must stay a signal the CLI reports.
export ASAN_OPTIONS="verify_asan_link_order=0:handle_segv=0${ASAN_OPTIONS:+:$ASAN_OPTIONS}"

skip() { echo "skip: $*"; exit 77; }
fail() { echo "FAIL: $*"; exit 1; }

command -v jq >/dev/null || skip "jq is not installed"
command -v lttng >/dev/null || skip "lttng (lttng-tools) is not installed"

# expect_eq WHAT GOT WANT
expect_eq() {
	[ "$2" = "$3" ] || fail "$1: got '$2', want '$3'"
	echo "ok: $1 = $3"
}

# jqr FILE FILTER: one value out of a JSON report
jqr() { jq -r "$2" "$1"; }

# tw_run NAME ARGS...: tornwatch run with a JSON report in $SCRATCH/NAME.json;
# sets RC to its exit status.
tw_run() {
	local name=$1
	shift
	"$TW" run -o "$SCRATCH/$name.trace" --json "$SCRATCH/$name.json" -- "$@"
	RC=$?
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
