#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Hostile calls the kernel refuses (bad pointers, iovcnt past IOV_MAX, a
# bogus libaio context) or accepts (msync over pages that can no longer be
# loaded): each case runs bare and under tornwatch, in its own process with
# a timeout, and must give the same result line and exit status. A hook
# that reads an argument before the kernel accepted it dies where the bare
# program gets an errno.
. "$(dirname "$0")/../lib.sh"
CASES="cfr-bad-off-in cfr-bad-off-out syscall-cfr-bad-off splice-bad-off-out
ficlonerange-bad-ptr readv-bad-iov readv-iovmax writev-bad-iov writev-iovmax
preadv-bad-iov preadv-iovmax pwritev2-bad-iov pwritev2-iovmax
io-submit-bogus-ctx io-submit-bad-write-buf io-destroy-bogus-ctx
uring-write-bad-buf uring-writev-bad-iov msync-after-shrink
msync-after-prot-none execve-bad-envp execve-bad-env-string execve-bad-path
posix-spawn-bad-envp raw-write-read raw-mmap-store
stderr-is-data untracked-map-store fd-reused-by-fopen fd-reused-by-raw-dup
fd-reused-by-scm-rights fd-limit-exit dup2-over-low
unlink-bad-path rename-bad-new syscall-unlinkat-bad-dirfd"
bad=()
for c in $CASES; do
	mkdir -p "$SCRATCH/bare-$c" "$SCRATCH/traced-$c"
	timeout -k 5 20 "$BIN/hostile-calls" "$c" "$SCRATCH/bare-$c" \
		"$SCRATCH/bare-$c.out" 2>/dev/null
	brc=$?
	[ "$brc" -ne 2 ] || fail "$c: the program cannot set up the case bare"
	timeout -k 5 60 "$TW" run -o "$SCRATCH/$c.trace" --json "$SCRATCH/$c.json" \
		-- "$BIN/hostile-calls" "$c" "$SCRATCH/traced-$c" \
		"$SCRATCH/traced-$c.out" >/dev/null 2>&1
	trc=$?
	bout=$(cat "$SCRATCH/bare-$c.out" 2>/dev/null)
	tout=$(cat "$SCRATCH/traced-$c.out" 2>/dev/null)
	if [ "$brc" != "$trc" ] || [ "$bout" != "$tout" ]; then
		echo "DIFF $c: bare exit $brc '$bout', traced exit $trc '$tout'"
		bad+=("$c")
		continue
	fi
	echo "same $c: exit $brc '$bout'"
	# Every case is healthy: a file system that answers an errno or an
	# msync is not torn, so the report must say nothing.
	n=$(jqr "$SCRATCH/$c.json" '.anomalies | length' 2>/dev/null)
	[ "$n" = 0 ] || { echo "DIFF $c: $n anomalies reported"; bad+=("$c"); }
	# Raw syscall() forms are recorded like libc's: the open, the write or
	# the mmap and msync, the read back, the close.
	case $c in raw-*)
		n=$(jqr "$SCRATCH/$c.json" '.calls')
		[ "$n" -ge 4 ] || { echo "DIFF $c: only $n calls recorded"; bad+=("$c"); } ;;
	esac
	# A mapping the tables cannot hold is named, not silently dropped.
	if [ "$c" = untracked-map-store ]; then
		n=$(jqr "$SCRATCH/$c.json" '.write_tracking.untracked')
		[ "$n" -gt 0 ] || { echo "DIFF $c: no untracked mapping named"; bad+=("$c"); }
	fi
done
[ ${#bad[@]} -eq 0 ] || fail "bare and traced differ: ${bad[*]}"
