#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs every unit test binary and every case script, each under a timeout;
# exit codes 0 pass, 77 skip, anything else fail. Ends with the summary line.
set -u
cd "$(dirname "$0")"
mkdir -p out
passed=0 failed=0 skipped=0
tests=(bin/*-test cases/*.sh)
[ $# -gt 0 ] && tests=("$@")
for t in "${tests[@]}"; do
	[ -e "$t" ] || continue
	name=$(basename "$t" .sh)
	log="out/$name.log"
	start=$(date +%s)
	timeout -k 10 "${TW_TEST_TIMEOUT:-300}" "./$t" >"$log" 2>&1
	rc=$?
	secs=$(( $(date +%s) - start ))
	case $rc in
	0) passed=$((passed + 1)); printf 'PASS %-28s %3ss\n' "$name" "$secs" ;;
	77) skipped=$((skipped + 1)); printf 'SKIP %-28s %s\n' "$name" "$(tail -n 1 "$log")" ;;
	*) failed=$((failed + 1)); printf 'FAIL %-28s exit %s (log: tests/%s)\n' "$name" "$rc" "$log"
	   sed 's/^/    | /' "$log" | tail -n 30 ;;
	esac
done
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
