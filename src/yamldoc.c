/* SPDX-License-Identifier: Apache-2.0 */
/*
 * yamldoc.c: a YAML document loaded with libyaml, and a few accessors.
 *
 * Used for the detection rules and the behaviour profiles (and manifests).
 * libyaml builds the whole node graph; aliases point at their anchor's
 * node rather than copying it, so a "billion laughs" file costs no more
 * than its size to load, which is bounded (YAMLDOC_MAX).  But whoever
 * walks the graph walks an anchor once per alias: a document whose
 * aliases would expand it by more than YAMLDOC_MAX_ALIASED nodes, or that
 * holds an alias to its own ancestor, is refused.  So is flow nesting
 * deeper than YAMLDOC_MAX_DEPTH ([[[[...): libyaml's scanner costs the
 * square of the depth.  Errors name the file and line.  yamldoc_load()
 * takes the first document of a stream, yamldoc_load_all_file() every one
 * (profiles hold several).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "runtime.h"
#include "xmalloc.h"
#include "yamldoc.h"

#define YAMLDOC_MAX		(16U << 20)
#define YAMLDOC_MAX_ALIASED	100000	/* nodes aliases may add */
#define YAMLDOC_MAX_DEPTH	512	/* nested collections */

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
 * Whether text may nest deeper than YAMLDOC_MAX_DEPTH: a cheap count of
 * flow brackets, quotes and comments ignored; block nesting costs its
 * indentation, so the file's size bounds it.
 */
static int
yamldoc_maybe_deep(const char *text, size_t len)
{
	size_t	i;
	long	depth = 0;

	for (i = 0; i < len; i++) {
		if (text[i] == '[' || text[i] == '{') {
			if (++depth > YAMLDOC_MAX_DEPTH)
				return (1);
		} else if ((text[i] == ']' || text[i] == '}') && depth > 0)
			depth--;
	}
	return (0);
}

/*
 * Walks the events of text up to a nesting deeper than YAMLDOC_MAX_DEPTH.
 * Returns 0, or -1 with *cause set (allocated) naming where.  Syntax
 * errors are left to the loader.
 */
static int
yamldoc_check_depth(const char *text, size_t len, const char *name,
    char **cause)
{
	yaml_parser_t	parser;
	yaml_event_t	ev;
	int		depth = 0, rc = 0, done = 0;

	if (!yamldoc_maybe_deep(text, len))
		return (0);
	if (!yaml_parser_initialize(&parser))
		fatalx("cannot initialise libyaml");
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	while (!done && yaml_parser_parse(&parser, &ev)) {
		switch (ev.type) {
		case YAML_SEQUENCE_START_EVENT:
		case YAML_MAPPING_START_EVENT:
			if (++depth <= YAMLDOC_MAX_DEPTH)
				break;
			xasprintf(cause, "%s:%zu:%zu: nested deeper than %d "
			    "levels", name, ev.start_mark.line + 1,
			    ev.start_mark.column + 1, YAMLDOC_MAX_DEPTH);
			rc = -1;
			done = 1;
			break;
		case YAML_SEQUENCE_END_EVENT:
		case YAML_MAPPING_END_EVENT:
			depth--;
			break;
		case YAML_STREAM_END_EVENT:
			done = 1;
			break;
		default:
			break;
		}
		yaml_event_delete(&ev);
	}
	yaml_parser_delete(&parser);
	return (rc);
}

/* Returns the number of children of n: items, or keys and values. */
static size_t
yamldoc_nkids(const yaml_node_t *n)
{
	if (n->type == YAML_SEQUENCE_NODE)
		return (n->data.sequence.items.top -
		    n->data.sequence.items.start);
	if (n->type == YAML_MAPPING_NODE)
		return (2 * (size_t)(n->data.mapping.pairs.top -
		    n->data.mapping.pairs.start));
	return (0);
}

/* Returns the id of child i of n (see yamldoc_nkids()). */
static int
yamldoc_kid(const yaml_node_t *n, size_t i)
{
	const yaml_node_pair_t	*pair;

	if (n->type == YAML_SEQUENCE_NODE)
		return (n->data.sequence.items.start[i]);
	pair = &n->data.mapping.pairs.start[i / 2];
	return (i % 2 == 0 ? pair->key : pair->value);
}

/*
 * Counts the nodes a walk of doc meets, an alias's anchor once per alias.
 * Returns 0, or -1 with *cause set (allocated) when that exceeds the
 * document's own nodes by more than YAMLDOC_MAX_ALIASED (naming the first
 * node to do so) or an alias is inside its own anchor.  Iterative: the
 * graph may be as deep as YAMLDOC_MAX_DEPTH allows.
 */
static int
yamldoc_check_aliases(yaml_document_t *doc, const char *name, char **cause)
{
	struct frame {
		int		 node;
		size_t		 next;
	}			*stack, *f;
	yaml_node_t		*n;
	uint64_t		*size, cap;
	unsigned char		*state;	/* 0 new, 1 on the stack, 2 done */
	size_t			 nnodes, depth = 0;
	int			 id, kid, rc = 0;

	nnodes = doc->nodes.top - doc->nodes.start;
	cap = nnodes + YAMLDOC_MAX_ALIASED;
	size = xcalloc(nnodes + 1, sizeof *size);
	state = xcalloc(nnodes + 1, 1);
	stack = xcalloc(nnodes + 1, sizeof *stack);
	for (id = 1; rc == 0 && (size_t)id <= nnodes; id++) {
		if (state[id] != 0)
			continue;
		stack[depth].node = id;
		stack[depth++].next = 0;
		state[id] = 1;
		size[id] = 1;
		while (rc == 0 && depth > 0) {
			f = &stack[depth - 1];
			n = yaml_document_get_node(doc, f->node);
			if (f->next == yamldoc_nkids(n)) {
				/* done: its size goes to its parent */
				state[f->node] = 2;
				kid = f->node;
				if (--depth == 0)
					continue;
				f = &stack[depth - 1];
				n = yaml_document_get_node(doc, f->node);
			} else if ((kid = yamldoc_kid(n, f->next++)) < 1 ||
			    (size_t)kid > nnodes)
				continue;
			else if (state[kid] == 0) {
				state[kid] = 1;
				size[kid] = 1;
				stack[depth].node = kid;
				stack[depth++].next = 0;
				continue;
			} else if (state[kid] == 1) {
				xasprintf(cause, "%s:%zu: an alias inside its "
				    "own anchor", name, n->start_mark.line + 1);
				rc = -1;
				continue;
			}
			if ((size[f->node] += size[kid]) > cap) {
				xasprintf(cause, "%s:%zu: aliases expand the "
				    "document by more than %d nodes (a YAML "
				    "bomb?)", name, n->start_mark.line + 1,
				    YAMLDOC_MAX_ALIASED);
				rc = -1;
			}
		}
	}
	free(size);
	free(state);
	free(stack);
	return (rc);
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

	if (yamldoc_check_depth(text, len, name, cause) != 0)
		return (NULL);
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
	if (yamldoc_check_aliases(&d->doc, name, cause) != 0) {
		yamldoc_free(d);
		return (NULL);
	}
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
	if (yamldoc_check_depth(text, strlen(text), path, cause) != 0) {
		free(text);
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
		if (yamldoc_check_aliases(&d->doc, path, cause) != 0)
			goto fail;
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

/* Returns the value node of pair i of mapping n, or NULL. */
yaml_node_t *
yamldoc_value(struct yamldoc *d, yaml_node_t *n, size_t i)
{
	if (n == NULL || n->type != YAML_MAPPING_NODE || i >= yamldoc_count(n))
		return (NULL);
	return (yaml_document_get_node(&d->doc,
	    n->data.mapping.pairs.start[i].value));
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
