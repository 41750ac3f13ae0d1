/* SPDX-License-Identifier: Apache-2.0 */
#ifndef PROFILE_IMPORT_H
#define PROFILE_IMPORT_H

struct store;

int	profile_import(struct store *, const char *path, char **cause);

#endif
