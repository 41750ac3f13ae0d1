/* SPDX-License-Identifier: Apache-2.0 */
/*
 * seqgap.c: counts audit serial numbers that never arrive.
 *
 * The kernel numbers every event it emits; a serial that is missing from the
 * stream is an event lost before driftwatch (kernel backlog, auditd queue).
 * Events may arrive a little out of order, so a serial only counts as lost
 * once SEQGAP_WINDOW newer serials have gone by (or at seqgap_finish()).  A
 * serial far behind or far ahead of the window is an auditd or kernel
 * restart, not a loss: tracking starts over.  Serial spaces are per node.
 */
#include <stdlib.h>
#include <string.h>

#include "seqgap.h"
#include "xmalloc.h"

#define SEQGAP_WINDOW	4096		/* a power of two */
#define SEQGAP_JUMP	1000000		/* beyond this, a restart */
#define SEQGAP_NODES	64

struct seqgap_node {
	char		*name;		/* NULL for the unnamed node */
	int		 used;
	int		 started;
	uint64_t	 low;		/* first serial tracked */
	uint64_t	 max;		/* highest serial seen */
	uint8_t		 seen[SEQGAP_WINDOW / 8];
};

struct seqgap {
	struct seqgap_node	nodes[SEQGAP_NODES];
};

/* Returns an allocated tracker; caller frees with seqgap_free(). */
struct seqgap *
seqgap_create(void)
{
	return (xcalloc(1, sizeof(struct seqgap)));
}

/* Frees sg; NULL is a no-op. */
void
seqgap_free(struct seqgap *sg)
{
	int	i;

	if (sg == NULL)
		return;
	for (i = 0; i < SEQGAP_NODES; i++)
		free(sg->nodes[i].name);
	free(sg);
}

#define BIT(n, s)	((n)->seen[((s) % SEQGAP_WINDOW) / 8])
#define MASK(s)		(1U << ((s) % 8))

static void
seqgap_reset(struct seqgap_node *n, uint64_t serial)
{
	memset(n->seen, 0, sizeof n->seen);
	n->low = n->max = serial;
	BIT(n, serial) |= MASK(serial);
}

static struct seqgap_node *
seqgap_node(struct seqgap *sg, const char *node)
{
	struct seqgap_node	*n;
	int			 i;

	for (i = 0; i < SEQGAP_NODES; i++) {
		n = &sg->nodes[i];
		if (!n->used) {
			n->used = 1;
			n->name = node != NULL ? xstrdup(node) : NULL;
			return (n);
		}
		if ((n->name == NULL && node == NULL) || (n->name != NULL &&
		    node != NULL && strcmp(n->name, node) == 0))
			return (n);
	}
	return (NULL);
}

/* Counts the serials in n's window never seen, then marks them seen. */
static uint64_t
seqgap_finish_node(struct seqgap_node *n)
{
	uint64_t	s, from, lost = 0;

	from = n->max >= SEQGAP_WINDOW - 1 ? n->max - (SEQGAP_WINDOW - 1) : 0;
	if (from < n->low)
		from = n->low;
	for (s = from; s <= n->max; s++) {
		if (!(BIT(n, s) & MASK(s)))
			lost++;
		BIT(n, s) |= MASK(s);
	}
	return (lost);
}

/*
 * Records serial as seen on node (borrowed).  Returns how many serials this
 * makes certain to be lost.
 */
uint64_t
seqgap_see(struct seqgap *sg, const char *node, uint64_t serial)
{
	struct seqgap_node	*n;
	uint64_t		 lost = 0, s;

	if ((n = seqgap_node(sg, node)) == NULL)
		return (0);
	if (!n->started) {
		n->started = 1;
		seqgap_reset(n, serial);
		return (0);
	}
	if (serial <= n->max) {
		if (n->max - serial >= SEQGAP_WINDOW) {
			if (n->max - serial > SEQGAP_JUMP)
				seqgap_reset(n, serial);
			return (0);
		}
		if (serial >= n->low)
			BIT(n, serial) |= MASK(serial);
		return (0);
	}
	if (serial - n->max > SEQGAP_JUMP) {
		lost = seqgap_finish_node(n);
		seqgap_reset(n, serial);
		return (lost);
	}
	for (s = n->max + 1; s <= serial; s++) {
		if (s >= n->low + SEQGAP_WINDOW) {
			if (!(BIT(n, s) & MASK(s)))
				lost++;
		}
		BIT(n, s) &= ~MASK(s);
	}
	BIT(n, serial) |= MASK(serial);
	n->max = serial;
	return (lost);
}

/*
 * Ends the stream: returns how many serials inside the windows were never
 * seen.  Tracking goes on afterwards without counting them twice.
 */
uint64_t
seqgap_finish(struct seqgap *sg)
{
	uint64_t	lost = 0;
	int		i;

	for (i = 0; i < SEQGAP_NODES; i++)
		if (sg->nodes[i].used)
			lost += seqgap_finish_node(&sg->nodes[i]);
	return (lost);
}
