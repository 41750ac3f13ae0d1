/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CMD_RULES_H
#define CMD_RULES_H

#include "cmd.h"

int	cmd_rules(struct cmd_ctx *, int, char **);

#endif
