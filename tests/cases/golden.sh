#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Committed traces (tests/data/NAME, recorded by tornwatch run from the
# test programs) analyzed again: the report must be NAME.expect to the byte,
# with exit status 3. Regenerate a .expect only when a change of the report
# is intended: tornwatch analyze tests/data/NAME > tests/data/NAME.expect
. "$(dirname "$0")/../lib.sh"
n=0
for expect in "$TESTS"/data/*.expect; do
	name=$(basename "$expect" .expect)
	"$TW" analyze "$TESTS/data/$name" >"$SCRATCH/$name.out"
	expect_eq "$name: exit status" "$?" 3
	diff -u "$expect" "$SCRATCH/$name.out" || fail "$name: the report changed"
	n=$((n + 1))
done
[ "$n" -gt 0 ] || fail "no golden traces under tests/data"
echo "ok: $n golden reports unchanged"
