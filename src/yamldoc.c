/* SPDX-License-Identifier: Apache-2.0 */
/*
 * yamldoc.c: a YAML document loaded with libyaml, and a few accessors.
 *
 * Used for the detection rules and the behaviour profiles (and manifests).
 * libyaml builds the whole node graph; aliases point at their anchor's
 * node rather than copying it, so a "billion laughs" file costs no more
 * than its size, which is bounded (YAMLDOC_MAX).  Errors name the file and
 * line.  yamldoc_load() takes the first document of a stream,
 * yamldoc_load_all_file() every one (profiles hold several).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "runtime.h"
#include "xmalloc.h"
#include "yamldoc.h"

#define YAMLDOC_MAX	(16U << 20)

struct yamldoc {
	yaml_document_t	 doc;
	char		*name;
};

static void
yamldoc_error(yaml_parser_t *parser, const char *name, char **cause)
{
	xasprintf(cause, "%s:%zu:%zu: %s%s%s", name,
	    parser->problem_mark.line + 1, parser->problem_mark.column + 1,
	    parser->problem != NULL ? parser->problem : "YAML error",
	    parser->context != NULL ? " " : "",
	    parser->context != NULL ? parser->context : "");
}

/*
 * Parses text (len bytes, borrowed) named name (for messages).  Returns an
 * allocated document the caller frees with yamldoc_free(), or NULL with
 * *cause set (allocated; caller frees).
 */
struct yamldoc *
yamldoc_load(const char *text, size_t len, const char *name, char **cause)
{
	yaml_parser_t	 parser;
	struct yamldoc	*d;

	d = xcalloc(1, sizeof *d);
	d->name = xstrdup(name);
	if (!yaml_parser_initialize(&parser))
		fatalx("cannot initialise libyaml");
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &d->doc)) {
		yamldoc_error(&parser, name, cause);
		yaml_parser_delete(&parser);
		free(d->name);
		free(d);
		return (NULL);
	}
	yaml_parser_delete(&parser);
	return (d);
}

/* Loads the file at path; as yamldoc_load(). */
struct yamldoc *
yamldoc_load_file(const char *path, char **cause)
{
	struct yamldoc	*d;
	char		*text;

	if ((text = runtime_read_file(path, YAMLDOC_MAX)) == NULL) {
		xasprintf(cause, "%s: %s", path, errno != 0 ? strerror(errno) :
		    "unreadable or larger than 16 MiB");
		return (NULL);
	}
	d = yamldoc_load(text, strlen(text), path, cause);
	free(text);
	return (d);
}

/*
 * Parses every document of the file at path; line numbers count from the
 * start of the file.  Returns an allocated array of *n (at least one)
 * allocated documents; the caller frees each with yamldoc_free() and the
 * array with free().  Returns NULL with *cause set (allocated; caller
 * frees) when the file is unreadable, malformed or holds no document.
 */
struct yamldoc **
yamldoc_load_all_file(const char *path, size_t *n, char **cause)
{
	yaml_parser_t	  parser;
	struct yamldoc	**v = NULL, *d;
	char		 *text;
	size_t		  i;

	*n = 0;
	if ((text = runtime_read_file(path, YAMLDOC_MAX)) == NULL) {
		xasprintf(cause, "%s: %s", path, errno != 0 ? strerror(errno) :
		    "unreadable or larger than 16 MiB");
		return (NULL);
	}
	if (!yaml_parser_initialize(&parser))
		fatalx("cannot initialise libyaml");
	yaml_parser_set_input_string(&parser, (const unsigned char *)text,
	    strlen(text));
	for (;;) {
		d = xcalloc(1, sizeof *d);
		if (!yaml_parser_load(&parser, &d->doc)) {
			yamldoc_error(&parser, path, cause);
			free(d);
			goto fail;
		}
		/* The stream's end comes as a document without a root. */
		if (yamldoc_root(d) == NULL) {
			yaml_document_delete(&d->doc);
			free(d);
			break;
		}
		d->name = xstrdup(path);
		v = xreallocarray(v, *n + 1, sizeof *v);
		v[(*n)++] = d;
	}
	if (*n == 0) {
		xasprintf(cause, "%s: no YAML document", path);
		goto fail;
	}
	yaml_parser_delete(&parser);
	free(text);
	return (v);
fail:
	for (i = 0; i < *n; i++)
		yamldoc_free(v[i]);
	free(v);
	*n = 0;
	yaml_parser_delete(&parser);
	free(text);
	return (NULL);
}

/* Frees d; NULL is a no-op. */
void
yamldoc_free(struct yamldoc *d)
{
	if (d == NULL)
		return;
	yaml_document_delete(&d->doc);
	free(d->name);
	free(d);
}

/* Returns the name d was loaded under (borrowed). */
const char *
yamldoc_name(struct yamldoc *d)
{
	return (d->name);
}

/* Returns the root node (borrowed; lives as long as d), NULL if empty. */
yaml_node_t *
yamldoc_root(struct yamldoc *d)
{
	return (yaml_document_get_root_node(&d->doc));
}

/* Returns the value of key in mapping node n, or NULL. */
yaml_node_t *
yamldoc_get(struct yamldoc *d, yaml_node_t *n, const char *key)
{
	yaml_node_pair_t	*p;
	yaml_node_t		*k;

	if (n == NULL || n->type != YAML_MAPPING_NODE)
		return (NULL);
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top;
	    p++) {
		k = yaml_document_get_node(&d->doc, p->key);
		if (k != NULL && k->type == YAML_SCALAR_NODE &&
		    strcmp((const char *)k->data.scalar.value, key) == 0)
			return (yaml_document_get_node(&d->doc, p->value));
	}
	return (NULL);
}

/* Returns the number of items of a sequence or pairs of a mapping. */
size_t
yamldoc_count(yaml_node_t *n)
{
	if (n == NULL)
		return (0);
	if (n->type == YAML_SEQUENCE_NODE)
		return (n->data.sequence.items.top -
		    n->data.sequence.items.start);
	if (n->type == YAML_MAPPING_NODE)
		return (n->data.mapping.pairs.top - n->data.mapping.pairs.start);
	return (0);
}

/*
 * Returns item i of a sequence; of a mapping, the key node of pair i (its
 * value is yamldoc_get(d, n, yamldoc_str(key))).
 */
yaml_node_t *
yamldoc_item(struct yamldoc *d, yaml_node_t *n, size_t i)
{
	if (i >= yamldoc_count(n))
		return (NULL);
	if (n->type == YAML_SEQUENCE_NODE)
		return (yaml_document_get_node(&d->doc,
		    n->data.sequence.items.start[i]));
	return (yaml_document_get_node(&d->doc,
	    n->data.mapping.pairs.start[i].key));
}

/* Returns the text of a scalar node (borrowed), NULL for other nodes. */
const char *
yamldoc_str(yaml_node_t *n)
{
	if (n == NULL || n->type != YAML_SCALAR_NODE)
		return (NULL);
	return ((const char *)n->data.scalar.value);
}

/* Returns the scalar value of key in mapping n, or NULL. */
const char *
yamldoc_getstr(struct yamldoc *d, yaml_node_t *n, const char *key)
{
	return (yamldoc_str(yamldoc_get(d, n, key)));
}

/* Returns the 1-based line where n starts. */
int
yamldoc_line(yaml_node_t *n)
{
	return (n != NULL ? (int)n->start_mark.line + 1 : 0);
}
