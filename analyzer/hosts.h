/* SPDX-License-Identifier: MIT */
/*
 * Hosts as a dimension of the trace: each CTF trace names the host its
 * session daemon ran on (environment "hostname"); events carry its index.
 * Across hosts, order holds only beyond a clock uncertainty ε, a file is
 * one file only where a declared mount root says so, and what a read had
 * to see depends on the consistency model of the file system.
 */
#ifndef TW_HOSTS_H
#define TW_HOSTS_H

#include <stddef.h>
#include <stdint.h>

#define TW_HOSTS_MAX 64	/* host × 2^22 + pid stays an int32_t */

/* What makes a write on one host required for a read on another. */
enum tw_model {
	TW_MODEL_POSIX = 0,	/* the write returned before the read began */
	TW_MODEL_CTO,		/* the writer closed before the reader opened */
	TW_MODEL_COMMIT,	/* the writer's fsync returned before the read */
	TW_MODEL_SESSION,	/* Recorder's session: as close-to-open */
	TW_MODEL_MSYNC,		/* only msync or fsync publish: as commit */
};

/* --same-fs HOSTA:/ROOT=HOSTB:/ROOT: one file system under both roots. */
struct tw_same_fs {
	char host[2][256];
	char root[2][1024];
	int handles_local;	/* one path, two hosts, two handles: per mount */
};

/* --model [ROOT=]MODEL: the model of files whose path is under ROOT. */
struct tw_model_rule {
	char root[1024];	/* "": every file */
	enum tw_model model;
};

struct tw_dev_map {
	uint32_t host;
	uint64_t dev;
	uint64_t canon;
};

/* Open addressing over an array's indexes (host-files.c): slot = index + 1, 0 empty. */
struct tw_hidx {
	size_t *slot;
	size_t cap;
};

/* A file of a joined file system, by its path under the root. */
struct tw_rel_file {
	size_t fs;
	char *rel;		/* the path below the root ("" for the root) */
	uint64_t canon;		/* the inode number it is known by */
	uint32_t host;		/* the host whose open named it so */
	size_t handle;		/* that open's file handle + 1 (tw_fh_file), or 0 */
};

/* A file of a joined file system, by the handle its file system gives it. */
struct tw_fh_file {
	size_t fs;
	uint32_t host;		/* the first host that gave it */
	int32_t type;
	uint32_t len;
	uint8_t *bytes;
	uint64_t canon;
};

/* A number a joined file system's file is known by. */
struct tw_canon {
	size_t fs;
	uint64_t canon;
};

/* A file handle from a file_open (name_to_handle_at): len 0, none. */
struct tw_fhandle {
	int32_t type;
	uint32_t len;
	const uint8_t *bytes;
};

/* A host's inode number on a joined file system, and the one it stands for. */
struct tw_ino_map {
	uint32_t host;
	uint64_t dev;		/* the host's own dev number */
	uint64_t ino;
	uint64_t canon;
};

struct tw_hosts {
	char *name[TW_HOSTS_MAX];
	uint64_t events[TW_HOSTS_MAX];
	/* Each host's clock as its processes found it (enum tw_clock_sync). */
	int clock_sync[TW_HOSTS_MAX];
	int64_t clock_err_ns[TW_HOSTS_MAX];	/* the largest NTP maximum error */
	size_t n;
	int64_t eps_ns;			/* declared ε; -1: none */
	struct tw_same_fs *fs;
	size_t nfs;
	struct tw_model_rule *models;
	size_t nmodels;
	struct tw_dev_map *devs;	/* learned from opens under the roots */
	size_t ndevs, capdevs;
	struct tw_rel_file *rels;	/* files of joined roots, by path */
	size_t nrels, caprels;
	struct tw_fh_file *fhs;		/* and by file handle */
	size_t nfhs, capfhs;
	struct tw_canon *canons;	/* the numbers they are known by */
	size_t ncanons, capcanons;
	struct tw_ino_map *inos;
	size_t ninos, capinos;
	struct tw_hidx rel_idx, fh_idx, canon_idx, ino_idx;
	uint64_t next_canon;		/* for a number another file took */
	uint64_t cross_undecided;	/* read pieces left concurrent across hosts */
	uint64_t cross_judged;		/* read pieces judged against another host */
};

/* The one table of the analysis (set up before the traces are read). */
extern struct tw_hosts tw_hosts;

/* Option parsers: 0, or -1 when the argument is malformed. */
int tw_hosts_add_same_fs(const char *arg);
int tw_hosts_add_model(const char *arg);
int tw_hosts_set_eps(const char *arg);
/* The index of host name (NULL or "": the unnamed host), -1 when full. */
int tw_hosts_index(const char *name);
/*
 * The file identity of (host, dev) with path opened there (path may be
 * NULL): host 0's own numbers stay as they are; another host's dev is
 * told apart by its index unless a declared root joins it to another's.
 */
uint64_t tw_hosts_dev(uint32_t host, uint64_t dev, const char *path);
/*
 * The inode number a host's (dev, ino) on a joined file system stands for
 * (before tw_hosts_dev, with the host's own dev, host-files.c): the same
 * file handle, else the same path below the two roots, is one file even
 * where the two clients number it apart; the first number seen for a
 * file is kept. path, fh: those of an open, or NULL.
 */
uint64_t tw_hosts_ino(uint32_t host, uint64_t dev, uint64_t ino,
		      const char *path, const struct tw_fhandle *fh);
/* Is path root itself or below it? */
int tw_hosts_under(const char *path, const char *root);
void tw_hosts_files_free(void);
/*
 * Process and thread ids of host > 0 are told apart from other hosts'
 * by host × 2^22 (above Linux's largest pid_max): the report shows them so.
 */
#define TW_HOST_PID_SHIFT 22
static inline int64_t tw_hosts_pid(uint32_t host, int64_t pid)
{
	return pid > 0 ? pid + ((int64_t)host << TW_HOST_PID_SHIFT) : pid;
}
/* The model a file (its path, NULL: unknown) is judged under. */
enum tw_model tw_hosts_model(const char *path);
const char *tw_model_name(enum tw_model m);
/* ε between two hosts (0 on the same host). */
int64_t tw_hosts_eps(uint32_t a, uint32_t b);
/* The largest ε between any two hosts (0 with one host). */
int64_t tw_hosts_eps_max(void);
/*
 * A process's start said how its host's clock was disciplined: synchronized
 * with a maximum error (µs), or not; any unsynchronized start marks the host.
 */
void tw_hosts_clock(uint32_t host, int64_t sync, int64_t maxerror_us);
/* Where ε comes from: "declared", "measured" (every host synchronized) or "none". */
const char *tw_hosts_eps_source(void);
/* The host's name for the report. */
const char *tw_host_label(uint32_t host);
/* The report says hosts only where there is more than one or a model. */
int tw_hosts_shown(void);
void tw_hosts_free(void);

#endif
