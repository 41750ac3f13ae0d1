/* SPDX-License-Identifier: Apache-2.0 */
#ifndef YAMLDOC_H
#define YAMLDOC_H

#include <stddef.h>

#include <yaml.h>

struct yamldoc;

struct yamldoc	*yamldoc_load(const char *text, size_t len, const char *name,
		    char **cause);
struct yamldoc	*yamldoc_load_file(const char *path, char **cause);
struct yamldoc	**yamldoc_load_all_file(const char *path, size_t *n,
		    char **cause);
void		 yamldoc_free(struct yamldoc *);
yaml_node_t	*yamldoc_root(struct yamldoc *);
yaml_node_t	*yamldoc_get(struct yamldoc *, yaml_node_t *, const char *);
yaml_node_t	*yamldoc_item(struct yamldoc *, yaml_node_t *, size_t);
yaml_node_t	*yamldoc_value(struct yamldoc *, yaml_node_t *, size_t);
size_t		 yamldoc_count(yaml_node_t *);
const char	*yamldoc_str(yaml_node_t *);
const char	*yamldoc_getstr(struct yamldoc *, yaml_node_t *, const char *);
int		 yamldoc_line(yaml_node_t *);
const char	*yamldoc_name(struct yamldoc *);

#endif
