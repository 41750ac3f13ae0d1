/* SPDX-License-Identifier: Apache-2.0 */
#ifndef KAUDIT_H
#define KAUDIT_H

#include <stdint.h>

/* The kernel's audit status (AUDIT_GET), as auditctl -s shows it. */
struct kaudit_status {
	uint32_t	enabled;	/* 0 off, 1 on, 2 locked (-e 2) */
	uint32_t	failure;	/* 0 silent, 1 printk, 2 panic */
	uint32_t	pid;		/* the audit daemon's, 0 none */
	uint32_t	rate_limit;
	uint32_t	backlog_limit;
	uint32_t	lost;		/* records the kernel could not queue */
	uint32_t	backlog;	/* records waiting now */
	uint32_t	backlog_wait_time;
};

int	kaudit_status_fd(int fd, struct kaudit_status *, char **cause);
int	kaudit_status(struct kaudit_status *, char **cause);

#endif
