/* SPDX-License-Identifier: MIT */
/*
 * The file handle of what an open fd names, for the analyzer to know one
 * file under two hosts' mounts (an NFS handle is the server's) and through
 * renames. name_to_handle_at with AT_EMPTY_PATH and an empty path does no
 * lookup: the kernel encodes the handle from the fd's inode (NFS: the
 * handle the client holds; FUSE: none unless the daemon exports), touching
 * neither the file, the fd's offset nor anything the program can see.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include "fhandle.h"

void tw_file_handle(struct tw_file_open *o, uint8_t *buf)
{
	union {
		struct file_handle fh;
		char room[sizeof(struct file_handle) + TW_HANDLE_MAX];
	} u;
	int saved = errno, mount_id;

	o->handle_type = 0;
	o->handle_len = 0;
	o->handle = buf;
	u.fh.handle_bytes = TW_HANDLE_MAX;
	if (o->fd >= 0 &&
	    name_to_handle_at(o->fd, "", &u.fh, &mount_id, AT_EMPTY_PATH) == 0 &&
	    u.fh.handle_bytes <= TW_HANDLE_MAX) {
		memcpy(buf, u.fh.f_handle, u.fh.handle_bytes);
		o->handle_type = u.fh.handle_type;
		o->handle_len = (uint8_t)u.fh.handle_bytes;
	}
	errno = saved;
}
