/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hostaudit.c: finds this host's audit daemon and the files it reads, for
 * setup and doctor.  The daemon is the pid the kernel names (AUDIT_GET),
 * else a process called auditd; its configuration directory is its -c
 * argument (auditd -n -c DIR runs with a private one) or /etc/audit.
 * auditd.conf says where plugins go: plugin_dir for auditd 3, which runs
 * them itself, /etc/audisp/plugins.d for auditd 2 (a "dispatcher" line).
 * Read only: nothing here changes the host.
 */
#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hostaudit.h"
#include "xmalloc.h"

#define HOSTAUDIT_CONF_DIR	"/etc/audit"
#define HOSTAUDIT_AUDISP_DIR	"/etc/audisp/plugins.d"

/*
 * Returns the value of key in an auditd-style "key = value" file as an
 * allocated string (caller frees), or NULL when the file or key is absent.
 */
char *
hostaudit_conf_get(const char *path, const char *key)
{
	char	 line[1024], *k, *v, *end, *val = NULL;
	FILE	*f;

	if ((f = fopen(path, "r")) == NULL)
		return (NULL);
	while (val == NULL && fgets(line, sizeof line, f) != NULL) {
		for (k = line; isspace((unsigned char)*k); k++)
			;
		if (*k == '#' || (v = strchr(k, '=')) == NULL)
			continue;
		for (end = v; end > k && isspace((unsigned char)end[-1]); end--)
			;
		if ((size_t)(end - k) != strlen(key) ||
		    strncmp(k, key, (size_t)(end - k)) != 0)
			continue;
		for (v++; isspace((unsigned char)*v); v++)
			;
		for (end = v + strlen(v); end > v &&
		    isspace((unsigned char)end[-1]); end--)
			;
		*end = '\0';
		val = xstrdup(v);
	}
	fclose(f);
	return (val);
}

/* Whether pid, under proc_root, runs a program called auditd. */
static int
hostaudit_is_auditd(const char *proc_root, int pid)
{
	char	path[256], comm[64];
	FILE	*f;
	int	yes = 0;

	snprintf(path, sizeof path, "%s/%d/comm", proc_root, pid);
	if ((f = fopen(path, "r")) == NULL)
		return (0);
	if (fgets(comm, sizeof comm, f) != NULL)
		yes = strcmp(comm, "auditd\n") == 0;
	fclose(f);
	return (yes);
}

static int
hostaudit_scan(const char *proc_root)
{
	struct dirent	*de;
	DIR		*d;
	int		 pid, found = 0;

	if ((d = opendir(proc_root)) == NULL)
		return (0);
	while (found == 0 && (de = readdir(d)) != NULL)
		if ((pid = atoi(de->d_name)) > 0 &&
		    hostaudit_is_auditd(proc_root, pid))
			found = pid;
	closedir(d);
	return (found);
}

/* The DIR of "-c DIR" or "-cDIR" on pid's command line, allocated, or NULL. */
static char *
hostaudit_conf_arg(const char *proc_root, int pid)
{
	char	 path[256], buf[4096], *p, *dir = NULL;
	ssize_t	 n;
	int	 fd;

	snprintf(path, sizeof path, "%s/%d/cmdline", proc_root, pid);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return (NULL);
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0)
		return (NULL);
	buf[n] = '\0';
	for (p = buf; p < buf + n && dir == NULL; p += strlen(p) + 1) {
		if (strcmp(p, "-c") == 0 && p + strlen(p) + 1 < buf + n)
			dir = xstrdup(p + strlen(p) + 1);
		else if (strncmp(p, "-c", 2) == 0 && p[2] != '\0')
			dir = xstrdup(p + 2);
	}
	return (dir);
}

/*
 * Fills h with where the audit daemon is (kernel_pid: the one AUDIT_GET
 * names, 0 when unknown) and its files, read under proc_root.  Returns 1
 * when an auditd runs, 0 when none does (h then describes the default
 * locations).  Caller clears h with hostaudit_clear().
 */
int
hostaudit_find(struct hostaudit *h, const char *proc_root, uint32_t kernel_pid)
{
	struct stat	 sb;
	char		*disp, *path;

	memset(h, 0, sizeof *h);
	if (kernel_pid != 0 && hostaudit_is_auditd(proc_root, (int)kernel_pid))
		h->pid = (int)kernel_pid;
	else
		h->pid = hostaudit_scan(proc_root);
	if (h->pid != 0)
		h->conf_dir = hostaudit_conf_arg(proc_root, h->pid);
	if (h->conf_dir == NULL)
		h->conf_dir = xstrdup(HOSTAUDIT_CONF_DIR);
	xasprintf(&h->conf_file, "%s/auditd.conf", h->conf_dir);
	h->log_file = hostaudit_conf_get(h->conf_file, "log_file");
	if ((disp = hostaudit_conf_get(h->conf_file, "dispatcher")) != NULL) {
		h->audisp = 1;
		h->plugin_dir = xstrdup(HOSTAUDIT_AUDISP_DIR);
		free(disp);
	} else if ((h->plugin_dir = hostaudit_conf_get(h->conf_file,
	    "plugin_dir")) == NULL)
		xasprintf(&h->plugin_dir, "%s/plugins.d", h->conf_dir);
	xasprintf(&path, "%s/rules.d", h->conf_dir);
	if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
		h->rules_dir = path;
	else
		free(path);
	return (h->pid != 0);
}

/* Frees what h holds; h itself is the caller's. */
void
hostaudit_clear(struct hostaudit *h)
{
	free(h->conf_dir);
	free(h->conf_file);
	free(h->plugin_dir);
	free(h->rules_dir);
	free(h->log_file);
	memset(h, 0, sizeof *h);
}
