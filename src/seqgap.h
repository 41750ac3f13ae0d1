/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SEQGAP_H
#define SEQGAP_H

#include <stdint.h>

struct seqgap;

struct seqgap	*seqgap_create(void);
void		 seqgap_free(struct seqgap *);
uint64_t	 seqgap_see(struct seqgap *, const char *node, uint64_t serial);
uint64_t	 seqgap_finish(struct seqgap *);

#endif
