/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "output.h"

static const char *opened_path;

int tw_open_report(const char *path, FILE *dflt, FILE **out)
{
	if (!path) {
		*out = dflt;
		return 0;
	}
	if (strcmp(path, "-") == 0) {
		*out = stdout;
		return 0;
	}
	*out = fopen(path, "w");
	if (!*out) {
		fprintf(stderr, "tornwatch: cannot write the report \"%s\": %s\n",
			path, strerror(errno));
		return -1;
	}
	opened_path = path;
	return 0;
}

int tw_close_report(FILE *f)
{
	if (f == stdout || f == stderr) {
		/* A reader of stdout that left early is no failure (`| head`). */
		fflush(f);
		return 0;
	}
	if (fclose(f) != 0) {
		fprintf(stderr, "tornwatch: cannot write the report \"%s\": %s\n",
			opened_path, strerror(errno));
		return -1;
	}
	return 0;
}
