/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CMD_FLEET_H
#define CMD_FLEET_H

#include "cmd.h"

int	cmd_fleet(struct cmd_ctx *, int, char **);
int	cmd_fleet_baseline(struct cmd_ctx *, const char *verb,
	    const char *image, int all);

#endif
