/* SPDX-License-Identifier: Apache-2.0 */
/*
 * manifest_write.c: writes what manifest.c derived as profile documents
 * (doc/profile.md), one per container, with libyaml's emitter.
 *
 * Each document names the image (no key: the importer computes it), is
 * active, lists the programs, ports and peers declared as entries with
 * source "declared", and ends with the "declared:" section, whose keys
 * come in the order of doc/profile.md and only when declared.  Nothing
 * here depends on time or addresses: the same input writes the same bytes.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "log.h"
#include "manifest.h"
#include "xmalloc.h"

struct mw {
	yaml_emitter_t	em;
	int		failed;
};

static void
mw_emit(struct mw *w, yaml_event_t *ev, int initialised)
{
	if (w->failed || !initialised) {
		if (initialised)
			yaml_event_delete(ev);
		w->failed = 1;
		return;
	}
	/* The emitter frees the event, even when it fails. */
	if (!yaml_emitter_emit(&w->em, ev))
		w->failed = 1;
}

/* Whether s, written plain, would read back as something else than text. */
static int
mw_needs_quotes(const char *s)
{
	static const char *const words[] = {
		"~", "null", "Null", "NULL", "y", "Y", "yes", "Yes", "YES",
		"n", "N", "no", "No", "NO", "true", "True", "TRUE", "false",
		"False", "FALSE", "on", "On", "ON", "off", "Off", "OFF", NULL
	};
	int	i;

	if (*s == '\0' || isdigit((unsigned char)s[0]) ||
	    (strchr("+-.", s[0]) != NULL && s[1] != '\0'))
		return (1);
	for (i = 0; words[i] != NULL; i++)
		if (strcmp(words[i], s) == 0)
			return (1);
	return (0);
}

static void
mw_scalar(struct mw *w, const char *s, int text)
{
	yaml_event_t	ev;

	mw_emit(w, &ev, yaml_scalar_event_initialize(&ev, NULL, NULL,
	    (const yaml_char_t *)s, (int)strlen(s), 1, 1,
	    text && mw_needs_quotes(s) ? YAML_DOUBLE_QUOTED_SCALAR_STYLE :
	    YAML_ANY_SCALAR_STYLE));
}

static void
mw_map(struct mw *w, int start)
{
	yaml_event_t	ev;

	if (start)
		mw_emit(w, &ev, yaml_mapping_start_event_initialize(&ev, NULL,
		    NULL, 1, YAML_BLOCK_MAPPING_STYLE));
	else
		mw_emit(w, &ev, yaml_mapping_end_event_initialize(&ev));
}

static void
mw_seq(struct mw *w, int start)
{
	yaml_event_t	ev;

	if (start)
		mw_emit(w, &ev, yaml_sequence_start_event_initialize(&ev, NULL,
		    NULL, 1, YAML_BLOCK_SEQUENCE_STYLE));
	else
		mw_emit(w, &ev, yaml_sequence_end_event_initialize(&ev));
}

static void
mw_text(struct mw *w, const char *key, const char *value)
{
	if (value == NULL)
		return;
	mw_scalar(w, key, 0);
	mw_scalar(w, value, 1);
}

static void
mw_bool(struct mw *w, const char *key, int value)
{
	if (value < 0)
		return;
	mw_scalar(w, key, 0);
	mw_scalar(w, value ? "true" : "false", 0);
}

/* A list of texts, or of numbers when !text. */
static void
mw_list(struct mw *w, const char *key, const struct manifest_strs *l,
    int text)
{
	size_t	i;

	if (l->n == 0)
		return;
	mw_scalar(w, key, 0);
	mw_seq(w, 1);
	for (i = 0; i < l->n; i++)
		mw_scalar(w, l->v[i], text);
	mw_seq(w, 0);
}

/* Entries of one kind: each a mapping of field (and parent) and source. */
static void
mw_entries(struct mw *w, const char *section, const char *field,
    const struct manifest_strs *l, int text)
{
	size_t	i;

	if (l->n == 0)
		return;
	mw_scalar(w, section, 0);
	mw_seq(w, 1);
	for (i = 0; i < l->n; i++) {
		mw_map(w, 1);
		mw_scalar(w, field, 0);
		mw_scalar(w, l->v[i], text);
		mw_text(w, "source", "declared");
		mw_map(w, 0);
	}
	mw_seq(w, 0);
}

/*
 * The programs: each as declared, parent "*"; behind a script entrypoint,
 * the shells that run it (the kernel names the interpreter, not the
 * script), started by the runtime.
 */
static void
mw_processes(struct mw *w, const struct manifest_ctr *c)
{
	static const char *const shells[] = { "bash", "dash", "busybox",
	    NULL };
	size_t	i;

	if (c->exes.n == 0 && !c->script_entry)
		return;
	mw_scalar(w, "processes", 0);
	mw_seq(w, 1);
	for (i = 0; i < c->exes.n; i++) {
		mw_map(w, 1);
		mw_text(w, "exe", c->exes.v[i]);
		mw_text(w, "parent", "*");
		mw_text(w, "source", "declared");
		mw_map(w, 0);
	}
	for (i = 0; c->script_entry && shells[i] != NULL; i++) {
		mw_map(w, 1);
		mw_text(w, "exe", shells[i]);
		mw_text(w, "parent", "(runtime)");
		mw_text(w, "source", "declared");
		mw_map(w, 0);
	}
	mw_seq(w, 0);
}

/* Exec sessions: "EXE\tARGV0" as exe and argv0. */
static void
mw_sessions(struct mw *w, const struct manifest_ctr *c)
{
	const char	*tab;
	char		*exe;
	size_t		 i;

	if (c->sessions.n == 0)
		return;
	mw_scalar(w, "sessions", 0);
	mw_seq(w, 1);
	for (i = 0; i < c->sessions.n; i++) {
		if ((tab = strchr(c->sessions.v[i], '\t')) == NULL)
			continue;
		exe = xstrndup(c->sessions.v[i], tab - c->sessions.v[i]);
		mw_map(w, 1);
		mw_text(w, "exe", exe);
		mw_text(w, "argv0", tab + 1);
		mw_text(w, "source", "declared");
		mw_map(w, 0);
		free(exe);
	}
	mw_seq(w, 0);
}

/* Where each fact is declared: a mapping of FACT: FILE:LINE. */
static void
mw_lines(struct mw *w, const struct manifest_ctr *c)
{
	const char	*tab;
	char		*fact;
	size_t		 i;

	if (c->lines.n == 0)
		return;
	mw_scalar(w, "lines", 0);
	mw_map(w, 1);
	for (i = 0; i < c->lines.n; i++) {
		if ((tab = strchr(c->lines.v[i], '\t')) == NULL)
			continue;
		fact = xstrndup(c->lines.v[i], tab - c->lines.v[i]);
		mw_text(w, fact, tab + 1);
		free(fact);
	}
	mw_map(w, 0);
}

static void
mw_declared(struct mw *w, const struct manifest_ctr *c)
{
	char	num[32];

	mw_scalar(w, "declared", 0);
	mw_map(w, 1);
	mw_text(w, "source", c->source);
	mw_text(w, "base", c->base);
	if (c->wl_kind != NULL) {
		mw_scalar(w, "workload", 0);
		mw_map(w, 1);
		mw_text(w, "kind", c->wl_kind);
		mw_text(w, "name", c->wl_name);
		mw_text(w, "namespace", c->wl_namespace);
		mw_text(w, "container", c->wl_container);
		mw_map(w, 0);
	}
	if (c->init == 1)
		mw_bool(w, "init", 1);
	mw_bool(w, "read_only_root", c->read_only_root);
	mw_list(w, "writable", &c->writable, 1);
	mw_list(w, "read_only", &c->read_only, 1);
	mw_bool(w, "run_as_non_root", c->run_as_non_root);
	if (c->run_as_user >= 0) {
		snprintf(num, sizeof num, "%lld", c->run_as_user);
		mw_scalar(w, "run_as_user", 0);
		mw_scalar(w, num, 0);
	}
	mw_text(w, "user", c->user);
	mw_bool(w, "privileged", c->privileged);
	mw_bool(w, "allow_privilege_escalation",
	    c->allow_privilege_escalation);
	mw_list(w, "capabilities", &c->capabilities, 1);
	mw_list(w, "drop_capabilities", &c->cap_drop, 1);
	mw_list(w, "ports", &c->ports, 0);
	mw_list(w, "peers", &c->peers, 1);
	mw_bool(w, "host_network", c->host_network);
	mw_bool(w, "host_pid", c->host_pid);
	mw_bool(w, "host_ipc", c->host_ipc);
	mw_text(w, "seccomp", c->seccomp);
	mw_list(w, "entrypoint", &c->chain, 1);
	mw_lines(w, c);
	mw_map(w, 0);
}

static void
mw_profile(struct mw *w, const struct manifest_ctr *c)
{
	yaml_event_t	ev;

	mw_emit(w, &ev, yaml_document_start_event_initialize(&ev, NULL, NULL,
	    NULL, 1));
	mw_map(w, 1);
	mw_scalar(w, "driftwatch-profile", 0);
	mw_scalar(w, "1", 0);
	mw_scalar(w, "image", 0);
	mw_map(w, 1);
	mw_text(w, "name", c->image);
	mw_map(w, 0);
	mw_text(w, "state", "active");
	mw_processes(w, c);
	mw_entries(w, "listen", "port", &c->ports, 0);
	mw_entries(w, "connect", "peer", &c->peers, 1);
	mw_sessions(w, c);
	mw_declared(w, c);
	mw_map(w, 0);
	mw_emit(w, &ev, yaml_document_end_event_initialize(&ev, 1));
}

/*
 * Writes one profile document per container of set (borrowed) to out
 * (borrowed; not closed).  Returns 0, or -1 with *cause set (allocated;
 * caller frees).
 */
int
manifest_write(const struct manifest_set *set, FILE *out, char **cause)
{
	struct mw	w;
	yaml_event_t	ev;
	size_t		i;
	int		rc = 0;

	if (set->n == 0)
		return (0);
	memset(&w, 0, sizeof w);
	if (!yaml_emitter_initialize(&w.em))
		fatalx("cannot initialise libyaml");
	yaml_emitter_set_output_file(&w.em, out);
	yaml_emitter_set_unicode(&w.em, 1);
	yaml_emitter_set_width(&w.em, -1);
	yaml_emitter_set_indent(&w.em, 2);
	mw_emit(&w, &ev, yaml_stream_start_event_initialize(&ev,
	    YAML_UTF8_ENCODING));
	for (i = 0; i < set->n; i++)
		mw_profile(&w, set->v[i]);
	mw_emit(&w, &ev, yaml_stream_end_event_initialize(&ev));
	if (!w.failed && !yaml_emitter_flush(&w.em))
		w.failed = 1;
	if (w.failed) {
		xasprintf(cause, "cannot write the profiles: %s",
		    w.em.problem != NULL ? w.em.problem : "out of memory");
		rc = -1;
	}
	yaml_emitter_delete(&w.em);
	return (rc);
}
