#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Follow-up events name their call by id, so checksums land on the call they
# describe where guessing by (thread, file) went wrong:
# 1. one store over two mappings of one file: each span keeps what it
#    overwrote, and a stale read of the second span is stale_read, not
#    unknown_data (the file's old content was never traced otherwise);
# 2. a store into an in-flight O_DIRECT write's buffer that is itself a
#    shared mapping of another file: the write's new checksum is the
#    write's, not the store's: buffer_modified_in_flight.
. "$(dirname "$0")/../lib.sh"
F=$SCRATCH/two-maps
head -c 32768 /dev/urandom >"$F"
TW_FAULT_PATH=$F TW_FAULT_STALE_PAGES=4-4 TW_FAULT_STATE=$SCRATCH/stale \
	LD_PRELOAD=$FAULT tw_run spans "$BIN/two-maps" "$F"
expect_eq "two spans: exit status" "$RC" 3
J=$SCRATCH/spans.json
expect_eq "two spans: kinds" "$(jqr "$J" '[.anomalies[].kind] | join(",")')" stale_read
expect_eq "two spans: bytes" "$(jqr "$J" '.anomalies[0] | "\(.offset)+\(.length)"')" 16384+4096

A=$SCRATCH/aio-file
runs_here "$BIN/aio-phantom" healthy "$SCRATCH/probe"
TW_FAULT_AIO_HOLD=1 LD_PRELOAD=$BIN/async-fault.so tw_run mapped "$BIN/aio-phantom" eintr-mapped "$A"
expect_eq "mapped buffer: exit status" "$RC" 3
J=$SCRATCH/mapped.json
expect_eq "mapped buffer: kinds" "$(jqr "$J" '[.anomalies[].kind] | join(",")')" buffer_modified_in_flight
expect_eq "mapped buffer: interleaving" "$(interleaving "$J" 0)" \
	"io_submit/submit SIGALRM/deliver io_getevents/return memset/store io_getevents/complete pread/begin pread/end"
