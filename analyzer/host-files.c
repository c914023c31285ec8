/* SPDX-License-Identifier: MIT */
/*
 * Files of joined file systems (--same-fs) and the number each is known by
 * (hosts.h tw_hosts_ino). A file is found by the handle its file system
 * gives it (name_to_handle_at at open: the same across clients where the
 * handle is the server's, as NFS's is, and through renames), else by its
 * path below the root. A file system whose handles are the mount's own
 * (FUSE's name node ids, which two mounts hand out each in its own order)
 * is matched by path only: FUSE's kind of handle is never compared across
 * hosts, and any other once one path gives two hosts two handles.
 * Every table is hashed: an open looks up a few entries whatever the
 * number of files.
 */
#define _POSIX_C_SOURCE 200809L

#include <stdlib.h>
#include <string.h>
#include "grow.h"
#include "hosts.h"

static uint64_t mix(uint64_t h, uint64_t v)
{
	h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
	return h * 0xff51afd7ed558ccdull;
}

static uint64_t mix_bytes(uint64_t h, const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++) {
		h = (h ^ b[i]) * 0x100000001b3ull;	/* FNV-1a */
	}
	return mix(h, n);
}

/* The slot holding the entry eq matches, or the empty one it would go in. */
static size_t *probe(const struct tw_hidx *x, uint64_t h,
		     int (*eq)(size_t i, const void *key), const void *key)
{
	size_t i = (size_t)(h ^ (h >> 29)) & (x->cap - 1);

	while (x->slot[i] && !eq(x->slot[i] - 1, key)) {
		i = (i + 1) & (x->cap - 1);
	}
	return &x->slot[i];
}

static int never(size_t i, const void *key)
{
	(void)i;
	(void)key;
	return 0;
}

/* Room for entry n: at most half the slots full; hash(k) rehashes entry k. */
static int reserve(struct tw_hidx *x, size_t n, uint64_t (*hash)(size_t k))
{
	size_t cap = x->cap ? x->cap * 2 : 64;
	struct tw_hidx y = { NULL, cap };

	if ((n + 1) * 2 <= x->cap) {
		return 0;
	}
	y.slot = calloc(cap, sizeof(*y.slot));
	if (!y.slot) {
		return -1;
	}
	for (size_t k = 0; k < n; k++) {
		*probe(&y, hash(k), never, NULL) = k + 1;
	}
	free(x->slot);
	*x = y;
	return 0;
}

/* Paths: (fs, rel). */
struct rel_key {
	size_t fs;
	const char *rel;
};

static uint64_t rel_hash_of(size_t fs, const char *rel)
{
	return mix_bytes(mix(0, fs), rel, strlen(rel));
}

static uint64_t rel_hash(size_t k)
{
	return rel_hash_of(tw_hosts.rels[k].fs, tw_hosts.rels[k].rel);
}

static int rel_eq(size_t i, const void *key)
{
	const struct rel_key *k = key;

	return tw_hosts.rels[i].fs == k->fs && strcmp(tw_hosts.rels[i].rel, k->rel) == 0;
}

/* Handles: (fs, type, bytes). */
struct fh_key {
	size_t fs;
	const struct tw_fhandle *fh;
};

static uint64_t fh_hash_of(size_t fs, int32_t type, const uint8_t *b, size_t n)
{
	return mix_bytes(mix(mix(0, fs), (uint32_t)type), b, n);
}

static uint64_t fh_hash(size_t k)
{
	const struct tw_fh_file *f = &tw_hosts.fhs[k];

	return fh_hash_of(f->fs, f->type, f->bytes, f->len);
}

static int fh_same(const struct tw_fh_file *f, const struct tw_fhandle *fh)
{
	return f->type == fh->type && f->len == fh->len &&
	       memcmp(f->bytes, fh->bytes, f->len) == 0;
}

static int fh_eq(size_t i, const void *key)
{
	const struct fh_key *k = key;

	return tw_hosts.fhs[i].fs == k->fs && fh_same(&tw_hosts.fhs[i], k->fh);
}

/* Numbers taken: (fs, canon). */
static uint64_t canon_hash_key(const struct tw_canon *k)
{
	return mix(mix(0, k->fs), k->canon);
}

static uint64_t canon_hash(size_t k)
{
	return canon_hash_key(&tw_hosts.canons[k]);
}

static int canon_eq(size_t i, const void *key)
{
	const struct tw_canon *k = key;

	return tw_hosts.canons[i].fs == k->fs && tw_hosts.canons[i].canon == k->canon;
}

/* A host's numbers: (host, dev, ino). */
static uint64_t ino_hash_of(uint32_t host, uint64_t dev, uint64_t ino)
{
	return mix(mix(mix(0, host), dev), ino);
}

static uint64_t ino_hash(size_t k)
{
	const struct tw_ino_map *m = &tw_hosts.inos[k];

	return ino_hash_of(m->host, m->dev, m->ino);
}

static int ino_eq(size_t i, const void *key)
{
	const struct tw_ino_map *k = key, *m = &tw_hosts.inos[i];

	return m->host == k->host && m->dev == k->dev && m->ino == k->ino;
}

static int canon_taken(size_t fs, uint64_t canon)
{
	struct tw_canon k = { fs, canon };

	return tw_hosts.canon_idx.cap &&
	       *probe(&tw_hosts.canon_idx, canon_hash_key(&k), canon_eq, &k);
}

static int take_canon(size_t fs, uint64_t canon)
{
	struct tw_canon k = { fs, canon };
	size_t *slot;

	if (reserve(&tw_hosts.canon_idx, tw_hosts.ncanons, canon_hash) ||
	    !TW_GROW(tw_hosts.canons, tw_hosts.ncanons, tw_hosts.capcanons)) {
		return -1;
	}
	slot = probe(&tw_hosts.canon_idx, canon_hash_key(&k), canon_eq, &k);
	if (!*slot) {
		tw_hosts.canons[tw_hosts.ncanons] = k;
		*slot = ++tw_hosts.ncanons;
	}
	return 0;
}

/* A number for a new file of fs: its own, unless another file has it. */
static uint64_t new_canon(size_t fs, uint64_t ino)
{
	/* Numbers no client uses: a file's own number taken by another. */
	uint64_t canon = canon_taken(fs, ino) ?
			 (1ull << 62) | tw_hosts.next_canon++ : ino;

	return take_canon(fs, canon) ? ino : canon;
}

/* The path's entry (NULL: none, *slot where it goes), or NULL out of memory. */
static struct tw_rel_file *rel_find(size_t fs, const char *rel, size_t **slot)
{
	struct rel_key k = { fs, rel };

	*slot = NULL;
	if (reserve(&tw_hosts.rel_idx, tw_hosts.nrels, rel_hash) ||
	    !TW_GROW(tw_hosts.rels, tw_hosts.nrels, tw_hosts.caprels)) {
		return NULL;
	}
	*slot = probe(&tw_hosts.rel_idx, rel_hash_of(fs, rel), rel_eq, &k);
	return **slot ? &tw_hosts.rels[**slot - 1] : NULL;
}

static int rel_add(size_t *slot, size_t fs, const char *rel, uint64_t canon,
		   uint32_t host, size_t handle)
{
	struct tw_rel_file *f = &tw_hosts.rels[tw_hosts.nrels];

	f->rel = strdup(rel);
	if (!f->rel) {
		return -1;
	}
	f->fs = fs;
	f->canon = canon;
	f->host = host;
	f->handle = handle;
	*slot = ++tw_hosts.nrels;
	return 0;
}

/* The handle's entry + 1 (0: none yet, *slot where it goes; or out of memory). */
static size_t fh_find(size_t fs, const struct tw_fhandle *fh, size_t **slot)
{
	struct fh_key k = { fs, fh };

	*slot = NULL;
	if (reserve(&tw_hosts.fh_idx, tw_hosts.nfhs, fh_hash) ||
	    !TW_GROW(tw_hosts.fhs, tw_hosts.nfhs, tw_hosts.capfhs)) {
		return 0;
	}
	*slot = probe(&tw_hosts.fh_idx, fh_hash_of(fs, fh->type, fh->bytes, fh->len),
		      fh_eq, &k);
	return **slot;
}

static size_t fh_add(size_t *slot, size_t fs, uint32_t host,
		     const struct tw_fhandle *fh, uint64_t canon)
{
	struct tw_fh_file *f = &tw_hosts.fhs[tw_hosts.nfhs];

	f->bytes = malloc(fh->len);
	if (!f->bytes) {
		return 0;
	}
	memcpy(f->bytes, fh->bytes, fh->len);
	f->fs = fs;
	f->host = host;
	f->type = fh->type;
	f->len = fh->len;
	f->canon = canon;
	*slot = ++tw_hosts.nfhs;
	return *slot;
}

/*
 * The number of fs's file at rel opened by host with handle fh (len 0:
 * none). A handle seen before is that file wherever it is now. Else the
 * path is, unless the host that named it so gave another handle for it:
 * then the path names a new file (renamed over, or made anew).
 */
static int file_canon(size_t fs, const char *rel, uint32_t host, uint64_t ino,
		      const struct tw_fhandle *fh, uint64_t *canon)
{
	struct tw_same_fs *sf = &tw_hosts.fs[fs];
	struct tw_rel_file *r;
	size_t *rslot, *hslot = NULL, h = 0;

	if (fh->len && (h = fh_find(fs, fh, &hslot)) != 0 &&
	    sf->handles_local && tw_hosts.fhs[h - 1].host != host) {
		h = 0;	/* another mount's handle that happens to be alike */
	}
	if (h) {
		*canon = tw_hosts.fhs[h - 1].canon;
		r = rel_find(fs, rel, &rslot);
		if (!r && rslot) {
			rel_add(rslot, fs, rel, *canon, host, h);
		} else if (r && r->canon != *canon) {
			/* Renamed over what the path named: it names this now. */
			r->canon = *canon;
			r->host = host;
			r->handle = h;
		}
		return 0;
	}
	if (fh->len && !hslot) {
		return -1;
	}
	r = rel_find(fs, rel, &rslot);
	if (!r && !rslot) {
		return -1;
	}
	if (r && fh->len && r->handle && r->host != host &&
	    !fh_same(&tw_hosts.fhs[r->handle - 1], fh)) {
		sf->handles_local = 1;
	}
	if (r && !(fh->len && r->handle && r->host == host)) {
		*canon = r->canon;
	} else {
		*canon = new_canon(fs, ino);
	}
	if (fh->len && !*hslot) {
		h = fh_add(hslot, fs, host, fh, *canon);
	}
	if (r && r->canon != *canon) {
		/* The path names the new file now. */
		r->canon = *canon;
		r->host = host;
		r->handle = h;
	} else if (r && !r->handle && h) {
		r->host = host;
		r->handle = h;
	} else if (!r && rel_add(rslot, fs, rel, *canon, host, h)) {
		return -1;
	}
	return 0;
}

/* The joined file system host's path is under (*fs, *rel), or -1. */
static int locate(uint32_t host, const char *path, size_t *fs, const char **rel)
{
	const char *hn = tw_hosts.name[host];

	for (size_t i = 0; i < tw_hosts.nfs; i++) {
		for (int s = 0; s < 2; s++) {
			const char *root = tw_hosts.fs[i].root[s];

			if (strcmp(tw_hosts.fs[i].host[s], hn) == 0 &&
			    tw_hosts_under(path, root)) {
				*fs = i;
				*rel = path + (strlen(root) == 1 ? 0 : strlen(root));
				return 0;
			}
		}
	}
	return -1;
}

/* A known file opened by a path that named another: it names this one now. */
static void renamed_to(size_t fs, const char *rel, uint32_t host, uint64_t canon)
{
	struct tw_rel_file *r;
	size_t *slot;

	r = rel_find(fs, rel, &slot);
	if (r && r->canon != canon) {
		r->canon = canon;
		r->host = host;
		r->handle = 0;
	} else if (!r && slot) {
		rel_add(slot, fs, rel, canon, host, 0);
	}
}

uint64_t tw_hosts_ino(uint32_t host, uint64_t dev, uint64_t ino,
		      const char *path, const struct tw_fhandle *fh)
{
	static const struct tw_fhandle none;
	struct tw_ino_map k = { host, dev, ino, 0 };
	const char *rel;
	uint64_t canon;
	size_t *slot = NULL, fs;

	if (!tw_hosts.nfs || dev == 0 || host >= tw_hosts.n) {
		return ino;
	}
	if (tw_hosts.ino_idx.cap) {
		slot = probe(&tw_hosts.ino_idx, ino_hash_of(host, dev, ino), ino_eq, &k);
	}
	if (!path || path[0] != '/' || locate(host, path, &fs, &rel) != 0) {
		return slot && *slot ? tw_hosts.inos[*slot - 1].canon : ino;
	}
	if (slot && *slot) {
		canon = tw_hosts.inos[*slot - 1].canon;
		renamed_to(fs, rel, host, canon);
		return canon;
	}
	/* FILEID_INO64_GEN(_PARENT): FUSE's, a node id of this mount. */
	if (!fh || fh->type == 0x81 || fh->type == 0x82) {
		fh = &none;
	}
	if (file_canon(fs, rel, host, ino, fh, &canon) != 0 ||
	    reserve(&tw_hosts.ino_idx, tw_hosts.ninos, ino_hash) ||
	    !TW_GROW(tw_hosts.inos, tw_hosts.ninos, tw_hosts.capinos)) {
		return ino;
	}
	k.canon = canon;
	tw_hosts.inos[tw_hosts.ninos] = k;
	*probe(&tw_hosts.ino_idx, ino_hash_of(host, dev, ino), ino_eq, &k) =
		++tw_hosts.ninos;
	return canon;
}

void tw_hosts_files_free(void)
{
	for (size_t i = 0; i < tw_hosts.nrels; i++) {
		free(tw_hosts.rels[i].rel);
	}
	for (size_t i = 0; i < tw_hosts.nfhs; i++) {
		free(tw_hosts.fhs[i].bytes);
	}
	free(tw_hosts.rels);
	free(tw_hosts.fhs);
	free(tw_hosts.canons);
	free(tw_hosts.inos);
	free(tw_hosts.rel_idx.slot);
	free(tw_hosts.fh_idx.slot);
	free(tw_hosts.canon_idx.slot);
	free(tw_hosts.ino_idx.slot);
}
