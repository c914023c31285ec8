#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# debian/: dpkg-buildpackage -us -uc -b builds a .deb from a copy of the
# tree; dpkg -i installs it into the system; the installed tornwatch runs
# the bundled example (seed 000's torn read, exit 3) with the library from
# /usr/lib/<multiarch>; dpkg -r removes every file again.
. "$(dirname "$0")/../lib.sh"
command -v dpkg-buildpackage >/dev/null || skip "dpkg-buildpackage is not installed (dpkg-dev)"
command -v dh >/dev/null || skip "dh is not installed (debhelper)"
[ "$(id -u)" = 0 ] || skip "dpkg -i needs root"
if [ "$(dpkg-query -W -f='${Status}' tornwatch 2>/dev/null)" = "install ok installed" ]; then
	skip "a tornwatch package is installed already; not replacing it"
fi
for f in /usr/bin/tornwatch /usr/share/man/man1/tornwatch.1.gz; do
	[ ! -e "$f" ] || skip "$f exists and belongs to no tornwatch package"
done
MA=$(dpkg-architecture -qDEB_HOST_MULTIARCH)

SRC=$SCRATCH/src/tornwatch
mkdir -p "$SRC"
(cd "$TOP" && git ls-files -co --exclude-standard -z |
	xargs -0 tar -cf - --) | tar -xf - -C "$SRC" || fail "cannot copy the tree"
(cd "$SRC" && DEB_BUILD_OPTIONS=parallel=2 dpkg-buildpackage -us -uc -b) \
	>"$SCRATCH/build.log" 2>&1 || { tail -n 20 "$SCRATCH/build.log"; fail "dpkg-buildpackage"; }
deb=$(ls "$SCRATCH"/src/tornwatch_*.deb 2>/dev/null | head -n 1)
[ -n "$deb" ] || fail "no .deb built"
echo "ok: built $(basename "$deb")"
dpkg-deb -c "$deb" >"$SCRATCH/contents" || fail "dpkg-deb -c"
grep -q "/usr/lib/$MA/libtornwatch.so\$" "$SCRATCH/contents" || fail "the .deb has no /usr/lib/$MA/libtornwatch.so"

installed=0
remove() {
	if [ "$installed" = 1 ]; then
		dpkg -r tornwatch >/dev/null 2>&1 || echo "cannot remove the tornwatch package" >&2
	fi
	cleanup
}
trap remove EXIT
if ! dpkg -i "$deb" >"$SCRATCH/dpkg.log" 2>&1; then
	installed=1
	grep -qi 'lock' "$SCRATCH/dpkg.log" && skip "dpkg is locked by another process"
	cat "$SCRATCH/dpkg.log"
	fail "dpkg -i"
fi
installed=1
for f in /usr/bin/tornwatch "/usr/lib/$MA/libtornwatch.so" /usr/share/man/man1/tornwatch.1.gz \
	/usr/share/man/man7/libtornwatch.7.gz /usr/share/bash-completion/completions/tornwatch \
	/usr/share/doc/tornwatch/copyright; do
	[ -f "$f" ] || fail "installed: no $f"
done
echo "ok: installed files in place"
expect_eq "installed --version" "$(/usr/bin/tornwatch --version)" "$("$TW" --version)"

# The bundled example, with the installed CLI and library.
cd "$SCRATCH" || fail "cd"
env -u TORNWATCH_LIB TORNWATCH=/usr/bin/tornwatch "$TOP/examples/seed000.sh" \
	>"$SCRATCH/example.out" 2>&1
rc=$?
cat "$SCRATCH/example.out"
expect_eq "example with the installed tornwatch" "$rc" 0
grep -q '^torn_read: .*mm-sync bytes 4442856\.\.4452782' "$SCRATCH/example.out" ||
	fail "the example's torn read is not in the report"

dpkg -r tornwatch >/dev/null 2>&1 || fail "dpkg -r"
installed=0
for f in /usr/bin/tornwatch "/usr/lib/$MA/libtornwatch.so" /usr/share/man/man1/tornwatch.1.gz; do
	[ ! -e "$f" ] || fail "after dpkg -r: $f is still there"
done
echo "ok: dpkg -r removed it"
