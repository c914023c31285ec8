/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <string.h>
#include "analyze.h"
#include "run.h"

static const char usage[] =
	"usage: tornwatch run [-o DIR] [--json FILE] [--full-check] -- CMD [ARG...]\n"
	"       tornwatch analyze [--json FILE] DIR...\n";

static int bad_usage(const char *why)
{
	fprintf(stderr, "tornwatch: %s\n%s", why, usage);
	return 2;
}

static int cmd_run(int argc, char **argv)
{
	struct tw_run_opts o = { 0 };
	int i;

	for (i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0) {
			i++;
			break;
		} else if (strcmp(argv[i], "-o") == 0 && i + 1 < argc) {
			o.out_dir = argv[++i];
		} else if (strcmp(argv[i], "--json") == 0 && i + 1 < argc) {
			o.json_path = argv[++i];
		} else if (strcmp(argv[i], "--full-check") == 0) {
			o.full_check = 1;
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
	const char *json = NULL;
	int i = 0;

	while (i < argc && argv[i][0] == '-') {
		if (strcmp(argv[i], "--json") == 0 && i + 1 < argc) {
			json = argv[i + 1];
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
	return (int)tw_analyze((const char *const *)&argv[i], (size_t)(argc - i),
			       json, 0);
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
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		fputs(usage, stdout);
		return 0;
	}
	return bad_usage("unknown command");
}
