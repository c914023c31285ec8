#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Seed 001 on real libaio: an O_DIRECT write at 8192 is still in flight (the
# fault preload's slow device) when SIGALRM interrupts io_getevents; the
# program frees the buffer and fills the recycled memory with 'R', which
# the device then writes. One phantom_write naming the write, the signal,
# the -EINTR wait, the free, the store into the recycled memory, the
# completion and the verify read that found 'R'. Its healthy twin, which
# reaps the write before reusing the buffer, reports nothing.
. "$(dirname "$0")/../lib.sh"
F=$SCRATCH/aio-file
runs_here "$BIN/aio-phantom" healthy "$F"

tw_run healthy "$BIN/aio-phantom" healthy "$F"
expect_eq "healthy: exit status" "$RC" 0
expect_eq "healthy: anomalies" "$(jqr "$SCRATCH/healthy.json" '.anomalies | length')" 0
expect_eq "healthy: reads checked" "$(jqr "$SCRATCH/healthy.json" '.reads_checked')" 4

TW_FAULT_AIO_HOLD=1 LD_PRELOAD=$BIN/async-fault.so tw_run eintr "$BIN/aio-phantom" eintr "$F"
expect_eq "exit status" "$RC" 3
J=$SCRATCH/eintr.json
expect_eq "kinds" "$(jqr "$J" '[.anomalies[].kind] | join(",")')" phantom_write
expect_eq "file" "$(jqr "$J" '.anomalies[0].file')" "$F"
expect_eq "range" "$(jqr "$J" '"\(.anomalies[0].offset)+\(.anomalies[0].length)"')" 8192+4096
expect_eq "engine" "$(jqr "$J" '.anomalies[0].engine')" libaio
expect_eq "pages" "$(jqr "$J" '[.anomalies[0].pages[] | "\(.index)=\(.state)"] | join(" ")')" "2=changed"
expect_eq "interleaving" "$(interleaving "$J" 0)" \
	"io_submit/submit SIGALRM/deliver io_getevents/return free/release memset/store io_getevents/complete pread/begin pread/end"
expect_eq "-EINTR wait" "$(jqr "$J" '[.anomalies[0].interleaving[] | select(.op == "wait") | "\(.ret) \(.in_flight)"] | join(",")')" "-4 1"
expect_eq "one I/O" "$(jqr "$J" '[.anomalies[0].interleaving[].io | select(. != null)] | unique | length')" 1

# The same with an O_DIRECT read: the kernel fills the memory the program
# reused after the -EINTR. One abandoned_io naming the read and its fate.
TW_FAULT_AIO_HOLD=1 LD_PRELOAD=$BIN/async-fault.so tw_run read "$BIN/aio-phantom" eintr-read "$F"
expect_eq "read: exit status" "$RC" 3
J=$SCRATCH/read.json
expect_eq "read: kinds" "$(jqr "$J" '[.anomalies[].kind] | join(",")')" abandoned_io
expect_eq "read: range" "$(jqr "$J" '"\(.anomalies[0].offset)+\(.anomalies[0].length)"')" 8192+4096
expect_eq "read: pages" "$(jqr "$J" '[.anomalies[0].pages[] | "\(.index)=\(.state)"] | join(" ")')" "2=released"
expect_eq "read: interleaving" "$(interleaving "$J" 0)" \
	"io_submit/submit SIGALRM/deliver io_getevents/return free/release memset/store io_getevents/complete"

# The buffer unmapped while the write is in flight: the completion's
# checksums must not fault in the program (it went on, as it does bare).
TW_FAULT_AIO_HOLD=1 LD_PRELOAD=$BIN/async-fault.so tw_run unmap "$BIN/aio-phantom" eintr-unmap "$F" >"$SCRATCH/unmap.out"
grep -q "reaped the I/O" "$SCRATCH/unmap.out" || fail "eintr-unmap: the program did not run to its end traced"
expect_eq "eintr-unmap: kinds" "$(jqr "$SCRATCH/unmap.json" '[.anomalies[].kind] | join(",")')" abandoned_io
