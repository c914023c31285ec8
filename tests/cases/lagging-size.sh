#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The tracer's own system calls must not change what the program sees.
# tearfs with lazy_write,lagging_size acknowledges writes and reports the
# size before them: 16 KiB pwritten, fsynced, mapped and loaded works bare,
# but an fstat first refreshes the kernel's size to 0 and the load raises
# SIGBUS. Before the fd table the hooks' fstat did exactly that.
. "$(dirname "$0")/../lib.sh"
[ "$(id -u)" = 0 ] || skip "mounting FUSE needs root"
[ -c /dev/fuse ] || skip "no /dev/fuse"
D=$SCRATCH/lag
mount_tearfs "$D" lazy_write=5000,lagging_size >"$SCRATCH/why" || skip "$(cat "$SCRATCH/why")"
"$BIN/append-edges" map-load "$D/bare"
bare=$?
"$BIN/append-edges" map-load-fstat "$D/asked"
asked=$?
expect_eq "bare load" "$bare" 0
# Without the fault the test proves nothing: say so rather than pass.
[ "$asked" != 0 ] || skip "this kernel keeps the size across fstat; the fault does not reproduce"
echo "ok: an fstat before the load makes it die (exit $asked)"
tw_run traced "$BIN/append-edges" map-load "$D/traced"
expect_eq "traced exit like bare" "$RC" "$bare"
