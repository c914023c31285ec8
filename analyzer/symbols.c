/* SPDX-License-Identifier: MIT */
/*
 * Stacks and their symbols (symbols.h). A process's statedump lists, per
 * binary, the address its first segment was mapped at (baddr) and the
 * span (memsz); an exec in the same pid starts a new statedump, so binaries
 * are kept per (pid, statedump generation) and a stack names the
 * generation its process was in when it came. A binary without debug
 * information still has its ELF symbols; one that cannot be opened gives
 * "??": never an error.
 */
#define _GNU_SOURCE
#include <dwarf.h>
#include <elfutils/libdwfl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "frame-cache.h"
#include "grow.h"
#include "pid-index.h"
#include "symbols.h"

/* 8 MiB of return addresses: beyond, new stacks are not kept. */
#define TW_STACKS_MAX_IPS (1u << 20)

struct bin {
	int32_t pid;
	uint32_t gen;
	uint64_t baddr;
	uint64_t memsz;
	size_t file;
};

struct binfile {
	char *path;
	int tried;
	Dwfl *dwfl;
	Dwfl_Module *mod;
	GElf_Addr start;	/* the module's lowest address */
};

/*
 * A forked child keeps its parent's image and, unless it registered with
 * the session daemon anew, has no statedump of its own: until one comes,
 * its stacks are its parent's image's (from_pid, from_gen).
 */
struct pidgen {
	int32_t pid;
	uint32_t gen;
	int32_t from_pid;	/* 0: none */
	uint32_t from_gen;
};

struct stack {
	int32_t pid;
	uint32_t gen;
	uint32_t off;		/* in ips */
	uint16_t n;
	uint32_t next;		/* hash chain, ids from 1 */
};

#define TW_STACK_BUCKETS 4096

struct tw_symbols {
	struct bin *bins;
	size_t nbins, capbins;
	struct binfile *files;
	size_t nfiles, capfiles;
	struct pidgen *gens;
	size_t ngens, capgens;
	struct tw_pid_index gen_at;	/* where each pid is in gens */
	struct stack *stacks;
	size_t nstacks, capstacks;
	uint64_t *ips;
	size_t nips, capips;
	uint32_t bucket[TW_STACK_BUCKETS];
	struct tw_frame_cache frames;	/* what libdwfl said, per address */
};

struct tw_symbols *tw_symbols_new(void)
{
	return calloc(1, sizeof(struct tw_symbols));
}

void tw_symbols_free(struct tw_symbols *s)
{
	size_t i;

	if (!s) {
		return;
	}
	for (i = 0; i < s->nfiles; i++) {
		free(s->files[i].path);
		if (s->files[i].dwfl) {
			dwfl_end(s->files[i].dwfl);
		}
	}
	free(s->files);
	free(s->bins);
	free(s->gens);
	tw_pid_index_free(&s->gen_at);
	free(s->stacks);
	free(s->ips);
	tw_frame_cache_free(&s->frames);
	free(s);
}

static struct pidgen *gen_of(struct tw_symbols *s, int32_t pid)
{
	long i = tw_pid_find(&s->gen_at, pid);

	return i < 0 ? NULL : &s->gens[i];
}

static int file_of(struct tw_symbols *s, const char *path, size_t *k)
{
	size_t i;

	for (i = 0; i < s->nfiles; i++) {
		if (strcmp(s->files[i].path, path) == 0) {
			*k = i;
			return 0;
		}
	}
	if (!TW_GROW(s->files, s->nfiles, s->capfiles)) {
		return -ENOMEM;
	}
	memset(&s->files[s->nfiles], 0, sizeof(s->files[0]));
	s->files[s->nfiles].path = strdup(path);
	if (!s->files[s->nfiles].path) {
		return -ENOMEM;
	}
	*k = s->nfiles++;
	return 0;
}

/* pid's entry, made (generation 0) if it has none; NULL out of memory. */
static struct pidgen *gen_made(struct tw_symbols *s, int32_t pid)
{
	struct pidgen *g = gen_of(s, pid);

	if (g) {
		return g;
	}
	if (!TW_GROW(s->gens, s->ngens, s->capgens) ||
	    tw_pid_put(&s->gen_at, pid, s->ngens) != 0) {
		return NULL;
	}
	g = &s->gens[s->ngens++];
	memset(g, 0, sizeof(*g));
	g->pid = pid;
	return g;
}

int tw_symbols_fork(struct tw_symbols *s, int32_t pid, int32_t parent)
{
	struct pidgen *g;
	int32_t from_pid;
	uint32_t from_gen;

	if (pid == parent || parent <= 0) {
		return 0;
	}
	g = gen_made(s, parent);
	if (!g) {
		return -ENOMEM;
	}
	/* A child of a child that had no image of its own: the same one. */
	from_pid = g->gen == 0 && g->from_pid ? g->from_pid : parent;
	from_gen = g->gen == 0 && g->from_pid ? g->from_gen : g->gen;
	/* Made after: making it may move the parent's entry. */
	g = gen_made(s, pid);
	if (!g) {
		return -ENOMEM;
	}
	g->from_pid = from_pid;
	g->from_gen = from_gen;
	return 0;
}

int tw_symbols_note(struct tw_symbols *s, const struct tw_event *ev)
{
	int32_t pid = (int32_t)ev->pid;
	struct pidgen *g = gen_made(s, pid);
	struct bin *b;
	size_t k;

	if (!g) {
		return -ENOMEM;
	}
	if (ev->type == TW_EV_BIN_START) {
		/* An image of its own: what it inherited is its no more. */
		g->gen++;
		g->from_pid = 0;
		return 0;
	}
	/* The vdso and other pseudo-files have nothing to open. */
	if (ev->path[0] != '/' || ev->length == 0) {
		return 0;
	}
	if (file_of(s, ev->path, &k) != 0 ||
	    !TW_GROW(s->bins, s->nbins, s->capbins)) {
		return -ENOMEM;
	}
	b = &s->bins[s->nbins++];
	b->pid = pid;
	/* A dlopen after the statedump belongs to its generation; one before any, to the first. */
	b->gen = g->gen ? g->gen : 1;
	b->baddr = ev->addr;
	b->memsz = ev->length;
	b->file = k;
	return 0;
}

static uint32_t hash_stack(int32_t pid, uint32_t gen, const uint64_t *ip,
			   size_t n)
{
	uint64_t h = (uint64_t)(uint32_t)pid * 0x9e3779b97f4a7c15ull ^ gen;
	size_t i;

	for (i = 0; i < n; i++) {
		h = (h ^ ip[i]) * 0xff51afd7ed558ccdull;
		h ^= h >> 29;
	}
	return (uint32_t)(h % TW_STACK_BUCKETS);
}

int tw_stacks_intern(struct tw_symbols *s, int32_t pid, const uint64_t *ip,
		     size_t n, uint32_t *id)
{
	struct pidgen *g = gen_of(s, pid);
	uint32_t gen = g ? g->gen : 0, h, k;
	struct stack *st;

	*id = 0;
	if (n == 0) {
		return 0;
	}
	if (g && g->gen == 0 && g->from_pid) {
		pid = g->from_pid;
		gen = g->from_gen;
	}
	if (n > UINT16_MAX) {
		n = UINT16_MAX;
	}
	h = hash_stack(pid, gen, ip, n);
	for (k = s->bucket[h]; k; k = s->stacks[k - 1].next) {
		st = &s->stacks[k - 1];
		if (st->pid == pid && st->gen == gen && st->n == n &&
		    memcmp(&s->ips[st->off], ip, n * sizeof(*ip)) == 0) {
			*id = k;
			return 0;
		}
	}
	if (s->nips + n > TW_STACKS_MAX_IPS || s->nstacks >= UINT32_MAX - 1) {
		return 0;
	}
	if (tw_grow_to((void **)&s->ips, &s->capips, s->nips + n,
		       sizeof(*s->ips)) != 0 ||
	    !TW_GROW(s->stacks, s->nstacks, s->capstacks)) {
		return -ENOMEM;
	}
	st = &s->stacks[s->nstacks++];
	st->pid = pid;
	st->gen = gen;
	st->off = (uint32_t)s->nips;
	st->n = (uint16_t)n;
	st->next = s->bucket[h];
	memcpy(&s->ips[s->nips], ip, n * sizeof(*ip));
	s->nips += n;
	s->bucket[h] = (uint32_t)s->nstacks;
	*id = (uint32_t)s->nstacks;
	return 0;
}

size_t tw_stacks_depth(const struct tw_symbols *s, uint32_t id)
{
	return s && id && id <= s->nstacks ? s->stacks[id - 1].n : 0;
}

/*
 * The binary mapped at ip in pid: of the stack's own generation, or, for a
 * stack that came before its process's statedump, of the first one.
 */
static const struct bin *bin_at(const struct tw_symbols *s, int32_t pid,
				uint32_t gen, uint64_t ip)
{
	size_t i;

	if (gen == 0) {
		gen = 1;
	}
	for (i = 0; i < s->nbins; i++) {
		const struct bin *b = &s->bins[i];

		if (b->pid == pid && b->gen == gen && ip >= b->baddr &&
		    ip - b->baddr < b->memsz) {
			return b;
		}
	}
	return NULL;
}

static const Dwfl_Callbacks tw_dwfl_callbacks = {
	.find_elf = NULL,
	.find_debuginfo = dwfl_standard_find_debuginfo,
	.section_address = dwfl_offline_section_address,
	.debuginfo_path = NULL,
};

/* The binary's module, opened on first use; NULL if it cannot be. */
static struct binfile *open_file(struct tw_symbols *s, size_t k)
{
	struct binfile *b = &s->files[k];

	if (b->tried) {
		return b->mod ? b : NULL;
	}
	b->tried = 1;
	b->dwfl = dwfl_begin(&tw_dwfl_callbacks);
	if (!b->dwfl) {
		return NULL;
	}
	/* At bias 0: addresses asked are the binary's own. */
	b->mod = dwfl_report_elf(b->dwfl, b->path, b->path, -1, 0, false);
	if (dwfl_report_end(b->dwfl, NULL, NULL) != 0 || !b->mod) {
		dwfl_end(b->dwfl);
		b->dwfl = NULL;
		b->mod = NULL;
		return NULL;
	}
	dwfl_module_info(b->mod, NULL, &b->start, NULL, NULL, NULL, NULL, NULL);
	return b;
}

/* The innermost inlined function at a (the module's addresses), or NULL. */
static const char *inlined_at(Dwfl_Module *mod, GElf_Addr a)
{
	Dwarf_Addr bias = 0;
	Dwarf_Die *cu = dwfl_module_addrdie(mod, a, &bias);
	Dwarf_Die *scopes = NULL;
	const char *name = NULL;
	int n, i;

	if (!cu) {
		return NULL;
	}
	n = dwarf_getscopes(cu, a - bias, &scopes);
	for (i = 0; i < n; i++) {
		int tag = dwarf_tag(&scopes[i]);

		if (tag == DW_TAG_subprogram) {
			break;
		}
		if (tag == DW_TAG_inlined_subroutine) {
			Dwarf_Attribute at;
			Dwarf_Die origin;

			/* An inlined instance is named by its abstract origin. */
			if (dwarf_attr_integrate(&scopes[i], DW_AT_abstract_origin, &at) &&
			    dwarf_formref_die(&at, &origin)) {
				name = dwarf_diename(&origin);
			} else {
				name = dwarf_diename(&scopes[i]);
			}
			break;
		}
	}
	free(scopes);
	return name;
}

/*
 * Asks libdwfl about a (the module's addresses) into *out, its name in
 * room, and keeps the answer; out of memory it is only not kept.
 */
static void symbolize(struct tw_symbols *s, size_t file, Dwfl_Module *mod,
		      GElf_Addr a, struct tw_frame_sym *out, char *room,
		      size_t len)
{
	const char *name = dwfl_module_addrname(mod, a);
	Dwfl_Line *line = dwfl_module_getsrc(mod, a);

	memset(out, 0, sizeof(*out));
	if (name) {
		snprintf(room, len, "%.*s", (int)strcspn(name, "@"), name);
		out->name = room;
	}
	if (line) {
		out->src = dwfl_lineinfo(line, NULL, &out->line, NULL, NULL, NULL);
	}
	out->inlined = inlined_at(mod, a);
	tw_frame_cache_put(&s->frames, file, a, out->name, out->inlined,
			   out->src, out->line);
}

void tw_stacks_frame(struct tw_symbols *s, uint32_t id, size_t k,
		     struct tw_frame *f)
{
	const struct stack *st;
	const struct bin *b;
	struct binfile *bf;
	GElf_Addr a;
	const struct tw_frame_sym *sym;
	struct tw_frame_sym fresh;

	memset(f, 0, sizeof(*f));
	f->function = "??";
	f->binary = "??";
	if (!s || !id || id > s->nstacks || k >= s->stacks[id - 1].n) {
		return;
	}
	st = &s->stacks[id - 1];
	f->address = s->ips[st->off + k];
	b = bin_at(s, st->pid, st->gen, f->address);
	if (!b) {
		return;
	}
	f->binary = s->files[b->file].path;
	f->offset = f->address - b->baddr;
	bf = open_file(s, b->file);
	if (!bf) {
		return;
	}
	/*
	 * A return address: the call is the instruction before it, which
	 * may be on another line (or the last of a noreturn function).
	 */
	a = bf->start + f->offset;
	f->offset = a;
	if (a > 0) {
		a--;
	}
	sym = tw_frame_cache_get(&s->frames, b->file, a);
	if (sym) {
		if (sym->name) {
			snprintf(f->name, sizeof(f->name), "%s", sym->name);
		}
	} else {
		symbolize(s, b->file, bf->mod, a, &fresh, f->name,
			  sizeof(f->name));
		sym = &fresh;
	}
	if (sym->name) {
		f->function = f->name;
	}
	f->inlined = sym->inlined;
	f->file = sym->src;
	f->line = sym->line;
	if (f->inlined && strcmp(f->inlined, f->function) == 0) {
		f->inlined = NULL;
	}
}
