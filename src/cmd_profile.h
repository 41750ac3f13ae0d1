/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CMD_PROFILE_H
#define CMD_PROFILE_H

#include "cmd.h"

int	cmd_profile(struct cmd_ctx *, int, char **);

#endif
