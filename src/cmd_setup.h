/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CMD_SETUP_H
#define CMD_SETUP_H

struct cmd_ctx;

int	cmd_setup(struct cmd_ctx *, int, char **);

#endif
