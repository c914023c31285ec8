/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "analyze.h"
#include "hosts.h"
#include "run.h"
#include "version.h"

static const char usage[] =
	"usage: tornwatch run [-o DIR] [--json FILE] [--max-anomalies N] [--full-check]\n"
	"                     [--subbuf-size SIZE] [--num-subbuf N] [--blocking-timeout US]\n"
	"                     -- CMD [ARG...]\n"
	"       tornwatch analyze [--json FILE] [--max-anomalies N]\n"
	"                         [--clock-uncertainty NS[us|ms|s]] [--model [ROOT=]MODEL]\n"
	"                         [--same-fs HOSTA:/ROOT=HOSTB:/ROOT] DIR...\n"
	"       tornwatch --version\n";

static int bad_usage(const char *why)
{
	fprintf(stderr, "tornwatch: %s\n%s", why, usage);
	return 2;
}

/* --max-anomalies N: how many anomalies the text shows in full. */
static int max_anomalies(const char *arg, size_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(arg, &end, 10);
	if (errno || end == arg || *end || arg[0] == '-') {
		return -1;
	}
	*out = v > SIZE_MAX ? SIZE_MAX : (size_t)v;
	return 0;
}

/* SIZE[k|M|G]: a power of two of at least min. */
static int pow2_size(const char *arg, uint64_t min, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(arg, &end, 10);
	if (errno || end == arg || arg[0] == '-') {
		return -1;
	}
	switch (*end) {
	case 'k': case 'K': v <<= 10; end++; break;
	case 'M': v <<= 20; end++; break;
	case 'G': v <<= 30; end++; break;
	default: break;
	}
	if (*end || v < min || (v & (v - 1)) != 0) {
		return -1;
	}
	*out = v;
	return 0;
}

/* The channel options of run: 0 when taken, else bad usage's status. */
static int channel_opt(const char *opt, const char *arg,
		       struct tw_channel_opts *co)
{
	size_t us;

	if (strcmp(opt, "--subbuf-size") == 0) {
		return pow2_size(arg, 4096, &co->subbuf_size) ?
		       bad_usage("--subbuf-size needs a power of two of at least 4096") : 0;
	}
	if (strcmp(opt, "--num-subbuf") == 0) {
		return pow2_size(arg, 2, &co->num_subbuf) ?
		       bad_usage("--num-subbuf needs a power of two of at least 2") : 0;
	}
	if (max_anomalies(arg, &us) != 0 || us > INT64_MAX) {
		return bad_usage("--blocking-timeout needs microseconds (0: never block)");
	}
	co->blocking_us = (int64_t)us;
	return 0;
}

static int cmd_run(int argc, char **argv)
{
	struct tw_run_opts o = { .max_full = SIZE_MAX,
				 .channel = { .blocking_us = -1 } };
	int i;

	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		} else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc) {
			o.out_dir = argv[++i];
		} else if (strcmp(argv[i], "--relay") == 0 && i + 1 < argc) {
			o.relay_url = argv[++i];
		} else if (strcmp(argv[i], "--json") == 0 && i + 1 < argc) {
			o.json_path = argv[++i];
		} else if (strcmp(argv[i], "--max-anomalies") == 0 && i + 1 < argc) {
			if (max_anomalies(argv[++i], &o.max_full) != 0) {
				return bad_usage("--max-anomalies needs a number");
			}
		} else if (strcmp(argv[i], "--full-check") == 0) {
			o.full_check = 1;
		} else if ((strcmp(argv[i], "--subbuf-size") == 0 ||
			    strcmp(argv[i], "--num-subbuf") == 0 ||
			    strcmp(argv[i], "--blocking-timeout") == 0) && i + 1 < argc) {
			int rc = channel_opt(argv[i], argv[i + 1], &o.channel);

			if (rc != 0) {
				return rc;
			}
			i++;
		} else if (argv[i][0] == '-') {
			return bad_usage("unknown option for run");
		} else {
			break;
		}
	}
	if (i >= argc) {
		return bad_usage("run needs a command");
	}
	o.argv = &argv[i];
	return tw_run(&o);
}

static int cmd_analyze(int argc, char **argv)
{
	struct tw_analyze_opts o = { .max_full = SIZE_MAX };
	int i = 0;

	while (i < argc && argv[i][0] == '-') {
		if (strcmp(argv[i], "--json") == 0 && i + 1 < argc) {
			o.json_path = argv[i + 1];
			i += 2;
		} else if (strcmp(argv[i], "--max-anomalies") == 0 && i + 1 < argc) {
			if (max_anomalies(argv[i + 1], &o.max_full) != 0) {
				return bad_usage("--max-anomalies needs a number");
			}
			i += 2;
		} else if (strcmp(argv[i], "--clock-uncertainty") == 0 && i + 1 < argc) {
			if (tw_hosts_set_eps(argv[i + 1]) != 0) {
				return bad_usage("--clock-uncertainty needs a time (ns, or with us, ms, s)");
			}
			i += 2;
		} else if (strcmp(argv[i], "--model") == 0 && i + 1 < argc) {
			if (tw_hosts_add_model(argv[i + 1]) != 0) {
				return bad_usage("--model needs [/ROOT=]posix, close-to-open, commit, session or msync");
			}
			i += 2;
		} else if (strcmp(argv[i], "--same-fs") == 0 && i + 1 < argc) {
			if (tw_hosts_add_same_fs(argv[i + 1]) != 0) {
				return bad_usage("--same-fs needs HOSTA:/ROOT=HOSTB:/ROOT");
			}
			i += 2;
		} else if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		} else {
			return bad_usage("unknown option for analyze");
		}
	}
	if (i >= argc) {
		return bad_usage("analyze needs a trace directory");
	}
	o.dirs = (const char *const *)&argv[i];
	o.ndirs = (size_t)(argc - i);
	return (int)tw_analyze(&o);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		return bad_usage("no command");
	}
	if (strcmp(argv[1], "run") == 0) {
		return cmd_run(argc - 2, argv + 2);
	}
	if (strcmp(argv[1], "analyze") == 0) {
		return cmd_analyze(argc - 2, argv + 2);
	}
	if (strcmp(argv[1], "--version") == 0) {
		puts("tornwatch " TW_VERSION);
		return 0;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		fputs(usage, stdout);
		return 0;
	}
	return bad_usage("unknown command");
}
