/* SPDX-License-Identifier: Apache-2.0 */
#ifndef APITOKEN_H
#define APITOKEN_H

#define APITOKEN_BYTES	32

int	apitoken_create(const char *path, char **cause);

#endif
