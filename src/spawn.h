/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SPAWN_H
#define SPAWN_H

char	*spawn_find(const char *name);
int	 spawn_run(const char *const argv[], char **out, char **cause);

#endif
