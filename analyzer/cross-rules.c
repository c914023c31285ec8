/* SPDX-License-Identifier: MIT */
/*
 * A version made on another host than the read's: required only when the
 * file system's consistency model orders it before the read, by more than
 * the clock uncertainty ε between the two hosts (hosts.h). Otherwise the
 * two are concurrent and the read's piece is left undecided, not flagged.
 */
#include "hosts.h"
#include "rules-int.h"
#include "tornwatch-events.h"

/* A close (fsync: an fsync) of (dev, ino) on host, begun at from or later, that ended before t. */
static int published(const struct tw_records *r, uint32_t host, uint64_t dev,
		     uint64_t ino, int fsync, int64_t from, int64_t t)
{
	for (size_t i = 0; i < r->nbarriers; i++) {
		const struct tw_barrier *b = &r->barriers[i];

		if (b->host == host && b->fsync == fsync && b->dev == dev &&
		    b->ino == ino && b->t_begin >= from && b->t_end < t) {
			return 1;
		}
	}
	return 0;
}

int tw_cross_required(const struct ctx *c, const struct tw_version *v,
		      const struct tw_rec *rd, struct tw_cross *out)
{
	return tw_cross_required_by(c, tw_rec_find(c->r, v->rec), v->t_visible,
				    rd, out);
}

int tw_cross_required_by(const struct ctx *c, const struct tw_rec *w,
			 int64_t t_visible, const struct tw_rec *rd,
			 struct tw_cross *out)
{
	if (!w) {
		return 1;
	}
	return tw_cross_required_at(c, w->host, w->dev, w->ino, t_visible, rd,
				    out);
}

int tw_cross_required_at(const struct ctx *c, uint32_t host, uint64_t dev,
			 uint64_t ino, int64_t t_visible,
			 const struct tw_rec *rd, struct tw_cross *out)
{
	int64_t eps;
	enum tw_model m;

	if (host == rd->host) {
		return 1;
	}
	eps = tw_hosts_eps(host, rd->host);
	m = tw_hosts.nmodels ?
	    tw_hosts_model(tw_records_name(c->r, rd->dev, rd->ino)) :
	    TW_MODEL_POSIX;
	out->model = (int)m;
	out->whost = host;
	switch (m) {
	case TW_MODEL_CTO:
	case TW_MODEL_SESSION:
		/* The writer's close, then the reader's open, ε apart. */
		return rd->t_open > 0 &&
		       published(c->r, host, dev, ino, 0, t_visible,
				 rd->t_open - eps);
	case TW_MODEL_COMMIT:
	case TW_MODEL_MSYNC:
		return published(c->r, host, dev, ino, 1, t_visible,
				 rd->t_begin - eps);
	case TW_MODEL_POSIX:
	default:
		return t_visible < rd->t_begin - eps;
	}
}
