/* SPDX-License-Identifier: MIT */
/*
 * Parsed in place, in the constructor: no copy, no malloc, no stdio. A bad
 * entry gets one line on stderr and is skipped; it never stops the program.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "core.h"
#include "options.h"

struct tw_options tw_opts = { .follow_exec = 1, .write_track = 1, .stacks = 1 };

static int tw_opts_done;

struct key {
	const char *name;	/* in TORNWATCH_OPTIONS */
	const char *var;	/* its own variable */
	int *val;
	int only_zero_off;	/* the variable set empty counts (as on) */
};

static const struct key keys[] = {
	{ "full_check", "TORNWATCH_FULL_CHECK", &tw_opts.full_check, 0 },
	{ "disable", "TORNWATCH_DISABLE", &tw_opts.disable, 0 },
	{ "follow_exec", "TORNWATCH_FOLLOW_EXEC", &tw_opts.follow_exec, 1 },
	{ "write_track", "TORNWATCH_WRITE_TRACK", &tw_opts.write_track, 1 },
	{ "stacks", "TORNWATCH_STACKS", &tw_opts.stacks, 1 },
	{ "fork_register", "TORNWATCH_FORK_REGISTER", &tw_opts.fork_register, 0 },
};
#define NKEYS (sizeof(keys) / sizeof(keys[0]))

/* 0 or 1; -1 for anything else. */
static int bool_value(const char *v, size_t n)
{
	if ((n == 1 && v[0] == '1') || (n == 4 && strncasecmp(v, "true", 4) == 0) ||
	    (n == 3 && strncasecmp(v, "yes", 3) == 0)) {
		return 1;
	}
	if ((n == 1 && v[0] == '0') || (n == 5 && strncasecmp(v, "false", 5) == 0) ||
	    (n == 2 && strncasecmp(v, "no", 2) == 0)) {
		return 0;
	}
	return -1;
}

static const struct key *find_key(const char *k, size_t n)
{
	size_t i;

	for (i = 0; i < NKEYS; i++) {
		if (strlen(keys[i].name) == n && strncasecmp(keys[i].name, k, n) == 0) {
			return &keys[i];
		}
	}
	return NULL;
}

/* One entry "key=value" of n bytes. */
static void take_entry(const char *e, size_t n)
{
	const char *eq = memchr(e, '=', n);
	size_t kn = eq ? (size_t)(eq - e) : n;
	const struct key *k = find_key(e, kn);
	int v;

	if (!k) {
		tw_log("TORNWATCH_OPTIONS: unknown key \"%.*s\" ignored (keys: "
		       "full_check, disable, follow_exec, write_track, stacks, fork_register)",
		       (int)(kn < 64 ? kn : 64), e);
		return;
	}
	v = eq ? bool_value(eq + 1, n - kn - 1) : -1;
	if (v < 0) {
		tw_log("TORNWATCH_OPTIONS: %s needs =0 or =1, \"%.*s\" ignored",
		       k->name, (int)(n < 64 ? n : 64), e);
		return;
	}
	*k->val = v;
}

static void parse_options(const char *s)
{
	const char *e;
	size_t n;

	while (*s) {
		n = strcspn(s, ":,");
		e = s;
		s += n;
		if (*s) {
			s++;
		}
		if (n > 0) {
			take_entry(e, n);
		}
	}
}

void tw_options_init(void)
{
	const char *v;
	size_t i;

	if (tw_opts_done) {
		return;
	}
	tw_opts_done = 1;
	v = getenv("TORNWATCH_OPTIONS");
	if (v) {
		parse_options(v);
	}
	/* The narrower setting wins: a variable of its own over the list. */
	for (i = 0; i < NKEYS; i++) {
		v = getenv(keys[i].var);
		if (!v || (!keys[i].only_zero_off && !*v)) {
			continue;
		}
		*keys[i].val = strcmp(v, "0") != 0;
	}
}
