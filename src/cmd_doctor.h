/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CMD_DOCTOR_H
#define CMD_DOCTOR_H

#include "cmd.h"

int	cmd_doctor(struct cmd_ctx *, int, char **);

#endif
