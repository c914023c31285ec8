/* SPDX-License-Identifier: MIT */
/*
 * The names of the calls a tornwatch event can say it came from. The trace
 * carries the number (a CTF enumeration, so babeltrace2 and Trace Compass
 * print the name); both sides take names and numbers from this one list.
 * Append only: a number once given keeps its meaning.
 */
#ifndef TW_CALLS_H
#define TW_CALLS_H

#define TW_CALLS(X)							\
	X(unknown, "?")							\
	X(read, "read") X(pread, "pread") X(pread64, "pread64")		\
	X(__read_chk, "__read_chk") X(__pread_chk, "__pread_chk")	\
	X(__pread64_chk, "__pread64_chk")				\
	X(write, "write") X(pwrite, "pwrite") X(pwrite64, "pwrite64")	\
	X(readv, "readv") X(preadv, "preadv") X(preadv2, "preadv2")	\
	X(preadv64, "preadv64") X(preadv64v2, "preadv64v2")		\
	X(writev, "writev") X(pwritev, "pwritev") X(pwritev2, "pwritev2") \
	X(pwritev64, "pwritev64") X(pwritev64v2, "pwritev64v2")	\
	X(memcpy, "memcpy") X(memmove, "memmove") X(memset, "memset")	\
	X(__memcpy_chk, "__memcpy_chk") X(__memmove_chk, "__memmove_chk") \
	X(__memset_chk, "__memset_chk")					\
	X(mmap, "mmap") X(munmap, "munmap") X(mremap, "mremap")		\
	X(msync, "msync")						\
	X(fsync, "fsync") X(fdatasync, "fdatasync")			\
	X(sync_file_range, "sync_file_range")				\
	X(close, "close")						\
	X(open, "open") X(open64, "open64") X(openat, "openat")		\
	X(openat64, "openat64") X(__open_2, "__open_2")			\
	X(__open64_2, "__open64_2") X(creat, "creat") X(creat64, "creat64") \
	X(dup, "dup") X(dup2, "dup2") X(dup3, "dup3")			\
	X(ftruncate, "ftruncate") X(ftruncate64, "ftruncate64")		\
	X(truncate, "truncate") X(truncate64, "truncate64")		\
	X(fallocate, "fallocate") X(fallocate64, "fallocate64")		\
	X(copy_file_range, "copy_file_range") X(splice, "splice")	\
	X(sendfile, "sendfile") X(sendfile64, "sendfile64")		\
	X(ioctl, "ioctl")						\
	X(io_setup, "io_setup") X(io_submit, "io_submit")		\
	X(io_getevents, "io_getevents") X(io_pgetevents, "io_pgetevents") \
	X(io_cancel, "io_cancel") X(io_destroy, "io_destroy")		\
	X(io_uring_submit, "io_uring_submit")				\
	X(io_uring_submit_and_wait, "io_uring_submit_and_wait")	\
	X(io_uring_submit_and_wait_timeout,				\
	  "io_uring_submit_and_wait_timeout")				\
	X(io_uring_submit_and_get_events, "io_uring_submit_and_get_events") \
	X(io_uring_get_events, "io_uring_get_events")			\
	X(io_uring_wait_cqes, "io_uring_wait_cqes")			\
	X(io_uring_wait_cqe_timeout, "io_uring_wait_cqe_timeout")	\
	X(__io_uring_get_cqe, "__io_uring_get_cqe")			\
	X(io_uring_peek_batch_cqe, "io_uring_peek_batch_cqe")		\
	X(io_uring_enter, "io_uring_enter")				\
	X(io_uring_enter2, "io_uring_enter2")				\
	X(cq_ring, "cq ring")						\
	X(free, "free") X(realloc, "realloc")				\
	X(sys_io_submit, "syscall(io_submit)")				\
	X(sys_io_destroy, "syscall(io_destroy)")			\
	X(sys_io_getevents, "syscall(io_getevents)")			\
	X(sys_io_pgetevents, "syscall(io_pgetevents)")			\
	X(sys_io_cancel, "syscall(io_cancel)")				\
	X(sys_io_uring_enter, "syscall(io_uring_enter)")		\
	X(unlink, "unlink") X(unlinkat, "unlinkat") X(remove, "remove")	\
	X(rename, "rename") X(renameat, "renameat")			\
	X(renameat2, "renameat2")	\
	X(start, "start") X(fork, "fork") X(fcntl, "fcntl")		\
	X(fopen, "fopen") X(fopen64, "fopen64") X(fdopen, "fdopen")	\
	X(freopen, "freopen") X(freopen64, "freopen64")		\
	X(tmpfile, "tmpfile") X(tmpfile64, "tmpfile64")		\
	X(fclose, "fclose")						\
	X(aio_write, "aio_write") X(aio_write64, "aio_write64")	\
	X(lio_listio, "lio_listio") X(lio_listio64, "lio_listio64")	\
	X(aio_error, "aio_error") X(aio_error64, "aio_error64")	\
	X(aio_return, "aio_return") X(aio_return64, "aio_return64")	\
	X(madvise, "madvise") X(process_vm_writev, "process_vm_writev")

enum tw_fn {
#define TW_FN_ENUM(id, name) TW_FN_##id,
	TW_CALLS(TW_FN_ENUM)
#undef TW_FN_ENUM
	TW_FN_COUNT
};

/* "?" for a number not in the list. */
const char *tw_fn_name(unsigned int fn);
/* TW_FN_unknown for a name not in the list. */
unsigned int tw_fn_of(const char *name);
/* Once, before threads: makes tw_fn_of one hash and one compare. */
void tw_fn_table_init(void);

#endif
