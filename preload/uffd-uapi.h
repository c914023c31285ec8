/* SPDX-License-Identifier: MIT */
/*
 * What kernel write tracking needs from Linux 6.7+'s uapi (linux/fs.h,
 * linux/userfaultfd.h) that Debian 12's headers predate. Values are the
 * kernel's; nothing here is ours.
 */
#ifndef TW_UFFD_UAPI_H
#define TW_UFFD_UAPI_H

#include <linux/types.h>
#include <sys/ioctl.h>

/* userfaultfd(2) */
#define TW_UFFD_USER_MODE_ONLY 1
#define TW_UFFD_API ((__u64)0xAA)
#define TW_UFFD_FEATURE_WP_HUGETLBFS_SHMEM (1ull << 12)
#define TW_UFFD_FEATURE_WP_UNPOPULATED (1ull << 13)
#define TW_UFFD_FEATURE_WP_ASYNC (1ull << 15)

struct tw_uffdio_api {
	__u64 api;
	__u64 features;
	__u64 ioctls;
};

struct tw_uffdio_range {
	__u64 start;
	__u64 len;
};

struct tw_uffdio_register {
	struct tw_uffdio_range range;
	__u64 mode;
	__u64 ioctls;
};

struct tw_uffdio_writeprotect {
	struct tw_uffdio_range range;
	__u64 mode;
};

#define TW_UFFDIO_REGISTER_MODE_WP (1ull << 1)
#define TW_UFFDIO_WRITEPROTECT_MODE_WP (1ull << 0)
/* /dev/userfaultfd's one ioctl: a userfaultfd without the system call. */
#define TW_USERFAULTFD_IOC_NEW _IO(0xAA, 0x00)
#define TW_UFFDIO_API _IOWR(0xAA, 0x3F, struct tw_uffdio_api)
#define TW_UFFDIO_REGISTER _IOWR(0xAA, 0x00, struct tw_uffdio_register)
#define TW_UFFDIO_UNREGISTER _IOR(0xAA, 0x01, struct tw_uffdio_range)
#define TW_UFFDIO_WRITEPROTECT _IOWR(0xAA, 0x06, struct tw_uffdio_writeprotect)

/* PAGEMAP_SCAN on /proc/self/pagemap */
struct tw_page_region {
	__u64 start;
	__u64 end;
	__u64 categories;
};

struct tw_pm_scan_arg {
	__u64 size;
	__u64 flags;
	__u64 start;
	__u64 end;
	__u64 walk_end;
	__u64 vec;
	__u64 vec_len;
	__u64 max_pages;
	__u64 category_inverted;
	__u64 category_mask;
	__u64 category_anyof_mask;
	__u64 return_mask;
};

#define TW_PAGEMAP_SCAN _IOWR('f', 16, struct tw_pm_scan_arg)
#define TW_PM_SCAN_WP_MATCHING (1ull << 0)
#define TW_PM_SCAN_CHECK_WPASYNC (1ull << 1)
#define TW_PAGE_IS_WRITTEN (1ull << 1)

#endif
