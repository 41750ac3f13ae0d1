/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CMD_SERVE_H
#define CMD_SERVE_H

struct cmd_ctx;

int	cmd_serve(struct cmd_ctx *, int, char **);

#endif
