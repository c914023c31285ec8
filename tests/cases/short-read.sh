#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A synchronous read that returns fewer bytes than the file had to hold: on
# tearfs with lazy_write,lagging_size the program's own fstat takes the
# daemon's old size, and pread of what pwrite just wrote returns short
# (fio psync verify's "full resid"). tornwatch names it short_read, citing
# the write that made the file longer; on a healthy file system nothing.
# Before, such a read was not checked at all (0 reads checked).
. "$(dirname "$0")/../lib.sh"
tw_run healthy "$BIN/short-read" "$SCRATCH/healthy"
expect_eq "healthy: exit" "$RC" 0
expect_eq "healthy: anomalies" "$(jqr "$SCRATCH/healthy.json" '.anomalies | length')" 0
# Reads at or past the end the file had to have owe nothing (fsstress's
# and cmp's reads at EOF were short_reads when the wanted length went negative).
tw_run past python3 -c "import os
fd = os.open('$SCRATCH/past', os.O_RDWR | os.O_CREAT | os.O_TRUNC)
os.pwrite(fd, b'a' * 4096, 0)
assert len(os.pread(fd, 4096, 8192)) == 0 and len(os.pread(fd, 4096, 2048)) == 2048"
expect_eq "past the end: exit" "$RC" 0
expect_eq "past the end: anomalies" "$(jqr "$SCRATCH/past.json" '.anomalies | length')" 0
[ "$(id -u)" = 0 ] || skip "mounting FUSE needs root"
[ -c /dev/fuse ] || skip "no /dev/fuse"
D=$SCRATCH/lag
mount_tearfs "$D" lazy_write=5000,lagging_size >"$SCRATCH/why" || skip "$(cat "$SCRATCH/why")"
"$BIN/short-read" "$D/bare"
[ $? -eq 1 ] || skip "the read was not short here: the fault does not reproduce"
tw_run lag "$BIN/short-read" "$D/traced"
expect_eq "lagging: exit" "$RC" 3
J=$SCRATCH/lag.json
expect_eq "lagging: kinds" "$(jqr "$J" '[.anomalies[].kind] | join(",")')" short_read
expect_eq "lagging: the write cited" "$(jqr "$J" '[.anomalies[0].interleaving[] | select(.phase == "end") | .call] | join(" ")')" "pwrite pread"
expect_eq "lagging: not read" "$(jqr "$J" '[.anomalies[0].pages[] | select(.state == "not_read") | .length] | add')" 65536
