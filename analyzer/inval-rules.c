/* SPDX-License-Identifier: MIT */
/*
 * Ranges truncated, punched or written with data no one saw (struct inval),
 * as a read had to see them. Across hosts such a range orders against the
 * read, and against the version the read is judged by, only beyond ε and
 * as the file system's model says, as writes do (cross-rules.c).
 */
#include "hosts.h"
#include "rules-int.h"

static int meets(const struct inval *v, const struct tw_rec *rd, uint64_t lo,
		 uint64_t hi)
{
	return (v->anywhere || (v->dev == rd->dev && v->ino == rd->ino)) &&
	       v->hi > lo && v->lo < hi;
}

/* They are in order of t_begin: none begun inval_lag before a bound ends after it. */
const struct inval *tw_newest_inval(const struct ctx *c, uint64_t lo,
				    uint64_t hi, const struct tw_rec *rd,
				    int64_t after)
{
	const struct inval *best = NULL;
	size_t i;

	for (i = c->ninval; i-- > 0;) {
		const struct inval *v = &c->inval[i];

		if (v->t_begin + c->inval_lag < after ||
		    (best && v->t_begin + c->inval_lag < best->t_end)) {
			break;
		}
		if (!meets(v, rd, lo, hi) || v->t_end >= rd->t_begin ||
		    v->t_end <= after) {
			continue;
		}
		if (!best || v->t_end > best->t_end) {
			best = v;
		}
	}
	return best;
}

int tw_inval_unordered(const struct ctx *c, uint64_t lo, uint64_t hi,
		       const struct tw_rec *rd, const struct tw_version *req)
{
	const struct tw_rec *w = req ? tw_rec_find(c->r, req->rec) : NULL;
	uint32_t qhost = w ? w->host : rd->host;
	int64_t after = INT64_MIN;
	size_t i;

	/* One older than req by more than any ε: req's bytes replaced it. */
	if (req) {
		after = req->t_visible - tw_hosts_eps_max();
	}
	for (i = c->ninval; i-- > 0;) {
		const struct inval *v = &c->inval[i];
		struct tw_cross cr = { -1, 0 };
		int64_t e;

		if (v->t_begin + c->inval_lag < after) {
			break;
		}
		/* Begun after the read ended, by more than ε: after it. */
		if (!meets(v, rd, lo, hi) ||
		    v->t_begin >= rd->t_end + tw_hosts_eps(v->host, rd->host)) {
			continue;
		}
		/* On the read's host, running while it ran: not ordered either. */
		if (v->host == rd->host && v->t_end >= rd->t_begin) {
			return 2;
		}
		/* Maybe before the read, not required by it: either side. */
		if (v->host != rd->host &&
		    !tw_cross_required_at(c, v->host, v->dev, v->ino, v->t_end,
					  rd, &cr)) {
			return 1;
		}
		/* Within ε of the version judged by, on another host: either is last. */
		e = tw_hosts_eps(v->host, qhost);
		if (tw_hosts.n > 1 && req && v->host != qhost &&
		    v->t_begin < req->t_visible + e && v->t_end > req->t_made - e) {
			return 1;
		}
	}
	return 0;
}
