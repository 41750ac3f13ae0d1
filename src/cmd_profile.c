/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_profile.c: profiles from the declarative stack:
 *   driftwatch profile derive FILE... [-o FILE]
 *
 * Reads Dockerfiles, compose files and Kubernetes manifests (manifest.c
 * and its readers) and writes one profile document per container they
 * declare (manifest_write.c), to standard output or FILE; the format is
 * doc/profile.md's, with its "declared:" section.  Bad documents are
 * reported as FILE:LINE: and left out, the good ones still written; the
 * exit status is then 1 (2 for a usage error).  Nothing touches the
 * database: "driftwatch baseline import" reads the result.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd.h"
#include "cmd_baseline.h"
#include "cmd_profile.h"
#include "log.h"
#include "manifest.h"

#define PROFILE_USAGE	"derive FILE... [-o FILE] [--output FILE] | import FILE"

static void
profile_usage(FILE *out)
{
	fprintf(out, "usage: driftwatch profile %s\n", PROFILE_USAGE);
}

/* driftwatch profile derive FILE... [-o FILE] */
static int
profile_derive(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct manifest_set	 set;
	const char		*output = NULL;
	FILE			*out = stdout;
	char			*cause = NULL;
	int			 ch, rc = CMD_OK;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "o:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'o':
			output = optarg;
			break;
		case 'h':
			profile_usage(stdout);
			return (CMD_OK);
		default:
			profile_usage(stderr);
			return (CMD_USAGE);
		}
	}
	if (optind >= argc) {
		profile_usage(stderr);
		return (CMD_USAGE);
	}
	memset(&set, 0, sizeof set);
	if (manifest_derive(&set, argv + optind, argc - optind) != 0)
		rc = CMD_ERROR;
	if (output != NULL && (out = fopen(output, "w")) == NULL) {
		log_warn("%s", output);
		manifest_set_clear(&set);
		return (CMD_ERROR);
	}
	if (manifest_write(&set, out, &cause) != 0) {
		log_warnx("%s", cause);
		free(cause);
		rc = CMD_ERROR;
	} else if (fflush(out) != 0 || ferror(out)) {
		log_warn("%s", output != NULL ? output : "stdout");
		rc = CMD_ERROR;
	}
	if (out != stdout && fclose(out) != 0) {
		log_warn("%s", output);
		rc = CMD_ERROR;
	}
	manifest_set_clear(&set);
	return (rc);
}

/* driftwatch profile: see the comment at the top of this file. */
int
cmd_profile(struct cmd_ctx *ctx, int argc, char **argv)
{
	if (argc < 2) {
		profile_usage(stderr);
		return (CMD_USAGE);
	}
	if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		profile_usage(stdout);
		return (CMD_OK);
	}
	if (strcmp(argv[1], "derive") == 0)
		return (profile_derive(argc - 1, argv + 1));
	/* the same import as "baseline import": derived and learnt profiles
	 * share one format */
	if (strcmp(argv[1], "import") == 0)
		return (cmd_baseline(ctx, argc, argv));
	log_warnx("profile: unknown subcommand '%s'", argv[1]);
	profile_usage(stderr);
	return (CMD_USAGE);
}
