#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# One file renamed between two hosts' opens: host A writes x and renames
# it y, host B opens y and reads, its first byte flipped on the way
# (tests/fault: TW_FAULT_FLIP), data no one wrote. The file is matched by its file handle
# (file_open's handle, name_to_handle_at): the path B opened is not one A
# ever opened. The two hosts (tests/multihost-rig.sh) reach one tmpfs
# through bind mounts at roots of their own, so their handles agree, as
# NFS clients' do; FUSE (tearfs) gives none, two mounts' nodeids differ.
# Without handles B's y is another file, with nothing it had to show: no
# verdict.
. "$(dirname "$0")/../lib.sh"
. "$TESTS/multihost-rig.sh"
S=$SCRATCH
unbind() {
	local h
	for h in 0 1; do
		[ -n "${RIG_HOLD[h]:-}" ] && rig_sh $h "umount '$S/root$h'" 2>/dev/null
	done
}
trap 'unbind; rig_down; cleanup' EXIT
rig_skip_unless
mkdir -p "$S/shared" "$S/root0" "$S/root1"
mount -t tmpfs tw-shared "$S/shared" || skip "cannot mount a tmpfs"
MOUNTS+=("$S/shared")
rig_up 0
for h in 0 1; do
	rig_sh $h "mount --bind '$S/shared' '$S/root$h'" || fail "host $h: no bind mount"
done
A=$S/root0 B=$S/root1
rig_run 0 "$BIN/mh-steps $A/x open write:a close rename:$A/y post:$S/x1 wait:$S/x2" >"$S/xA" 2>&1 &
pa=$!
rig_app 1 "cd '$S' && LD_PRELOAD='$FAULT' TW_FAULT_PATH='$B/y' TW_FAULT_FLIP=0 \
	'$TW' run -o '$S/local1' --relay '$RIG_URL' -- \
	$BIN/mh-steps $B/y wait:$S/x1 open read close post:$S/x2" >"$S/xB" 2>&1
wait $pa || fail "host A's steps failed"
cat -v "$S/xA" "$S/xB"
expect_eq "B's read" "$(grep -a read "$S/xB" | cut -c1-9)" "read 4096"
grep -aq "read 4096 'a'" "$S/xB" && fail "B's read was not flipped"
# Both opens recorded a handle, the same one.
handles() { bt_text "$RIG_RELAY_OUT" | grep 'tornwatch:file_open' | grep -E "path = \"$1/(x|y)\"" |
	sed -n 's/.*handle_type = \([0-9]*\),.*handle = \[\(.*\)\].*/\1 \2/p' | sort -u; }
ha=$(handles "$A") hb=$(handles "$B")
[ -n "$ha" ] || fail "A's open recorded no handle"
expect_eq "one handle on both hosts" "$hb" "$ha"

"$TW" analyze --json "$S/r.json" --same-fs "twa$RIG_ID:$A=twb$RIG_ID:$B" "$RIG_RELAY_OUT" >"$S/r.txt"
RC=$?
cat "$S/r.txt"
expect_eq "exit" "$RC" 3
expect_eq "unknown data" "$(jqr "$S/r.json" '[.anomalies[] | .kind + " " + (.file | split("/") | last)] | join(",")')" "unknown_data y"
expect_eq "written on" "$(jqr "$S/r.json" '.anomalies[0].written_on')" "twa$RIG_ID"
[ "$(jqr "$S/r.json" .cross_host_judged)" -gt 0 ] ||
	fail "B's read of y was not judged against A's write of x"
echo "ok: B's read of y judged against A's write of x ($(jqr "$S/r.json" .cross_host_judged) pieces)"
