/* SPDX-License-Identifier: Apache-2.0 */
#ifndef INPUT_NETLINK_H
#define INPUT_NETLINK_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "pipeline.h"

/* How records are taken from the kernel. */
enum input_netlink_mode {
	INPUT_NETLINK_READLOG,	/* multicast group, beside auditd */
	INPUT_NETLINK_OWN	/* as the kernel's one audit daemon */
};

struct input_netlink;

struct input_netlink	*input_netlink_open(enum input_netlink_mode,
			    char **cause);
int			 input_netlink_run(struct input_netlink *,
			    struct pipeline *, volatile sig_atomic_t *stop);
uint64_t		 input_netlink_overruns(const struct input_netlink *);
void			 input_netlink_close(struct input_netlink *);
size_t			 input_netlink_format(int type, const char *text,
			    size_t len, char *buf, size_t size);

#endif
