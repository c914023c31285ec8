#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Writers whose bytes reach the file inside libc, where no hook sees them:
# a shell redirecting ls into a file (stdio through fd 1), fprintf into a
# fopen'd file over bytes written with write(), glibc's POSIX AIO. Each file
# is then read back by another process. Without the marks each read was a
# certain unknown_data; now it is undecided and the report names the file.
. "$(dirname "$0")/../lib.sh"
cd "$SCRATCH" || fail "no scratch directory"

tw_run ls bash -c 'ls / > F; cat F >/dev/null'
J=$SCRATCH/ls.json
expect_eq "ls: exit status" "$RC" 0
expect_eq "ls: anomalies" "$(jqr "$J" '.anomalies | length')" 0
# Our own stdout and stderr (the runner's log) may be files too: named as well.
unseen() { jqr "$1" "[.unseen_writes[] | select(.file == \"$2\") | $3] | join(\",\")"; }
expect_eq "ls: named" "$(unseen "$J" "$SCRATCH/F" '"\(.via) \(.reads_undecided)"')" "stdio 1"
"$TW" analyze "$SCRATCH/ls.trace" | grep -q \
	"blind spot: $SCRATCH/F: written through stdio by pid [0-9]* (.*), unseen; reads of it since are undecided" ||
	fail "ls: the text report names no blind spot for F"
echo "ok: ls: text blind spot"

tw_run stdio "$BIN/unseen-writers" stdio "$SCRATCH/S"
J=$SCRATCH/stdio.json
expect_eq "stdio: exit status" "$RC" 0
expect_eq "stdio: anomalies" "$(jqr "$J" '.anomalies | length')" 0
expect_eq "stdio: named" "$(unseen "$J" "$SCRATCH/S" '"\(.via) \(.call) \(.reads_undecided)"')" \
	"stdio fopen 1"

tw_run aio "$BIN/unseen-writers" aio "$SCRATCH/A"
J=$SCRATCH/aio.json
expect_eq "aio: exit status" "$RC" 0
expect_eq "aio: anomalies" "$(jqr "$J" '.anomalies | length')" 0
expect_eq "aio: named" "$(unseen "$J" "$SCRATCH/A" '"\(.via) \(.call) \(.reads_undecided)"')" \
	"posix_aio aio_write 1"
# aio_write's mark and lio_listio's, each released once its I/O was reaped.
expect_eq "aio: marks released" "$(bt_text "$SCRATCH/aio.trace" |
	grep -c 'op = "unseen", fd = [0-9]*, dev = [0-9]*, ino = [0-9]*, offset = -1, length = 0, addr = 0x[1-9A-F]')" 2
