#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The bundled example: LTP rwtest04's sequence from seed 000 (memcpy of
# 9,927 bytes at 4,442,856 into a 12,800,000-byte MAP_SHARED mapping,
# msync(MS_SYNC) of the whole file, verify by lseek + read on a second fd)
# on a file system that serves the verify read from a stale window for pages
# 1085-1087, as the FUSE client of the seed did. tornwatch names the torn
# read, its pages and the interleaving. Succeeds when it does; the trace is
# kept under ./tornwatch-traces/. TORNWATCH names another tornwatch to run
# (an installed one).
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
tw=${TORNWATCH:-$top/cli/tornwatch}
work=$(mktemp -d "${TMPDIR:-/tmp}/tornwatch-example.XXXXXX")
trap 'rm -rf "$work"' EXIT
export TW_FAULT_PATH=$work/mm-sync TW_FAULT_STALE_PAGES=1085-1087 TW_FAULT_STATE=$work/stale
LD_PRELOAD=$top/tests/bin/fault-preload.so \
	"$tw" run -- \
	"$top/tests/bin/mmsync-verify" seed000 "$work/mm-sync"
rc=$?
if [ "$rc" -ne 3 ]; then
	echo "example: expected tornwatch to report the torn read (exit 3), got $rc" >&2
	exit 1
fi
echo "example: the torn read was caught (tornwatch exit 3, as expected)"
