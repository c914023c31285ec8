/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "file-hash.h"
#include "hosts.h"
#include "rules-int.h"
#include "size-rules.h"
#include "tornwatch-events.h"

static struct tw_file_size *slot(struct tw_file_size *t, size_t cap,
				 uint64_t dev, uint64_t ino)
{
	size_t i = tw_file_hash(dev, ino) & (cap - 1);

	while (t[i].used && (t[i].dev != dev || t[i].ino != ino)) {
		i = (i + 1) & (cap - 1);
	}
	return &t[i];
}

static struct tw_file_size *grow(struct tw_sizes *z, uint64_t dev, uint64_t ino)
{
	struct tw_file_size *f;

	if ((z->n + 1) * 2 > z->cap) {
		size_t cap = z->cap ? z->cap * 2 : 64, i;
		struct tw_file_size *t = calloc(cap, sizeof(*t));

		if (!t) {
			return NULL;
		}
		for (i = 0; i < z->cap; i++) {
			if (z->f[i].used) {
				*slot(t, cap, z->f[i].dev, z->f[i].ino) = z->f[i];
			}
		}
		free(z->f);
		z->f = t;
		z->cap = cap;
	}
	f = slot(z->f, z->cap, dev, ino);
	memset(f, 0, sizeof(*f));
	f->used = 1;
	f->dev = dev;
	f->ino = ino;
	f->base = -1;
	f->t_base = INT64_MIN;
	f->base_rec = NO_REC;
	z->n++;
	return f;
}

static struct tw_file_size *find(const struct tw_sizes *z, uint64_t dev,
				 uint64_t ino)
{
	struct tw_file_size *f;

	return z->cap && (f = slot(z->f, z->cap, dev, ino))->used ? f : NULL;
}

static struct tw_file_size *file_of(struct tw_sizes *z, uint64_t dev,
				    uint64_t ino, int make)
{
	struct tw_file_size *f = find(z, dev, ino);

	return f || !make ? f : grow(z, dev, ino);
}

static void apply(int64_t *size, size_t *rec, const struct tw_size_step *s)
{
	if (s->set || s->size > *size) {
		*size = s->size;
		*rec = s->rec;
	}
}

/* The oldest step goes into the base: reads still to come are after it. */
static void fold_oldest(struct tw_file_size *f)
{
	apply(&f->base, &f->base_rec, &f->s[0]);
	f->t_base = f->s[0].t_end;
	memmove(f->s, f->s + 1, (f->n - 1) * sizeof(f->s[0]));
	f->n--;
}

int tw_size_settle(struct ctx *c, size_t i)
{
	const struct tw_rec *x = tw_rec_at(c->r, i);
	struct tw_size_step st = { x->t_begin, x->t_end, 0, 0, x->host, i };
	struct tw_file_size *f;
	size_t k;

	if (!x->ended || x->ret < 0 || x->offset < 0 || x->aio || x->anywhere) {
		return 0;
	}
	switch (x->op) {
	case TW_OP_OPAQUE:
		/*
		 * Changed to the end by means no hook sees (FICLONE gives the
		 * file its source's size): the size is unknown until a later
		 * call makes it at least something again.
		 */
		if (x->length == 0) {
			st.size = -1;
			st.set = 1;
			break;
		}
		/* fallthrough */
	case TW_OP_WRITE:
		if (x->ret == 0) {
			return 0;
		}
		st.size = x->offset + x->ret;
		break;
	case TW_OP_ZERO:
		/* A punch or zeroed range keeps the size; a truncation sets it. */
		if (x->length != 0) {
			return 0;
		}
		st.size = x->offset;
		st.set = 1;
		break;
	default:
		return 0;
	}
	f = file_of(&c->sizes, x->dev, x->ino, 1);
	if (!f) {
		return -ENOMEM;
	}
	if (f->n == TW_SIZE_STEPS) {
		fold_oldest(f);
	}
	for (k = f->n; k > 0 && f->s[k - 1].t_end > st.t_end; k--) {
		f->s[k] = f->s[k - 1];
	}
	f->s[k] = st;
	f->n++;
	return 0;
}

static int cut_during(const struct ctx *c, const struct tw_file_size *f,
		      const struct tw_rec *x)
{
	for (size_t k = 0; k < f->n; k++) {
		const struct tw_size_step *s = &f->s[k];
		struct tw_cross cr = { -1, 0 };
		int64_t eps = tw_hosts_eps(s->host, x->host);

		if (!s->set || s->t_begin >= x->t_end + eps) {
			continue;
		}
		if (s->t_end >= x->t_begin - eps ||
		    (s->host != x->host &&
		     !tw_cross_required_at(c, s->host, x->dev, x->ino,
					   s->t_end, x, &cr))) {
			return 1;
		}
	}
	return 0;
}

int tw_size_cut_during(const struct ctx *c, const struct tw_rec *rd)
{
	const struct tw_file_size *f = find(&c->sizes, rd->dev, rd->ino);

	return f && cut_during(c, f, rd);
}

int tw_size_judge(struct ctx *c, size_t rd)
{
	const struct tw_rec *x = tw_rec_at(c->r, rd);
	struct tw_file_size *f;
	struct tw_anomaly *a;
	const struct tw_rec *w;
	struct tw_cross cr = { -1, 0 };
	int64_t size, want;
	size_t k, rec;

	if (x->op != TW_OP_READ || x->aio || !x->ended || x->ret < 0 ||
	    (uint64_t)x->ret >= x->length || x->offset < 0 ||
	    !(f = file_of(&c->sizes, x->dev, x->ino, 0)) || f->t_base >= x->t_begin) {
		return 0;
	}
	/* stdio's "w" truncates inside libc, POSIX AIO grows it unseen. */
	if (tw_unseen_during(&c->unseen, x->dev, x->ino, INT64_MIN, x->t_end)) {
		return 0;
	}
	if (cut_during(c, f, x)) {
		return 0;
	}
	size = f->base;
	rec = f->base_rec;
	for (k = 0; k < f->n; k++) {
		if (f->s[k].t_end < x->t_begin) {
			apply(&size, &rec, &f->s[k]);
		}
	}
	want = size - x->offset;
	/* A read at or past the end the file had to have: nothing was due. */
	if (want <= 0) {
		return 0;
	}
	if ((uint64_t)want > x->length) {
		want = (int64_t)x->length;
	}
	if (size < 0 || rec == NO_REC || want <= x->ret) {
		return 0;
	}
	/* The size another host made is required only as its model orders it. */
	w = tw_rec_find(c->r, rec);
	if (w && !tw_cross_required_by(c, w, w->t_end, x, &cr)) {
		tw_hosts.cross_undecided++;
		return 0;
	}
	a = tw_anomaly_new(c->out, c->r, TW_SHORT_READ, rd);
	if (!a) {
		return -ENOMEM;
	}
	if (cr.model >= 0) {
		a->model = 1 + cr.model;
		a->whost = cr.whost;
	}
	a->offset = (uint64_t)x->offset;
	a->length = x->length;
	if (tw_anomaly_add_bytes(a, c->r->page_size,
				 (uint64_t)(x->offset + x->ret),
				 (uint64_t)(want - x->ret), TW_S_NOT_READ) != 0 ||
	    tw_anomaly_add_inter(a, rec) != 0 || tw_anomaly_add_inter(a, rd) != 0) {
		return -ENOMEM;
	}
	return 0;
}

void tw_sizes_free(struct tw_sizes *z)
{
	free(z->f);
	memset(z, 0, sizeof(*z));
}
