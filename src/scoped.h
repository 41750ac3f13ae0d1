/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SCOPED_H
#define SCOPED_H

#include "config.h"

struct scoped;

struct scoped	*scoped_create(const struct config *);
void		 scoped_free(struct scoped *);
void		 scoped_container(struct scoped *, const char *cid,
		    const char *merged_dir, int ended);

#endif
