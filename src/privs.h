/* SPDX-License-Identifier: Apache-2.0 */
#ifndef PRIVS_H
#define PRIVS_H

#include "config.h"

int	privs_limit_reader(const struct config *, int, char **);

#endif
