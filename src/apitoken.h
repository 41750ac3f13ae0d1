/* SPDX-License-Identifier: Apache-2.0 */
#ifndef APITOKEN_H
#define APITOKEN_H

#define APITOKEN_BYTES	32

struct config;

int	 apitoken_create(const char *path, char **cause);
char	*apitoken_path(const struct config *);

#endif
