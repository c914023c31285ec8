/* SPDX-License-Identifier: MIT */
/*
 * Calls that change file data past every other hook. madvise(MADV_REMOVE)
 * punches a hole under a shared mapping: recorded like fallocate's punch,
 * the range reads as zeros. process_vm_writev into this process writes
 * through the kernel into whatever lies there: in a tracked mapping, its
 * file was written with data not seen (op opaque). Into another process it
 * may change any file that process has mapped: recorded as data written to
 * no file known (dev 0, ino 0, offset -1), which the analyzer takes as
 * "every file may have changed": undecided from then on, never a verdict.
 * Nothing is read before the real call accepted its arguments.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include "core.h"
#include "emit.h"
#include "maps.h"
#include "pieces.h"
#include "tornwatch-events.h"

#define TW_BLIND_SPANS 8
#define TW_BLIND_IOV 16

/* One call per span: what happened to the file bytes under it. */
static void spans_changed(const char *name, int op, uintptr_t addr,
			  size_t len)
{
	struct tw_span s[TW_BLIND_SPANS];
	struct tw_call c;
	int n = tw_mapreg_find(&tw_maps, addr, len, s, TW_BLIND_SPANS), i;

	for (i = 0; i < n; i++) {
		tw_span_call(&c, name, op, &s[i], 0);
		c.fd = -1;
		tw_emit_call_begin(&c);
		c.ret = op == TW_OP_ZERO ? 0 : (int64_t)s[i].len;
		tw_emit_call_end(&c);
	}
}

TW_EXPORT int madvise(void *addr, size_t len, int advice)
{
	int (*real)(void *, size_t, int) = TW_REAL(madvise);
	int ret, saved;

	if (unlikely(!real)) {
		errno = ENOSYS;
		return -1;
	}
	if (likely(advice != MADV_REMOVE || !tw_mapreg_maybe(&tw_maps, addr, len))) {
		return real(addr, len, advice);
	}
	tw_enter();
	ret = real(addr, len, advice);
	saved = errno;
	if (ret == 0 && tw_depth == 1 && tw_active) {
		spans_changed("madvise", TW_OP_ZERO, (uintptr_t)addr, len);
	}
	tw_leave();
	errno = saved;
	return ret;
}

/* Data written into another process: any file it maps may have changed. */
static void anywhere(ssize_t ret)
{
	struct tw_call c;

	tw_call_init(&c, "process_vm_writev", TW_OP_OPAQUE, -1, 0, 0, -1,
		     (uint64_t)ret, 0);
	tw_emit_call_begin(&c);
	c.ret = ret;
	tw_emit_call_end(&c);
}

/* The remote vector, read once the kernel took it; its first ret bytes. */
static void into_self(const struct iovec *remote, unsigned long n, ssize_t ret)
{
	struct iovec v[TW_BLIND_IOV];
	size_t left = (size_t)ret;
	unsigned long i;

	if (n > TW_BLIND_IOV) {
		n = TW_BLIND_IOV;
	}
	if (tw_safe_copy(v, remote, n * sizeof(*v)) != 0) {
		anywhere(ret);
		return;
	}
	for (i = 0; i < n && left > 0; i++) {
		size_t take = v[i].iov_len < left ? v[i].iov_len : left;

		if (tw_mapreg_maybe(&tw_maps, v[i].iov_base, take)) {
			spans_changed("process_vm_writev", TW_OP_OPAQUE,
				      (uintptr_t)v[i].iov_base, take);
		}
		left -= take;
	}
}

TW_EXPORT ssize_t process_vm_writev(pid_t pid, const struct iovec *local,
				    unsigned long nlocal,
				    const struct iovec *remote,
				    unsigned long nremote, unsigned long flags)
{
	ssize_t (*real)(pid_t, const struct iovec *, unsigned long,
			const struct iovec *, unsigned long, unsigned long) =
		TW_REAL(process_vm_writev);
	ssize_t ret;
	int saved;

	if (unlikely(!real)) {
		errno = ENOSYS;
		return -1;
	}
	tw_enter();
	ret = real(pid, local, nlocal, remote, nremote, flags);
	saved = errno;
	if (ret > 0 && tw_depth == 1 && tw_active) {
		if (pid == tw_pid()) {
			into_self(remote, nremote, ret);
		} else {
			anywhere(ret);
		}
	}
	tw_leave();
	errno = saved;
	return ret;
}
