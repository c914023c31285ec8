/* SPDX-License-Identifier: MIT */
/* Hosts, their clock uncertainty, shared file systems and models (hosts.h). */
#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "grow.h"
#include "hosts.h"
#include "tornwatch-events.h"

struct tw_hosts tw_hosts = { .eps_ns = -1 };

/* The bit a host's index takes in a dev number no root joins. */
#define TW_HOST_SHIFT 56
/* A joined file system's dev: its declaration's index under this tag. */
#define TW_FS_TAG (0xfeull << TW_HOST_SHIFT)

static const char *const model_names[] = {
	[TW_MODEL_POSIX] = "posix",
	[TW_MODEL_CTO] = "close-to-open",
	[TW_MODEL_COMMIT] = "commit",
	[TW_MODEL_SESSION] = "session",
	[TW_MODEL_MSYNC] = "msync",
};

const char *tw_model_name(enum tw_model m)
{
	return (size_t)m < sizeof(model_names) / sizeof(model_names[0]) ?
	       model_names[m] : "?";
}

/* "HOST:/ROOT" into its parts; -1 when there is no ':' or no '/'. */
static int host_root(const char *s, size_t len, char *host, size_t hl,
		     char *root, size_t rl)
{
	const char *colon = memchr(s, ':', len);
	size_t h, r;

	if (!colon || colon == s) {
		return -1;
	}
	h = (size_t)(colon - s);
	r = len - h - 1;
	if (h >= hl || r >= rl || r == 0 || colon[1] != '/') {
		return -1;
	}
	memcpy(host, s, h);
	host[h] = '\0';
	memcpy(root, colon + 1, r);
	root[r] = '\0';
	/* "/mnt/" and "/mnt" are the same root. */
	while (r > 1 && root[r - 1] == '/') {
		root[--r] = '\0';
	}
	return 0;
}

int tw_hosts_add_same_fs(const char *arg)
{
	const char *eq = strchr(arg, '=');
	struct tw_same_fs *fs;
	size_t cap = tw_hosts.nfs;

	if (!eq) {
		return -1;
	}
	if (tw_grow_to((void **)&tw_hosts.fs, &cap, tw_hosts.nfs + 1,
		       sizeof(*tw_hosts.fs))) {
		return -1;
	}
	fs = &tw_hosts.fs[tw_hosts.nfs];
	memset(fs, 0, sizeof(*fs));
	if (host_root(arg, (size_t)(eq - arg), fs->host[0], sizeof(fs->host[0]),
		      fs->root[0], sizeof(fs->root[0])) ||
	    host_root(eq + 1, strlen(eq + 1), fs->host[1], sizeof(fs->host[1]),
		      fs->root[1], sizeof(fs->root[1]))) {
		return -1;
	}
	tw_hosts.nfs++;
	return 0;
}

static int model_of(const char *s, enum tw_model *m)
{
	for (size_t i = 0; i < sizeof(model_names) / sizeof(model_names[0]); i++) {
		if (strcmp(s, model_names[i]) == 0) {
			*m = (enum tw_model)i;
			return 0;
		}
	}
	if (strcmp(s, "cto") == 0 || strcmp(s, "nfs") == 0) {
		*m = TW_MODEL_CTO;
		return 0;
	}
	return -1;
}

int tw_hosts_add_model(const char *arg)
{
	const char *eq = strrchr(arg, '=');
	struct tw_model_rule *mr;
	size_t cap = tw_hosts.nmodels;
	size_t rl = eq ? (size_t)(eq - arg) : 0;

	if (rl >= sizeof(mr->root) || (eq && arg[0] != '/')) {
		return -1;
	}
	if (tw_grow_to((void **)&tw_hosts.models, &cap, tw_hosts.nmodels + 1,
		       sizeof(*tw_hosts.models))) {
		return -1;
	}
	mr = &tw_hosts.models[tw_hosts.nmodels];
	memcpy(mr->root, arg, rl);
	mr->root[rl] = '\0';
	while (rl > 1 && mr->root[rl - 1] == '/') {
		mr->root[--rl] = '\0';
	}
	if (model_of(eq ? eq + 1 : arg, &mr->model)) {
		return -1;
	}
	tw_hosts.nmodels++;
	return 0;
}

/* NS[ns|us|ms|s]: ε; a bare number is nanoseconds. */
int tw_hosts_set_eps(const char *arg)
{
	char *end;
	unsigned long long v;
	uint64_t mul = 1;

	errno = 0;
	v = strtoull(arg, &end, 10);
	if (errno || end == arg || arg[0] == '-') {
		return -1;
	}
	if (strcmp(end, "s") == 0) {
		mul = 1000000000ull;
	} else if (strcmp(end, "ms") == 0) {
		mul = 1000000ull;
	} else if (strcmp(end, "us") == 0) {
		mul = 1000ull;
	} else if (*end && strcmp(end, "ns") != 0) {
		return -1;
	}
	if (v > (uint64_t)INT64_MAX / mul) {
		return -1;
	}
	tw_hosts.eps_ns = (int64_t)(v * mul);
	return 0;
}

int tw_hosts_index(const char *name)
{
	if (!name) {
		name = "";
	}
	for (size_t i = 0; i < tw_hosts.n; i++) {
		if (strcmp(tw_hosts.name[i], name) == 0) {
			return (int)i;
		}
	}
	if (tw_hosts.n == TW_HOSTS_MAX) {
		return -1;
	}
	tw_hosts.name[tw_hosts.n] = strdup(name);
	if (!tw_hosts.name[tw_hosts.n]) {
		return -1;
	}
	return (int)tw_hosts.n++;
}

int tw_hosts_under(const char *path, const char *root)
{
	size_t n = strlen(root);

	if (n == 1) {
		return path[0] == '/';
	}
	return strncmp(path, root, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

static void learn(uint32_t host, uint64_t dev, const char *path)
{
	const char *hn = tw_hosts.name[host];

	for (size_t i = 0; i < tw_hosts.nfs; i++) {
		const struct tw_same_fs *fs = &tw_hosts.fs[i];

		for (int s = 0; s < 2; s++) {
			if (strcmp(fs->host[s], hn) != 0 || !tw_hosts_under(path, fs->root[s])) {
				continue;
			}
			if (tw_grow_to((void **)&tw_hosts.devs, &tw_hosts.capdevs,
				       tw_hosts.ndevs + 1, sizeof(*tw_hosts.devs))) {
				return;	/* then the file stays the host's own */
			}
			tw_hosts.devs[tw_hosts.ndevs++] = (struct tw_dev_map){
				host, dev, TW_FS_TAG | i };
			return;
		}
	}
}

uint64_t tw_hosts_dev(uint32_t host, uint64_t dev, const char *path)
{
	size_t i;

	if (dev == 0 || host >= tw_hosts.n) {
		return dev;
	}
	for (i = 0; i < tw_hosts.ndevs; i++) {
		if (tw_hosts.devs[i].host == host && tw_hosts.devs[i].dev == dev) {
			return tw_hosts.devs[i].canon;
		}
	}
	if (path && path[0] == '/' && tw_hosts.nfs) {
		learn(host, dev, path);
		if (i < tw_hosts.ndevs) {
			return tw_hosts.devs[i].canon;
		}
	}
	return host ? dev ^ ((uint64_t)host << TW_HOST_SHIFT) : dev;
}

/*
 * Is path under root, or is it the same file under the other root of a
 * joined file system (the report names a file by the path seen first)?
 */
static int under_any(const char *path, const char *root)
{
	char other[4096];

	if (tw_hosts_under(path, root)) {
		return 1;
	}
	for (size_t i = 0; i < tw_hosts.nfs; i++) {
		for (int s = 0; s < 2; s++) {
			const char *from = tw_hosts.fs[i].root[s];
			const char *to = tw_hosts.fs[i].root[1 - s];

			if (!tw_hosts_under(path, from)) {
				continue;
			}
			if ((size_t)snprintf(other, sizeof(other), "%s%s", to,
					     path + strlen(from)) < sizeof(other) &&
			    tw_hosts_under(other, root)) {
				return 1;
			}
		}
	}
	return 0;
}

enum tw_model tw_hosts_model(const char *path)
{
	enum tw_model m = TW_MODEL_POSIX;
	size_t best = 0;

	for (size_t i = 0; i < tw_hosts.nmodels; i++) {
		const struct tw_model_rule *mr = &tw_hosts.models[i];
		size_t n = strlen(mr->root);

		if (n == 0 && best == 0) {
			m = mr->model;
		} else if (n && path && n + 1 > best && under_any(path, mr->root)) {
			m = mr->model;
			best = n + 1;
		}
	}
	return m;
}

void tw_hosts_clock(uint32_t host, int64_t sync, int64_t maxerror_us)
{
	if (host >= TW_HOSTS_MAX || sync == TW_CLOCK_UNKNOWN) {
		return;
	}
	if (sync == TW_CLOCK_UNSYNCED) {
		tw_hosts.clock_sync[host] = TW_CLOCK_UNSYNCED;
		return;
	}
	if (tw_hosts.clock_sync[host] == TW_CLOCK_UNKNOWN) {
		tw_hosts.clock_sync[host] = TW_CLOCK_SYNCED;
	}
	if (maxerror_us > 0 && maxerror_us * 1000 > tw_hosts.clock_err_ns[host]) {
		tw_hosts.clock_err_ns[host] = maxerror_us * 1000;
	}
}

/* Every host's clock synchronized: ε can be had from their errors. */
static int eps_measured(void)
{
	for (size_t i = 0; i < tw_hosts.n; i++) {
		if (tw_hosts.clock_sync[i] != TW_CLOCK_SYNCED) {
			return 0;
		}
	}
	return tw_hosts.n > 0;
}

const char *tw_hosts_eps_source(void)
{
	if (tw_hosts.eps_ns >= 0) {
		return "declared";
	}
	return eps_measured() ? "measured" : "none";
}

/*
 * Two clocks each within their NTP maximum error of true time are within
 * the sum of the two of each other.
 */
int64_t tw_hosts_eps(uint32_t a, uint32_t b)
{
	if (a == b) {
		return 0;
	}
	if (tw_hosts.eps_ns >= 0) {
		return tw_hosts.eps_ns;
	}
	if (eps_measured() && a < tw_hosts.n && b < tw_hosts.n) {
		return tw_hosts.clock_err_ns[a] + tw_hosts.clock_err_ns[b];
	}
	return 0;
}

int64_t tw_hosts_eps_max(void)
{
	int64_t a = 0, b = 0;

	if (tw_hosts.n < 2) {
		return 0;
	}
	if (tw_hosts.eps_ns >= 0) {
		return tw_hosts.eps_ns;
	}
	if (!eps_measured()) {
		return 0;
	}
	/* The two largest errors: the largest sum of two. */
	for (size_t i = 0; i < tw_hosts.n; i++) {
		int64_t e = tw_hosts.clock_err_ns[i];

		if (e > a) {
			b = a;
			a = e;
		} else if (e > b) {
			b = e;
		}
	}
	return a + b;
}

const char *tw_host_label(uint32_t host)
{
	if (host >= tw_hosts.n || !tw_hosts.name[host][0]) {
		return "(unnamed host)";
	}
	return tw_hosts.name[host];
}

int tw_hosts_shown(void)
{
	return tw_hosts.n > 1 || tw_hosts.nmodels || tw_hosts.nfs ||
	       tw_hosts.eps_ns >= 0;
}

void tw_hosts_free(void)
{
	for (size_t i = 0; i < tw_hosts.n; i++) {
		free(tw_hosts.name[i]);
	}
	free(tw_hosts.fs);
	free(tw_hosts.models);
	free(tw_hosts.devs);
	tw_hosts_files_free();
	memset(&tw_hosts, 0, sizeof(tw_hosts));
	tw_hosts.eps_ns = -1;
}
