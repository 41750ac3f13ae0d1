/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CMD_NETLINK_H
#define CMD_NETLINK_H

#include "cmd.h"

int	cmd_netlink(struct cmd_ctx *, int, char **);

#endif
