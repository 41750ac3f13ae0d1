/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_doctor.c: driftwatch doctor [--json]: checks the chain on a live host
 * (doctor.c, doctor_data.c) and prints one result per link.
 *
 * Text: one line per link, the name and its state aligned ("ok", "warn",
 * "FAIL", "skip"), then what was seen; the command that fixes it on the
 * next line.  --json: one object {"ok", "checks": [{"check", "status",
 * "detail", "fix"}]}, fix null when there is none; these names are a
 * contract.  Exit status 0 when no check failed (warnings and skips
 * need no one), 1 when one did: a person must act.
 */
#include <getopt.h>
#include <stdio.h>

#include <jansson.h>

#include "cmd.h"
#include "cmd_doctor.h"
#include "doctor.h"
#include "render.h"

static void
doctor_usage(FILE *out)
{
	fprintf(out, "usage: driftwatch doctor [--json]\n");
}

static void
doctor_print_json(const struct doctor_report *r)
{
	const struct doctor_result	*res;
	json_t				*o, *a, *c;
	size_t				 i;

	a = json_array();
	for (i = 0; i < r->n; i++) {
		res = &r->v[i];
		c = json_object();
		json_object_set_new(c, "check", json_string(res->check));
		json_object_set_new(c, "status",
		    json_string(doctor_status_name(res->status)));
		json_object_set_new(c, "detail", json_string(res->detail));
		json_object_set_new(c, "fix", res->fix != NULL ?
		    json_string(res->fix) : json_null());
		json_array_append_new(a, c);
	}
	o = json_object();
	json_object_set_new(o, "ok", json_boolean(!doctor_report_failed(r)));
	json_object_set_new(o, "checks", a);
	render_json_line(stdout, o);
}

static void
doctor_print_text(const struct doctor_report *r)
{
	const struct doctor_result	*res;
	size_t				 i;

	for (i = 0; i < r->n; i++) {
		res = &r->v[i];
		printf("%-9s %-4s  %s\n", res->check,
		    res->status == DOCTOR_FAIL ? "FAIL" :
		    doctor_status_name(res->status), res->detail);
		if (res->fix != NULL)
			printf("%-9s %-4s  fix: %s\n", "", "", res->fix);
	}
}

/* driftwatch doctor: see the comment at the top of this file. */
int
cmd_doctor(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct doctor_env	 env;
	struct doctor_report	*r;
	int			 ch, json = 0, rc;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "+jh", opts, NULL)) != -1) {
		switch (ch) {
		case 'j':
			json = 1;
			break;
		case 'h':
			doctor_usage(stdout);
			return (CMD_OK);
		default:
			doctor_usage(stderr);
			return (CMD_USAGE);
		}
	}
	if (optind < argc) {
		doctor_usage(stderr);
		return (CMD_USAGE);
	}
	doctor_env_probe(&env, ctx->cfg, ctx->config_path);
	r = doctor_run(&env);
	if (json)
		doctor_print_json(r);
	else
		doctor_print_text(r);
	rc = doctor_report_failed(r) ? CMD_ERROR : CMD_OK;
	doctor_report_free(r);
	doctor_env_clear(&env);
	if (fflush(stdout) != 0 || ferror(stdout))
		rc = CMD_ERROR;
	return (rc);
}
