/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CMD_BASELINE_H
#define CMD_BASELINE_H

#include "cmd.h"

int	cmd_baseline(struct cmd_ctx *, int, char **);

#endif
