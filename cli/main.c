/* SPDX-License-Identifier: MIT */
#define _GNU_SOURCE
#include <errno.h>
#include <lttng/lttng.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "analyze.h"
#include "output.h"
#include "hosts.h"
#include "run.h"
#include "session.h"
#include "version.h"

static const char usage_run[] =
	"usage: tornwatch run [OPTION...] [--] CMD [ARG...]\n"
	"Runs CMD traced in an LTTng session of its own, then analyzes the trace.\n"
	"The report goes to stderr (CMD's stdout is left to CMD).\n"
	"\n"
	"  -o, --output DIR        write the trace to DIR (new or empty; default: a new\n"
	"                          folder under ./tornwatch-traces/)\n"
	"      --relay URL         stream the trace to lttng-relayd (net://HOST...);\n"
	"                          analyze the relay's output directory afterwards\n"
	"      --force             write into DIR even when it is not empty\n"
	"      --report FILE       the text report to FILE instead of stderr (-: stdout)\n"
	"      --json FILE         also the JSON report to FILE (-: stdout)\n"
	"      --html FILE         also the HTML view to FILE, one self-contained page\n"
	"      --max-anomalies N   print at most N anomalies in full\n"
	"      --exit-code N       exit status when an anomaly was found (default 3)\n"
	"      --full-check        every msync checksums every page of its range\n"
	"      --all-processes     record every traced program, not only CMD's\n"
	"                          (as root, CMD runs in a UTS namespace of its own)\n"
	"      --subbuf-size SIZE  channel sub-buffer size, a power of two (k, M, G)\n"
	"      --num-subbuf N      sub-buffers per CPU, a power of two\n"
	"      --blocking-timeout US  microseconds a full buffer may block (0: drop)\n"
	"  -h, --help              this text\n"
	"\n"
	"Exit status: CMD's own (128+N when signal N killed it; 126 not executable,\n"
	"127 not found) when no anomaly was found, the --exit-code status when one\n"
	"was, 2 when tornwatch itself could not work.\n";

static const char usage_analyze[] =
	"usage: tornwatch analyze [OPTION...] [--] DIR...\n"
	"Analyzes LTTng traces holding tornwatch events; the report goes to stdout\n"
	"(to stderr when --json - takes stdout).\n"
	"\n"
	"      --report FILE       the text report to FILE (-: stdout)\n"
	"      --json FILE         also the JSON report to FILE (-: stdout)\n"
	"      --html FILE         also the HTML view to FILE, one self-contained page\n"
	"      --max-anomalies N   print at most N anomalies in full\n"
	"      --exit-code N       exit status when an anomaly was found (default 3)\n"
	"      --clock-uncertainty T  clock uncertainty between hosts (ns; us, ms, s)\n"
	"      --model [/ROOT=]MODEL  posix, close-to-open, commit, session or msync\n"
	"      --same-fs HOSTA:/ROOT=HOSTB:/ROOT  one file system seen from two hosts\n"
	"  -h, --help              this text\n"
	"\n"
	"Exit status: 0 clean, the --exit-code status on anomalies, 2 for a usage\n"
	"error or a trace that cannot be read.\n";

static const char usage[] =
	"usage: tornwatch run [OPTION...] [--] CMD [ARG...]\n"
	"       tornwatch analyze [OPTION...] [--] DIR...\n"
	"       tornwatch help [run|analyze]\n"
	"       tornwatch --version\n"
	"\n"
	"Commands:\n"
	"  run      trace CMD and report torn, stale and phantom data it read\n"
	"  analyze  report on traces recorded before\n"
	"  help     the options of a command\n"
	"\n"
	"See tornwatch(1).\n";

/* One line: usage errors never bury the cause under the usage text. */
static int bad_usage(const char *cmd, const char *why)
{
	fprintf(stderr, "tornwatch%s%s: %s (see \"tornwatch help%s%s\")\n",
		cmd ? " " : "", cmd ? cmd : "", why, cmd ? " " : "",
		cmd ? cmd : "");
	return 2;
}

static int bad_option(const char *cmd, const char *opt, int missing)
{
	char why[256];
	size_t n = strcspn(opt, "=");

	if (missing) {
		snprintf(why, sizeof(why), "option \"%s\" needs a value", opt);
	} else if (optopt >= 256 && opt[n]) {
		/* A known long option that takes no value was given one. */
		snprintf(why, sizeof(why), "option \"%.*s\" takes no value",
			 (int)n, opt);
	} else {
		snprintf(why, sizeof(why), "unknown option \"%s\"", opt);
	}
	return bad_usage(cmd, why);
}

/* A decimal count with no sign; SIZE_MAX when it does not fit. */
static int count_arg(const char *arg, size_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(arg, &end, 10);
	if (errno || end == arg || *end || arg[0] == '-' || arg[0] == '+') {
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

static int exit_code_arg(const char *arg, int *out)
{
	size_t v;

	if (count_arg(arg, &v) != 0 || v > 255) {
		return -1;
	}
	*out = (int)v;
	return 0;
}

enum {
	OPT_JSON = 256, OPT_REPORT, OPT_MAX, OPT_EXIT, OPT_FULL, OPT_FORCE,
	OPT_SUBBUF, OPT_NSUBBUF, OPT_BLOCK, OPT_ALL, OPT_HTML, OPT_RELAY,
	OPT_EPS, OPT_MODEL, OPT_SAMEFS,
};

static const struct option run_opts[] = {
	{ "output", required_argument, NULL, 'o' },
	{ "relay", required_argument, NULL, OPT_RELAY },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "report", required_argument, NULL, OPT_REPORT },
	{ "json", required_argument, NULL, OPT_JSON },
	{ "html", required_argument, NULL, OPT_HTML },
	{ "max-anomalies", required_argument, NULL, OPT_MAX },
	{ "exit-code", required_argument, NULL, OPT_EXIT },
	{ "full-check", no_argument, NULL, OPT_FULL },
	{ "all-processes", no_argument, NULL, OPT_ALL },
	{ "subbuf-size", required_argument, NULL, OPT_SUBBUF },
	{ "num-subbuf", required_argument, NULL, OPT_NSUBBUF },
	{ "blocking-timeout", required_argument, NULL, OPT_BLOCK },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

static const struct option analyze_opts[] = {
	{ "report", required_argument, NULL, OPT_REPORT },
	{ "json", required_argument, NULL, OPT_JSON },
	{ "html", required_argument, NULL, OPT_HTML },
	{ "clock-uncertainty", required_argument, NULL, OPT_EPS },
	{ "model", required_argument, NULL, OPT_MODEL },
	{ "same-fs", required_argument, NULL, OPT_SAMEFS },
	{ "max-anomalies", required_argument, NULL, OPT_MAX },
	{ "exit-code", required_argument, NULL, OPT_EXIT },
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/*
 * getopt_long over argv[0..argc) with argv[0] the command's name. '+': the
 * first operand ends the options, so CMD's own options stay CMD's; ':'
 * tells a missing value from an unknown option.
 */
static int next_opt(int argc, char **argv, const struct option *lo)
{
	return getopt_long(argc, argv, "+:o:h", lo, NULL);
}

static const char *failed_opt(char **argv)
{
	static char shortopt[3];

	if (optopt && optopt < 256) {
		snprintf(shortopt, sizeof(shortopt), "-%c", optopt);
		return shortopt;
	}
	return argv[optind - 1];
}

static int cmd_run(int argc, char **argv)
{
	struct tw_run_opts o = { .max_full = SIZE_MAX, .exit_code = 3,
				 .channel = { .blocking_us = -1 } };
	size_t us;
	int c;

	optind = 1;
	opterr = 0;
	while ((c = next_opt(argc, argv, run_opts)) != -1) {
		switch (c) {
		case 'o':
			o.out_dir = optarg;
			break;
		case OPT_FORCE:
			o.force = 1;
			break;
		case OPT_RELAY:
			o.relay_url = optarg;
			break;
		case OPT_REPORT:
			o.report_path = optarg;
			break;
		case OPT_JSON:
			o.json_path = optarg;
			break;
		case OPT_HTML:
			o.html_path = optarg;
			break;
		case OPT_MAX:
			if (count_arg(optarg, &o.max_full) != 0) {
				return bad_usage("run", "--max-anomalies needs a number");
			}
			break;
		case OPT_EXIT:
			if (exit_code_arg(optarg, &o.exit_code) != 0) {
				return bad_usage("run", "--exit-code needs a status from 0 to 255");
			}
			break;
		case OPT_FULL:
			o.full_check = 1;
			break;
		case OPT_ALL:
			o.channel.all_processes = 1;
			break;
		case OPT_SUBBUF:
			if (pow2_size(optarg, 4096, &o.channel.subbuf_size) != 0) {
				return bad_usage("run", "--subbuf-size needs a power of two of at least 4096");
			}
			break;
		case OPT_NSUBBUF:
			if (pow2_size(optarg, 2, &o.channel.num_subbuf) != 0) {
				return bad_usage("run", "--num-subbuf needs a power of two of at least 2");
			}
			break;
		case OPT_BLOCK:
			if (count_arg(optarg, &us) != 0 || us > INT64_MAX) {
				return bad_usage("run", "--blocking-timeout needs microseconds (0: never block)");
			}
			o.channel.blocking_us = (int64_t)us;
			break;
		case 'h':
			fputs(usage_run, stdout);
			return 0;
		case ':':
			return bad_option("run", failed_opt(argv), 1);
		default:
			return bad_option("run", failed_opt(argv), 0);
		}
	}
	if (optind >= argc) {
		return bad_usage("run", "no command to run");
	}
	o.argv = &argv[optind];
	return tw_run(&o);
}

static int cmd_analyze(int argc, char **argv)
{
	struct tw_analyze_opts o = { .max_full = SIZE_MAX };
	const char *report = NULL;
	int exit_code = 3, c;
	enum tw_analyze_status st;

	optind = 1;
	opterr = 0;
	while ((c = next_opt(argc, argv, analyze_opts)) != -1) {
		switch (c) {
		case OPT_REPORT:
			report = optarg;
			break;
		case OPT_JSON:
			o.json_path = optarg;
			break;
		case OPT_HTML:
			o.html_path = optarg;
			break;
		case OPT_EPS:
			if (tw_hosts_set_eps(optarg) != 0) {
				return bad_usage("analyze", "--clock-uncertainty needs a time (ns, or with us, ms, s)");
			}
			break;
		case OPT_MODEL:
			if (tw_hosts_add_model(optarg) != 0) {
				return bad_usage("analyze", "--model needs [/ROOT=]posix, close-to-open, commit, session or msync");
			}
			break;
		case OPT_SAMEFS:
			if (tw_hosts_add_same_fs(optarg) != 0) {
				return bad_usage("analyze", "--same-fs needs HOSTA:/ROOT=HOSTB:/ROOT");
			}
			break;
		case OPT_MAX:
			if (count_arg(optarg, &o.max_full) != 0) {
				return bad_usage("analyze", "--max-anomalies needs a number");
			}
			break;
		case OPT_EXIT:
			if (exit_code_arg(optarg, &exit_code) != 0) {
				return bad_usage("analyze", "--exit-code needs a status from 0 to 255");
			}
			break;
		case 'h':
			fputs(usage_analyze, stdout);
			return 0;
		case ':':
			return bad_option("analyze", failed_opt(argv), 1);
		default:
			return bad_option("analyze", failed_opt(argv), 0);
		}
	}
	if (optind >= argc) {
		return bad_usage("analyze", "no trace directory to analyze");
	}
	o.dirs = (const char *const *)&argv[optind];
	o.ndirs = (size_t)(argc - optind);
	for (c = optind; c < argc; c++) {
		char name[LTTNG_NAME_MAX];

		if (tw_session_recording(argv[c], name, sizeof(name))) {
			fprintf(stderr, "tornwatch: session \"%s\" is still recording "
				"into \"%s\": what its buffers hold is not in the "
				"files yet (lttng stop %s flushes them)\n", name,
				argv[c], name);
			o.recording = 1;
		}
	}
	/* --json - makes stdout JSON alone. */
	if (tw_open_report(report, o.json_path && strcmp(o.json_path, "-") == 0 ?
			   stderr : stdout, &o.text) != 0) {
		return 2;
	}
	st = tw_analyze(&o);
	if (tw_close_report(o.text) != 0) {
		return 2;
	}
	return st == TW_ANALYZE_ANOMALIES ? exit_code : (int)st;
}

static int cmd_help(int argc, char **argv)
{
	if (argc < 2) {
		fputs(usage, stdout);
		return 0;
	}
	if (strcmp(argv[1], "run") == 0) {
		fputs(usage_run, stdout);
		return 0;
	}
	if (strcmp(argv[1], "analyze") == 0) {
		fputs(usage_analyze, stdout);
		return 0;
	}
	return bad_usage(NULL, "help knows run and analyze");
}

int main(int argc, char **argv)
{
	char why[256];

	if (argc < 2) {
		return bad_usage(NULL, "no command (run, analyze, help)");
	}
	if (strcmp(argv[1], "run") == 0) {
		return cmd_run(argc - 1, argv + 1);
	}
	if (strcmp(argv[1], "analyze") == 0) {
		return cmd_analyze(argc - 1, argv + 1);
	}
	if (strcmp(argv[1], "help") == 0) {
		return cmd_help(argc - 1, argv + 1);
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0 ||
	    strcmp(argv[1], "version") == 0) {
		puts("tornwatch " TW_VERSION);
		return 0;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
		fputs(usage, stdout);
		return 0;
	}
	snprintf(why, sizeof(why), argv[1][0] == '-' ? "unknown option \"%s\"" :
		 "unknown command \"%s\"", argv[1]);
	return bad_usage(NULL, why);
}
