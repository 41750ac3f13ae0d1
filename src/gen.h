/* SPDX-License-Identifier: Apache-2.0 */
#ifndef GEN_H
#define GEN_H

#include <stddef.h>

void	gen_path(const char *path, const char *cwd, char *out, size_t len);
void	gen_argv(char *const *argv, int argc, char *out, size_t len);
int	gen_match(const char *pattern, const char *s);

#endif
