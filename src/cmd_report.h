/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CMD_REPORT_H
#define CMD_REPORT_H

#include "cmd.h"

int	cmd_report(struct cmd_ctx *, int, char **);

#endif
