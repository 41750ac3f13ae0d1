/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_baseline.c: what a person does with the per-image behaviour
 * profiles that detection learns and checks against:
 *   driftwatch baseline list [--json]
 *   driftwatch baseline show IMAGE [--json]
 *   driftwatch baseline lock IMAGE|--all
 *   driftwatch baseline relearn IMAGE
 *   driftwatch baseline export IMAGE [-o FILE]
 *   driftwatch baseline import FILE
 *
 * IMAGE is an image's key, name, id (or a prefix of 12 or more hex
 * digits, with or without "sha256:"), digest, or the id (or a 12+ prefix)
 * of a container of it; exact matches win over prefixes, and a name that
 * fits several images is an error that lists them.  lock ends learning
 * now; relearn forgets what was learned (declared and known entries stay)
 * and learns again from the next event; both, and import, move the image's
 * version so running daemons reload it.  The file format is profile.c's;
 * the SQL is store_profile.c's and store_detect.c's.  --json prints one
 * object per line: list, one per image; show, one with the entries in the
 * lists of the file format.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "cmd.h"
#include "cmd_baseline.h"
#include "cmd_fleet.h"
#include "pg.h"
#include "log.h"
#include "profile.h"
#include "profile_import.h"
#include "render.h"
#include "store_profile.h"
#include "timearg.h"
#include "xmalloc.h"

#define BASELINE_JSON	0x1	/* takes --json */
#define BASELINE_ALL	0x2	/* takes --all instead of its argument */
#define BASELINE_OUTPUT	0x4	/* takes -o FILE */
#define BASELINE_ARG	0x8	/* wants one argument */

/* The options and argument of one subcommand. */
struct baseline_args {
	int		 json;
	int		 all;
	const char	*output;
	const char	*arg;
};

struct baseline_cmd {
	const char	*name;
	int		(*fn)(struct cmd_ctx *, const struct baseline_args *);
	int		 flags;
	const char	*usage;
};

/* The images of a store, loaded once per command. */
struct baseline {
	struct store		*s;
	struct store_image	*imgs;
	size_t			 n;
};

static int
baseline_open(struct cmd_ctx *ctx, struct baseline *b, int flags)
{
	char	*cause = NULL;

	memset(b, 0, sizeof *b);
	if ((b->s = store_open(ctx->cfg->db, flags, &cause)) == NULL) {
		log_warnx("%s", cause);
		free(cause);
		return (-1);
	}
	if (profile_images(b->s, &b->imgs, &b->n) != 0) {
		store_close(b->s);
		return (-1);
	}
	return (0);
}

static void
baseline_close(struct baseline *b)
{
	profile_images_free(b->imgs, b->n);
	store_close(b->s);
}

static const char *
baseline_bare(const char *id)
{
	return (strncmp(id, "sha256:", 7) == 0 ? id + 7 : id);
}

static int
baseline_same_id(const char *a, const char *b)
{
	return (a != NULL && b != NULL &&
	    strcmp(baseline_bare(a), baseline_bare(b)) == 0);
}

/* Whether arg may be a prefix of an id: 12 or more hex digits. */
static int
baseline_is_prefix(const char *arg)
{
	const char	*p = baseline_bare(arg);
	size_t		 n = strspn(p, "0123456789abcdef");

	return (n >= 12 && p[n] == '\0');
}

/* The images one name matches so far. */
struct baseline_find {
	struct baseline	*b;
	char		*hit;
};

/* Marks the images of container c: by digest, else id, else name. */
static int
baseline_find_container(void *arg, const struct store_container *c)
{
	struct baseline_find	*f = arg;
	struct store_image	*img;
	size_t			 i;
	int			 how, any = 0;

	for (how = 0; how < 3 && !any; how++)
		for (i = 0; i < f->b->n; i++) {
			img = &f->b->imgs[i];
			if ((how == 0 &&
			    (baseline_same_id(img->digest, c->image_digest) ||
			    baseline_same_id(img->key, c->image_digest))) ||
			    (how == 1 &&
			    (baseline_same_id(img->image_id, c->image_id) ||
			    baseline_same_id(img->key, c->image_id))) ||
			    (how == 2 && img->name != NULL && c->image != NULL &&
			    strcmp(img->name, c->image) == 0)) {
				f->hit[i] = 1;
				any = 1;
			}
		}
	for (i = 0; i < f->b->n; i++)
		if (strncmp(f->b->imgs[i].key, "container:", 10) == 0 &&
		    strcmp(f->b->imgs[i].key + 10, c->cid) == 0)
			f->hit[i] = 1;
	return (0);
}

/*
 * Finds the one image arg names (see the top of this file) and sets *out
 * to it (borrowed from b).  Returns CMD_OK, or CMD_ERROR (logged) when
 * none or several match.
 */
static int
baseline_find(struct baseline *b, const char *arg, struct store_image **out)
{
	struct baseline_find	 f = { b, NULL };
	struct store_image	*img;
	char			*list = NULL, *tmp;
	size_t			 i, nhit;
	int			 prefix, rc = CMD_ERROR;

	for (i = 0; i < b->n; i++)
		if (strcmp(b->imgs[i].key, arg) == 0) {
			*out = &b->imgs[i];
			return (CMD_OK);
		}
	f.hit = xcalloc(b->n + 1, 1);
	for (prefix = 0; prefix < 2; prefix++) {
		if (prefix && !baseline_is_prefix(arg))
			break;
		for (i = 0; i < b->n; i++) {
			img = &b->imgs[i];
			if ((!prefix && ((img->name != NULL &&
			    strcmp(img->name, arg) == 0) ||
			    baseline_same_id(img->image_id, arg) ||
			    baseline_same_id(img->digest, arg))) ||
			    (prefix && img->image_id != NULL &&
			    strncmp(baseline_bare(img->image_id),
			    baseline_bare(arg), strlen(baseline_bare(arg))) == 0))
				f.hit[i] = 1;
		}
		if (store_profile_containers(b->s, baseline_bare(arg), prefix,
		    baseline_find_container, &f) != 0)
			goto out;
		for (i = nhit = 0; i < b->n; i++)
			if (f.hit[i]) {
				nhit++;
				*out = &b->imgs[i];
				xasprintf(&tmp, "%s%s%s", list != NULL ? list : "",
				    list != NULL ? ", " : "", b->imgs[i].key);
				free(list);
				list = tmp;
			}
		if (nhit == 1) {
			rc = CMD_OK;
			goto out;
		}
		if (nhit > 1) {
			log_warnx("'%s' is ambiguous: it matches %zu images (%s)",
			    arg, nhit, list);
			goto out;
		}
	}
	log_warnx("no image matches '%s' (driftwatch baseline list shows "
	    "them)", arg);
out:
	free(list);
	free(f.hit);
	return (rc);
}

static json_t *
baseline_str_json(const char *s)
{
	return (s != NULL ? json_string(s) : json_null());
}

static json_t *
baseline_time_json(int64_t ms)
{
	return (ms > 0 ? render_time_json(ms) : json_null());
}

static const char *
baseline_time_text(char *buf, size_t len, int64_t ms)
{
	if (ms <= 0)
		return ("-");
	render_time_text(buf, len, ms);
	return (buf);
}

/* driftwatch baseline list [--json] */
static int
baseline_list(struct cmd_ctx *ctx, const struct baseline_args *a)
{
	struct baseline		 b;
	struct profile_counts	 c;
	struct store_image	*img;
	json_t			*o;
	char			 ts[40];
	size_t			 i;
	int			 rc = CMD_OK;

	if (baseline_open(ctx, &b, 0) != 0)
		return (CMD_ERROR);
	if (!a->json && b.n > 0)
		printf("%-19s %-24s %-8s %7s %5s %5s %4s %4s  %s\n", "IMAGE",
		    "NAME", "STATE", "ENTRIES", "PROC", "FILE", "NET", "PRIV",
		    "LEARNING");
	for (i = 0; i < b.n; i++) {
		img = &b.imgs[i];
		if (profile_counts(b.s, img->id, &c) != 0) {
			rc = CMD_ERROR;
			break;
		}
		if (a->json) {
			o = profile_image_json(img, &c);
			render_json_line(stdout, o);
			continue;
		}
		printf("%-19.19s %-24s %-8s %7lld %5lld %5lld %4lld %4lld  ",
		    img->key, img->name != NULL ? img->name : "-", img->state,
		    (long long)c.total, (long long)profile_counts_of(&c, "process"),
		    (long long)(profile_counts_of(&c, "file") +
		    profile_counts_of(&c, "read")),
		    (long long)(profile_counts_of(&c, "listen") +
		    profile_counts_of(&c, "connect")),
		    (long long)profile_counts_of(&c, "privileged"));
		if (strcmp(img->state, "active") == 0)
			printf("locked %s\n", baseline_time_text(ts, sizeof ts,
			    img->locked_ms));
		else if (img->learn_until_ms > 0)
			printf("until %s\n", baseline_time_text(ts, sizeof ts,
			    img->learn_until_ms));
		else
			printf("from its first event\n");
	}
	if (!a->json && b.n == 0 && rc == CMD_OK)
		printf("no images yet\n");
	baseline_close(&b);
	return (rc);
}

static json_t *
baseline_entry_json(const struct profile_kind *k, const struct store_entry *e)
{
	const char	*p;
	json_t		*o = json_object();
	size_t		 len;
	int		 i;

	for (i = 0; i < 2 && k->part[i] != NULL; i++) {
		p = profile_key_part(k, e->key, i, &len);
		if (i == k->number && len > 0 && strspn(p, "0123456789") == len)
			json_object_set_new(o, k->part[i],
			    json_integer(strtoll(p, NULL, 10)));
		else
			json_object_set_new(o, k->part[i],
			    json_stringn(p, len));
	}
	json_object_set_new(o, "count", json_integer(e->count));
	json_object_set_new(o, "first", baseline_time_json(e->first_ms));
	json_object_set_new(o, "last", baseline_time_json(e->last_ms));
	json_object_set_new(o, "source", baseline_str_json(e->source));
	return (o);
}

static void
baseline_entry_text(const struct profile_kind *k, const struct store_entry *e)
{
	const char	*p;
	char		 t1[40], t2[40];
	size_t		 len;
	int		 i;

	printf("  ");
	for (i = 0; i < 2 && k->part[i] != NULL; i++) {
		p = profile_key_part(k, e->key, i, &len);
		printf("%s%s: %.*s", i > 0 ? "  " : "", k->part[i], (int)len,
		    p);
	}
	printf("  [%s, %lld seen, %s .. %s]\n", e->source, (long long)e->count,
	    baseline_time_text(t1, sizeof t1, e->first_ms),
	    baseline_time_text(t2, sizeof t2, e->last_ms));
}

/* driftwatch baseline show IMAGE [--json] */
static int
baseline_show(struct cmd_ctx *ctx, const struct baseline_args *a)
{
	const struct profile_kind	*k;
	struct baseline			 b;
	struct store_image		*img;
	struct store_entry		*e;
	json_t				*o, *list;
	char				 t1[40], t2[40];
	size_t				 n, i, nk;

	if (baseline_open(ctx, &b, 0) != 0)
		return (CMD_ERROR);
	if (baseline_find(&b, a->arg, &img) != CMD_OK ||
	    profile_entries(b.s, img->id, &e, &n) != 0) {
		baseline_close(&b);
		return (CMD_ERROR);
	}
	if (a->json) {
		o = profile_image_json(img, NULL);
		json_object_set_new(o, "entries", json_integer((json_int_t)n));
		for (k = profile_kinds; k->kind != NULL; k++) {
			list = json_array();
			for (i = 0; i < n; i++)
				if (strcmp(e[i].kind, k->kind) == 0)
					json_array_append_new(list,
					    baseline_entry_json(k, &e[i]));
			json_object_set_new(o, k->section, list);
		}
		render_json_line(stdout, o);
	} else {
		printf("image     %s\n", img->key);
		printf("name      %s\n", img->name != NULL ? img->name : "-");
		printf("id        %s\n", img->image_id != NULL ?
		    img->image_id : "-");
		printf("digest    %s\n", img->digest != NULL ?
		    img->digest : "-");
		printf("state     %s", img->state);
		if (img->locked_ms > 0)
			printf(", locked %s", baseline_time_text(t1, sizeof t1,
			    img->locked_ms));
		printf("\nlearning  %s .. %s\n",
		    baseline_time_text(t1, sizeof t1, img->first_ms),
		    baseline_time_text(t2, sizeof t2, img->learn_until_ms));
		printf("version   %lld\n", (long long)img->version);
		printf("entries   %zu\n", n);
		for (k = profile_kinds; k->kind != NULL; k++) {
			for (i = nk = 0; i < n; i++)
				nk += strcmp(e[i].kind, k->kind) == 0;
			if (nk == 0)
				continue;
			printf("\n%s (%zu)\n", k->section, nk);
			for (i = 0; i < n; i++)
				if (strcmp(e[i].kind, k->kind) == 0)
					baseline_entry_text(k, &e[i]);
		}
	}
	profile_entries_free(e, n);
	baseline_close(&b);
	return (CMD_OK);
}

/* driftwatch baseline lock IMAGE|--all */
static int
baseline_lock(struct cmd_ctx *ctx, const struct baseline_args *a)
{
	struct baseline		 b;
	struct store_image	*img = NULL;
	int64_t			 now = timearg_now_ms();
	size_t			 i, n = 0;
	int			 rc = CMD_OK;

	if (baseline_open(ctx, &b, 0) != 0)
		return (CMD_ERROR);
	if (!a->all) {
		if (baseline_find(&b, a->arg, &img) != CMD_OK) {
			baseline_close(&b);
			return (CMD_ERROR);
		}
		if (strcmp(img->state, "active") == 0) {
			printf("%s: already active\n", img->key);
			baseline_close(&b);
			return (CMD_OK);
		}
	}
	for (i = 0; i < b.n && rc == CMD_OK; i++) {
		if ((a->all && strcmp(b.imgs[i].state, "learning") != 0) ||
		    (!a->all && &b.imgs[i] != img))
			continue;
		if (store_profile_lock(b.s, b.imgs[i].id, now) != 0)
			rc = CMD_ERROR;
		n++;
	}
	if (rc == CMD_OK && store_commit(b.s, NULL) != 0)
		rc = CMD_ERROR;
	if (rc == CMD_OK && a->all)
		printf("%zu image%s locked\n", n, n == 1 ? "" : "s");
	else if (rc == CMD_OK)
		printf("%s: locked, its profile is active\n", img->key);
	baseline_close(&b);
	return (rc);
}

/* driftwatch baseline relearn IMAGE */
static int
baseline_relearn(struct cmd_ctx *ctx, const struct baseline_args *a)
{
	struct baseline		 b;
	struct store_image	*img;
	int			 rc = CMD_ERROR;

	if (baseline_open(ctx, &b, 0) != 0)
		return (CMD_ERROR);
	if (baseline_find(&b, a->arg, &img) == CMD_OK &&
	    store_profile_relearn(b.s, img->id) == 0 &&
	    store_commit(b.s, NULL) == 0) {
		printf("%s: learned entries forgotten, learning again from its "
		    "next event\n", img->key);
		rc = CMD_OK;
	}
	baseline_close(&b);
	return (rc);
}

/* driftwatch baseline export IMAGE [-o FILE] */
static int
baseline_export(struct cmd_ctx *ctx, const struct baseline_args *a)
{
	struct baseline		 b;
	struct store_image	*img;
	FILE			*out = stdout;
	char			*cause = NULL;
	int			 rc = CMD_ERROR;

	if (baseline_open(ctx, &b, 0) != 0)
		return (CMD_ERROR);
	if (baseline_find(&b, a->arg, &img) != CMD_OK)
		goto done;
	if (a->output != NULL && (out = fopen(a->output, "w")) == NULL) {
		log_warn("%s", a->output);
		goto done;
	}
	if (profile_export(b.s, img->key, out, &cause) != 0) {
		log_warnx("%s", cause);
		free(cause);
	} else if (fflush(out) != 0 || ferror(out))
		log_warn("%s", a->output != NULL ? a->output : "stdout");
	else
		rc = CMD_OK;
	if (out != stdout) {
		if (fclose(out) != 0 && rc == CMD_OK) {
			log_warn("%s", a->output);
			rc = CMD_ERROR;
		}
		if (rc != CMD_OK)
			unlink(a->output);
	}
done:
	baseline_close(&b);
	return (rc);
}

/* driftwatch baseline import FILE */
static int
baseline_import(struct cmd_ctx *ctx, const struct baseline_args *a)
{
	struct store	*s;
	char		*cause = NULL;
	int		 rc = CMD_OK;

	if ((s = store_open(ctx->cfg->db, STORE_CREATE, &cause)) == NULL) {
		log_warnx("%s", cause);
		free(cause);
		return (CMD_ERROR);
	}
	/* On failure, closing without a commit rolls everything back. */
	if (profile_import(s, a->arg, &cause) != 0) {
		log_warnx("%s; nothing imported", cause);
		free(cause);
		rc = CMD_ERROR;
	}
	store_close(s);
	return (rc);
}

static const struct baseline_cmd baseline_cmds[] = {
	{ "list", baseline_list, BASELINE_JSON, "list [--json]" },
	{ "show", baseline_show, BASELINE_JSON | BASELINE_ARG,
	    "show IMAGE [--json]" },
	{ "lock", baseline_lock, BASELINE_ALL | BASELINE_ARG,
	    "lock IMAGE|--all" },
	{ "relearn", baseline_relearn, BASELINE_ARG, "relearn IMAGE" },
	{ "export", baseline_export, BASELINE_OUTPUT | BASELINE_ARG,
	    "export IMAGE [-o FILE]" },
	{ "import", baseline_import, BASELINE_ARG, "import FILE" },
	{ NULL, NULL, 0, NULL }
};

static void
baseline_usage(FILE *out)
{
	const struct baseline_cmd	*c;

	fprintf(out, "usage:");
	for (c = baseline_cmds; c->name != NULL; c++)
		fprintf(out, "%s driftwatch baseline %s\n",
		    c == baseline_cmds ? "" : "      ", c->usage);
}

/*
 * Parses the options and argument of subcommand c into *a.  Returns -1
 * to go on, else the exit status (--help, or a usage error).
 */
static int
baseline_args(const struct baseline_cmd *c, int argc, char **argv,
    struct baseline_args *a)
{
	static const struct option opts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "all", no_argument, NULL, 'a' },
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	int	ch, nargs;

	memset(a, 0, sizeof *a);
	optind = 0;
	while ((ch = getopt_long(argc, argv, "jo:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'j':
			if (!(c->flags & BASELINE_JSON))
				goto usage;
			a->json = 1;
			break;
		case 'a':
			if (!(c->flags & BASELINE_ALL))
				goto usage;
			a->all = 1;
			break;
		case 'o':
			if (!(c->flags & BASELINE_OUTPUT))
				goto usage;
			a->output = optarg;
			break;
		case 'h':
			printf("usage: driftwatch baseline %s\n", c->usage);
			return (CMD_OK);
		default:
			goto usage;
		}
	}
	nargs = argc - optind;
	if (nargs != ((c->flags & BASELINE_ARG) && !a->all ? 1 : 0))
		goto usage;
	a->arg = nargs > 0 ? argv[optind] : NULL;
	return (-1);
usage:
	log_warnx("usage: driftwatch baseline %s", c->usage);
	return (CMD_USAGE);
}

/* driftwatch baseline: see the comment at the top of this file. */
int
cmd_baseline(struct cmd_ctx *ctx, int argc, char **argv)
{
	const struct baseline_cmd	*c;
	struct baseline_args		 a;
	int				 rc;

	if (argc < 2) {
		baseline_usage(stderr);
		return (CMD_USAGE);
	}
	if (strcmp(argv[1], "help") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "-h") == 0) {
		baseline_usage(stdout);
		return (CMD_OK);
	}
	for (c = baseline_cmds; c->name != NULL; c++)
		if (strcmp(c->name, argv[1]) == 0)
			break;
	if (c->name == NULL) {
		log_warnx("baseline: unknown subcommand '%s'", argv[1]);
		baseline_usage(stderr);
		return (CMD_USAGE);
	}
	if ((rc = baseline_args(c, argc - 1, argv + 1, &a)) >= 0)
		return (rc);
	if (pg_is_url(ctx->cfg->db))
		return (cmd_fleet_baseline(ctx, c->name, a.arg, a.all));
	return (c->fn(ctx, &a));
}
