/* SPDX-License-Identifier: Apache-2.0 */
#ifndef HOSTAUDIT_H
#define HOSTAUDIT_H

#include <stdint.h>

/* Where this host's audit daemon is and where it keeps its files. */
struct hostaudit {
	int	 pid;		/* auditd's pid, 0 when none runs */
	char	*conf_dir;	/* its -c DIR, else /etc/audit */
	char	*conf_file;	/* conf_dir/auditd.conf */
	char	*plugin_dir;	/* where plugin files go */
	char	*rules_dir;	/* conf_dir/rules.d (augenrules), or NULL */
	char	*log_file;	/* auditd.conf log_file, or NULL */
	int	 audisp;	/* auditd 2: plugins go through audispd */
};

int	 hostaudit_find(struct hostaudit *, const char *proc_root,
	    uint32_t kernel_pid);
void	 hostaudit_clear(struct hostaudit *);
char	*hostaudit_conf_get(const char *path, const char *key);

#endif
