/* SPDX-License-Identifier: MIT */
/*
 * The core of libtornwatch.so: the table of real functions, the reentrancy
 * guard, identity of the caller and diagnostics.
 */
#ifndef TW_CORE_H
#define TW_CORE_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

#define TW_EXPORT __attribute__((visibility("default")))
#define TW_TLS __attribute__((tls_model("initial-exec"))) __thread
#define likely(x) __builtin_expect(!!(x), 1)
#define unlikely(x) __builtin_expect(!!(x), 0)

/* Every hooked symbol: return type, name, parameter list. */
#define TW_HOOKED(X)								\
	X(void *, memcpy, (void *, const void *, size_t))			\
	X(void *, memmove, (void *, const void *, size_t))			\
	X(void *, memset, (void *, int, size_t))				\
	X(void *, __memcpy_chk, (void *, const void *, size_t, size_t))	\
	X(void *, __memmove_chk, (void *, const void *, size_t, size_t))	\
	X(void *, __memset_chk, (void *, int, size_t, size_t))		\
	X(void *, mmap, (void *, size_t, int, int, int, off_t))		\
	X(void *, mmap64, (void *, size_t, int, int, int, off_t))		\
	X(int, munmap, (void *, size_t))					\
	X(void *, mremap, (void *, size_t, size_t, int, ...))			\
	X(int, msync, (void *, size_t, int))					\
	X(int, open, (const char *, int, ...))					\
	X(int, open64, (const char *, int, ...))				\
	X(int, __open_2, (const char *, int))					\
	X(int, __open64_2, (const char *, int))					\
	X(int, openat, (int, const char *, int, ...))				\
	X(int, openat64, (int, const char *, int, ...))				\
	X(int, creat, (const char *, mode_t))					\
	X(int, creat64, (const char *, mode_t))					\
	X(int, close, (int))							\
	X(int, dup, (int))							\
	X(int, dup2, (int, int))						\
	X(int, dup3, (int, int, int))						\
	X(int, fcntl, (int, int, ...))						\
	X(int, fcntl64, (int, int, ...))					\
	X(int, close_range, (unsigned int, unsigned int, int))		\
	X(int, unlink, (const char *))						\
	X(int, unlinkat, (int, const char *, int))				\
	X(int, remove, (const char *))						\
	X(int, rename, (const char *, const char *))				\
	X(int, renameat, (int, const char *, int, const char *))		\
	X(int, renameat2, (int, const char *, int, const char *,		\
			   unsigned int))					\
	TW_HOOKED_FD_MAKERS(X)							\
	X(ssize_t, read, (int, void *, size_t))					\
	X(ssize_t, __read_chk, (int, void *, size_t, size_t))			\
	X(ssize_t, pread, (int, void *, size_t, off_t))				\
	X(ssize_t, pread64, (int, void *, size_t, off_t))			\
	X(ssize_t, __pread_chk, (int, void *, size_t, off_t, size_t))		\
	X(ssize_t, __pread64_chk, (int, void *, size_t, off_t, size_t))	\
	X(ssize_t, readv, (int, const struct iovec *, int))			\
	X(ssize_t, preadv, (int, const struct iovec *, int, off_t))		\
	X(ssize_t, preadv64, (int, const struct iovec *, int, off_t))		\
	X(ssize_t, preadv2, (int, const struct iovec *, int, off_t, int))	\
	X(ssize_t, preadv64v2, (int, const struct iovec *, int, off_t, int))	\
	X(ssize_t, write, (int, const void *, size_t))				\
	X(ssize_t, pwrite, (int, const void *, size_t, off_t))			\
	X(ssize_t, pwrite64, (int, const void *, size_t, off_t))		\
	X(ssize_t, writev, (int, const struct iovec *, int))			\
	X(ssize_t, pwritev, (int, const struct iovec *, int, off_t))		\
	X(ssize_t, pwritev64, (int, const struct iovec *, int, off_t))	\
	X(ssize_t, pwritev2, (int, const struct iovec *, int, off_t, int))	\
	X(ssize_t, pwritev64v2, (int, const struct iovec *, int, off_t, int))	\
	X(int, ftruncate, (int, off_t))						\
	X(int, ftruncate64, (int, off_t))					\
	X(int, truncate, (const char *, off_t))					\
	X(int, truncate64, (const char *, off_t))				\
	X(int, fallocate, (int, int, off_t, off_t))				\
	X(int, fallocate64, (int, int, off_t, off_t))				\
	X(ssize_t, copy_file_range, (int, off_t *, int, off_t *, size_t,	\
				      unsigned int))				\
	X(ssize_t, sendfile, (int, int, off_t *, size_t))			\
	X(ssize_t, sendfile64, (int, int, off_t *, size_t))			\
	X(ssize_t, splice, (int, off_t *, int, off_t *, size_t, unsigned int))	\
	X(int, ioctl, (int, unsigned long, ...))				\
	X(int, fsync, (int))							\
	X(int, fdatasync, (int))						\
	X(int, sync_file_range, (int, off_t, off_t, unsigned int))		\
	X(pid_t, fork, (void))						\
	X(int, clone, (int (*)(void *), void *, int, void *, ...))		\
	X(void, free, (void *))							\
	X(void *, realloc, (void *, size_t))					\
	X(long, syscall, (long, ...))						\
	X(int, sigaction, (int, const void *, void *))				\
	X(int, execve, (const char *, char *const *, char *const *))		\
	X(int, execvpe, (const char *, char *const *, char *const *))	\
	X(int, fexecve, (int, char *const *, char *const *))			\
	X(int, execv, (const char *, char *const *))				\
	X(int, execvp, (const char *, char *const *))				\
	X(int, posix_spawn, (pid_t *, const char *, const void *,		\
			     const void *, char *const *, char *const *))	\
	X(int, posix_spawnp, (pid_t *, const char *, const void *,		\
			      const void *, char *const *, char *const *))	\
	TW_HOOKED_ASYNC(X)							\
	TW_HOOKED_UNSEEN(X)							\
	X(int, madvise, (void *, size_t, int))					\
	X(ssize_t, process_vm_writev, (pid_t, const struct iovec *,		\
				       unsigned long, const struct iovec *,	\
				       unsigned long, unsigned long))

/*
 * Calls that make a descriptor without any hooked open: the number may
 * have been closed inside libc (fclose) where no hook saw it, and the fd
 * table must forget what it knew of it. FILE * as void *.
 */
#define TW_HOOKED_FD_MAKERS(X)							\
	X(void *, fopen, (const char *, const char *))				\
	X(void *, fopen64, (const char *, const char *))			\
	X(void *, freopen, (const char *, const char *, void *))		\
	X(void *, freopen64, (const char *, const char *, void *))		\
	X(void *, tmpfile, (void))						\
	X(void *, tmpfile64, (void))						\
	X(int, pipe, (int *))							\
	X(int, pipe2, (int *, int))						\
	X(int, socket, (int, int, int))						\
	X(int, socketpair, (int, int, int, int *))				\
	X(int, accept, (int, void *, void *))					\
	X(int, accept4, (int, void *, void *, int))				\
	X(int, memfd_create, (const char *, unsigned int))			\
	X(int, eventfd, (unsigned int, int))					\
	X(int, epoll_create1, (int))						\
	X(int, epoll_create, (int))						\
	X(int, signalfd, (int, const void *, int))				\
	X(int, timerfd_create, (int, int))					\
	X(int, inotify_init, (void))						\
	X(int, inotify_init1, (int))						\
	X(int, fanotify_init, (unsigned int, unsigned int))			\
	X(int, posix_openpt, (int))						\
	X(int, open_by_handle_at, (int, void *, int))				\
	X(void *, popen, (const char *, const char *))				\
	X(void *, opendir, (const char *))					\
	X(ssize_t, recvmsg, (int, void *, int))					\
	X(int, recvmmsg, (int, void *, unsigned int, int, void *))

/*
 * libaio and liburing, opaque pointers as void *: the hooks include the
 * libraries' own headers, the real-function table need not.
 */
#define TW_HOOKED_ASYNC(X)							\
	X(int, io_setup, (int, void *))						\
	X(int, io_destroy, (void *))						\
	X(int, io_submit, (void *, long, void *))				\
	X(int, io_cancel, (void *, void *, void *))				\
	X(int, io_getevents, (void *, long, long, void *, void *))		\
	X(int, io_pgetevents, (void *, long, long, void *, void *, void *))	\
	X(int, io_uring_submit, (void *))					\
	X(int, io_uring_submit_and_wait, (void *, unsigned int))		\
	X(int, io_uring_submit_and_wait_timeout, (void *, void *, unsigned int,	\
						  void *, void *))		\
	X(int, io_uring_submit_and_get_events, (void *))			\
	X(int, io_uring_get_events, (void *))					\
	X(int, io_uring_wait_cqes, (void *, void *, unsigned int, void *,	\
				    void *))					\
	X(int, io_uring_wait_cqe_timeout, (void *, void *, void *))		\
	X(int, __io_uring_get_cqe, (void *, void *, unsigned int, unsigned int,	\
				    void *))					\
	X(unsigned int, io_uring_peek_batch_cqe, (void *, void *, unsigned int))	\
	X(void, io_uring_queue_exit, (void *))					\
	X(int, io_uring_register_files, (void *, const int *, unsigned int))	\
	X(int, io_uring_unregister_files, (void *))				\
	X(int, io_uring_setup, (unsigned int, void *))				\
	X(int, io_uring_enter, (unsigned int, unsigned int, unsigned int,	\
				unsigned int, void *))				\
	X(int, io_uring_enter2, (unsigned int, unsigned int, unsigned int,	\
				 unsigned int, void *, size_t))			\
	X(int, io_uring_register, (unsigned int, unsigned int, const void *,	\
				   unsigned int))

/*
 * Writers whose bytes reach the kernel inside libc, past every hook
 * (unseen.h): FILE and aiocb pointers as void *.
 */
#define TW_HOOKED_UNSEEN(X)							\
	X(void *, fdopen, (int, const char *))					\
	X(int, fclose, (void *))						\
	X(int, aio_write, (void *))						\
	X(int, aio_write64, (void *))						\
	X(int, lio_listio, (int, void *const *, int, void *))			\
	X(int, lio_listio64, (int, void *const *, int, void *))		\
	X(int, aio_error, (const void *))					\
	X(int, aio_error64, (const void *))					\
	X(ssize_t, aio_return, (void *))					\
	X(ssize_t, aio_return64, (void *))

#define TW_REAL_DECL(ret, name, params) extern ret (*tw_real_##name) params;
TW_HOOKED(TW_REAL_DECL)
#undef TW_REAL_DECL

/* Resolves every real function once; safe to call from any hook, any time. */
void tw_resolve(void);

/*
 * The real function, resolved on first use. A hook running before the
 * constructor (another library's constructor, dlsym's own allocations)
 * resolves here; a recursive use while resolving gets NULL and must fall
 * back (the memcpy family has a bootstrap loop, the others fail with ENOSYS).
 */
#define TW_REAL(name)								\
	(likely(tw_real_##name != NULL) ? tw_real_##name :			\
	 (tw_resolve(), tw_real_##name))

/* A hook whose real function could not be found fails as ENOSYS. */
#define TW_NOSYS_RET(name, fail)						\
	do {									\
		if (unlikely(!TW_REAL(name))) {					\
			errno = ENOSYS;						\
			return fail;						\
		}								\
	} while (0)

/* Hook nesting depth of this thread: only depth 1 records anything. */
extern TW_TLS int tw_depth;
/*
 * Where the innermost signal trampoline of this thread runs, 0 outside
 * one (signal-hooks.c). Set, it lets tw_enter see that a handler was left
 * by siglongjmp instead of returning.
 */
extern TW_TLS uintptr_t tw_handler_frame;
void tw_handler_check(void);

/*
 * The depth of a thread whose TLS a clone(CLONE_VM) child without
 * CLONE_SETTLS runs on (clone-hooks.c): two threads then update one
 * tw_depth, and neither can tell itself from the other without a system
 * call. Parked far above 1, their racing increments never make a hook
 * record nor reach lttng-ust, whose per-thread state they share as well.
 */
#define TW_DEPTH_PARKED (1 << 24)

static inline int tw_parked(void)
{
	return tw_depth > TW_DEPTH_PARKED / 2;
}

/* A parked thread's enter: unparks once no child shares its TLS. */
int tw_parked_enter(void);

static inline int tw_enter(void)
{
	int d;

	if (unlikely(tw_handler_frame != 0)) {
		tw_handler_check();
	}
	d = ++tw_depth;
	if (likely(d == 1)) {
		return 1;
	}
	return unlikely(d > TW_DEPTH_PARKED / 2) ? tw_parked_enter() : 0;
}

/* Never below 0: a reset may have dropped the level this leave undoes. */
static inline void tw_leave(void)
{
	if (likely(tw_depth > 0)) {
		--tw_depth;
	}
}

/*
 * Spin locks for the tracer's short critical sections: a hook never blocks
 * and a holder never sleeps. Taken at depth 1 only, so a signal handler's
 * hooks (depth 2) never spin on a lock their interrupted thread holds.
 */
static inline void tw_spin_lock(int *l)
{
	while (__atomic_exchange_n(l, 1, __ATOMIC_ACQUIRE)) {
		__builtin_ia32_pause();
	}
}

static inline int tw_spin_trylock(int *l)
{
	return !__atomic_exchange_n(l, 1, __ATOMIC_ACQUIRE);
}

static inline void tw_spin_unlock(int *l)
{
	__atomic_store_n(l, 0, __ATOMIC_RELEASE);
}

/* Tracing is off until tw_start() ran and when TORNWATCH_DISABLE is set. */
extern int tw_active;

/*
 * Is this return address inside the tracer's own libraries? lttng-ust's
 * threads open, read and mmap (ELF statedump, ring-buffer shm): not the
 * program's I/O.
 */
int tw_from_tracer(const void *caller);
/* A library of the tracer's was just dlopen'ed (libunwind): note its text. */
void tw_tracer_text_loaded(void);
#define TW_CALLER() __builtin_return_address(0)

/* Enters the guard; true when this call is the program's and is traced. */
static inline int tw_watch(const void *caller)
{
	return tw_enter() && tw_active && !tw_from_tracer(caller);
}

/*
 * Around a fork-like call (fork, clone without CLONE_VM): lttng-ust's fork
 * protocol, our registry lock, the child's own ids and start event.
 */
void tw_fork_prepare(sigset_t *set);
/* In the parent; also in a child that is not traced: only the locks released. */
void tw_fork_parent_done(sigset_t *set);
void tw_fork_child_done(sigset_t *set);


/* Saves the tracer's environment for the exec hooks; from the constructor. */
void tw_exec_init(void);

/* Turns tracing on; called once the tracepoint provider is registered. */
void tw_start(void);

int32_t tw_pid(void);
int32_t tw_tid(void);
/* A new call id (tornwatch-events.h). */
uint64_t tw_new_cid(void);

/* Full-check mode: msync checksums every page of its range, not only those stored into. */
extern int tw_full_check;

/* A call record of this thread, ret and err cleared. */
struct tw_call;
void tw_call_init(struct tw_call *c, const char *name, int op, int fd,
		  uint64_t dev, uint64_t ino, int64_t offset, uint64_t length,
		  uint64_t addr);

/* A one-line diagnostic on stderr: stack buffer and write(2), errno kept. */
void tw_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Copy loop for before the real memcpy is known; never compiled into a memcpy call. */
void *tw_boot_copy(void *dst, const void *src, size_t n);
void *tw_boot_move(void *dst, const void *src, size_t n);
void *tw_boot_set(void *dst, int c, size_t n);

#endif
