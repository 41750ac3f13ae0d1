/* SPDX-License-Identifier: Apache-2.0 */
#ifndef STORE_NAMES_H
#define STORE_NAMES_H

#include <stdint.h>

#include "event.h"
#include "store.h"

struct store_names;

const char	*store_name(struct store *, int64_t);
struct event	*store_names_event(struct store *, int64_t);
void		 store_names_free(struct store_names *);

#endif
