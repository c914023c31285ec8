#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The command line: help for each command on stdout with status 0, options
# as getopt_long takes them (--json=F and --json F, -o and --output), and a
# usage error in one line with status 2 that starts no session.
. "$(dirname "$0")/../lib.sh"

for args in "--help" "-h" "help" "help run" "help analyze" "run --help" \
	"analyze --help" "run -h"; do
	out=$("$TW" $args 2>"$SCRATCH/help.err")
	expect_eq "tornwatch $args: exit" "$?" 0
	grep -q '^usage: tornwatch' <<<"$out" || fail "tornwatch $args: no usage on stdout"
	expect_eq "tornwatch $args: stderr" "$(cat "$SCRATCH/help.err")" ""
done
grep -q -- '--exit-code' <<<"$("$TW" help run)" || fail "help run does not name --exit-code"
expect_eq "--version" "$("$TW" --version)" "tornwatch $(sed -n 's/^#define TW_VERSION "\(.*\)"/\1/p' "$TOP/analyzer/version.h")"

# bad WHAT ARGS...: exit 2, exactly one line on stderr naming WHAT, nothing
# on stdout.
bad() {
	local what=$1
	shift
	"$TW" "$@" >"$SCRATCH/bad.out" 2>"$SCRATCH/bad.err"
	expect_eq "$*: exit" "$?" 2
	expect_eq "$*: stderr lines" "$(wc -l <"$SCRATCH/bad.err")" 1
	expect_eq "$*: stdout bytes" "$(wc -c <"$SCRATCH/bad.out")" 0
	grep -qF -- "$what" "$SCRATCH/bad.err" || fail "$*: the message does not name '$what': $(cat "$SCRATCH/bad.err")"
}
cd "$SCRATCH" || fail "cd"
bad '"--bogus"' run --bogus -- true
bad '"-x"' run -x -- true
bad '"--frob=1"' analyze --frob=1 "$SCRATCH"
bad '"--json" needs a value' run --json
bad '--max-anomalies' run --max-anomalies=many -- true
bad '--exit-code' run --exit-code=256 -- true
bad '"--force" takes no value' run --force=1 -- true
bad 'no command' run
bad 'no trace directory' analyze
bad '"frobnicate"' frobnicate
bad '"--frobnicate"' --frobnicate
[ ! -e "$SCRATCH/tornwatch-traces" ] || fail "a usage error made a trace directory"

# Both spellings of a value, long and short output options.
"$TW" run --output="$SCRATCH/a.trace" --json="$SCRATCH/a.json" --max-anomalies=0 -- true 2>/dev/null
expect_eq "--json=F: exit" "$?" 0
expect_eq "--json=F: schema" "$(jqr "$SCRATCH/a.json" .schema)" 2
[ -f "$SCRATCH/a.trace/$(cd "$SCRATCH/a.trace" && find . -name metadata | head -n 1)" ] ||
	fail "--output=DIR: no trace there"
"$TW" run -o "$SCRATCH/b.trace" --json "$SCRATCH/b.json" -- true 2>/dev/null
expect_eq "--json F: exit" "$?" 0
expect_eq "--json F: command" "$(jqr "$SCRATCH/b.json" '.command | join(" ")')" true
# The first operand ends run's options: the command's own stay its own.
"$TW" run -o "$SCRATCH/c.trace" sh -c 'echo "$0 $1"' --json x >"$SCRATCH/c.out" 2>/dev/null
expect_eq "command's options" "$(cat "$SCRATCH/c.out")" "--json x"
"$TW" analyze --json="$SCRATCH/b2.json" --max-anomalies 0 "$SCRATCH/b.trace" >/dev/null
expect_eq "analyze --json=F" "$(jqr "$SCRATCH/b2.json" .schema)" 2
