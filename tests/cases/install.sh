#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# make install PREFIX=DIR puts the CLI, the library (in the multiarch
# LIBDIR), the man pages and the bash completion in place; the installed CLI
# finds its library through the LIBDIR it was built with (also copied
# elsewhere), and relative to itself when the installed tree is moved;
# DESTDIR stages; make uninstall removes every file.
. "$(dirname "$0")/../lib.sh"
MA=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null)
LIB=lib${MA:+/$MA}
P=$SCRATCH/prefix
files="bin/tornwatch $LIB/libtornwatch.so share/man/man1/tornwatch.1
	share/man/man7/libtornwatch.7 share/bash-completion/completions/tornwatch"
make -s -C "$TOP" install PREFIX="$P" >/dev/null || fail "make install"
for f in $files; do
	[ -f "$P/$f" ] || fail "make install: no $f"
done
echo "ok: installed $(echo $files)"
bash -n "$P/share/bash-completion/completions/tornwatch" || fail "the completion is not bash"
man -l "$P/share/man/man1/tornwatch.1" 2>&1 >/dev/null | grep . && fail "man page warnings"
export TW_FAULT_PATH=$SCRATCH/f TW_FAULT_STALE_PAGES=1085-1087 TW_FAULT_STATE=$SCRATCH/stale

# The binary alone, far from its tree: only the compiled-in LIBDIR leads
# to the library.
mkdir -p "$SCRATCH/elsewhere"
cp "$P/bin/tornwatch" "$SCRATCH/elsewhere/"
TW=$SCRATCH/elsewhere/tornwatch
rm -f "$SCRATCH/stale"
LD_PRELOAD=$FAULT tw_run copied "$BIN/mmsync-verify" seed000 "$SCRATCH/f"
expect_eq "copied: exit status" "$RC" 3
expect_eq "copied: kinds" "$(jqr "$SCRATCH/copied.json" '[.anomalies[].kind] | join(",")')" torn_read

mv "$P" "$SCRATCH/moved"
TW=$SCRATCH/moved/bin/tornwatch
rm -f "$SCRATCH/stale"
LD_PRELOAD=$FAULT tw_run installed "$BIN/mmsync-verify" seed000 "$SCRATCH/f"
expect_eq "moved: exit status" "$RC" 3
expect_eq "moved: kinds" "$(jqr "$SCRATCH/installed.json" '[.anomalies[].kind] | join(",")')" torn_read
mv "$SCRATCH/moved" "$P"

make -s -C "$TOP" uninstall PREFIX="$P" >/dev/null || fail "make uninstall"
left=$(find "$P" -type f)
expect_eq "after make uninstall" "$left" ""

# DESTDIR: files under it, the path without it compiled in.
make -s -C "$TOP" install PREFIX=/opt/tw DESTDIR="$SCRATCH/stage" >/dev/null || fail "make install DESTDIR"
for f in $files; do
	[ -f "$SCRATCH/stage/opt/tw/$f" ] || fail "DESTDIR: no $f"
done
grep -qa "/opt/tw/$LIB" "$SCRATCH/stage/opt/tw/bin/tornwatch" || fail "DESTDIR: LIBDIR not compiled in"
grep -qa "$SCRATCH/stage" "$SCRATCH/stage/opt/tw/bin/tornwatch" && fail "DESTDIR compiled in"
echo "ok: DESTDIR staged"
# Leave the build tree's CLI as a plain build makes it.
make -s -C "$TOP" cli >/dev/null
