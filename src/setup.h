/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SETUP_H
#define SETUP_H

#include <sys/types.h>

#include <stdio.h>

#include "hostaudit.h"
#include "kaudit.h"

/* contrib/driftwatch.service.in and driftwatch.cron.in (setup_data.c). */
struct setup_template {
	const char	*name;
	const char	*text;
};

extern const struct setup_template setup_templates[];

/* How auditd is told to read its plugins again. */
enum setup_reload {
	SETUP_RELOAD_SIGNAL,		/* SIGHUP to its pid */
	SETUP_RELOAD_SYSTEMCTL,		/* systemctl reload auditd */
	SETUP_RELOAD_SERVICE		/* service auditd reload (init.d) */
};

/* What the person asked for and what the configuration says. */
struct setup_opts {
	const char	*self;		/* this program, absolute */
	const char	*config;	/* --config FILE, absolute, or NULL */
	const char	*db;		/* absolute */
	int		 db_given;	/* --db on the command line */
	const char	*token;		/* api_token_file, absolute */
	const char	*api_user;
	const char	*systemd_dir;
	int		 systemd_dir_given;
	const char	*cron_dir;
	int		 cron_dir_given;
	const char	*installed_unit; /* make install's copy of the unit */
	const char	*proc_root;
};

/* What this host is like, found by setup_probe() (or a test's fixture). */
struct setup_host {
	int			 euid;
	struct hostaudit	 audit;		/* audit.pid 0: no auditd */
	struct kaudit_status	 kernel;
	char			*kernel_rules;	/* "auditctl -l" */
	int			 plugin_pid;	/* ours under auditd, or 0 */
	enum setup_reload	 reload;
	int			 systemctl;	/* systemctl is installed */
	int			 systemd;	/* and systemd runs */
	int			 unit_enabled;
	int			 api_user_ok;	/* api_user exists, not root */
	uid_t			 api_uid;
	gid_t			 api_gid;
};

enum setup_kind {
	SETUP_MKDIR,		/* path, mode */
	SETUP_DB,		/* create the database path */
	SETUP_TOKEN,		/* create the token file path */
	SETUP_FILE,		/* write text to path, mode */
	SETUP_RULES,		/* load text with auditctl -R */
	SETUP_RELOAD,		/* tell auditd, wait for the plugin */
	SETUP_ENABLE		/* systemctl enable --now path (a unit name) */
};

/* One step: the sentence said before it, and what it does. */
struct setup_step {
	enum setup_kind	  kind;
	char		 *say;
	char		 *path;
	char		 *text;
	mode_t		  mode;
	int		  exists;	/* FILE: replaces a file (backed up) */
	int		  plugin;	/* FILE: auditd's plugin file */
	int		  unit;		/* FILE: a systemd unit */
	char		**added;	/* RULES: the rule lines loaded */
	size_t		  nadded;
	char		**restore;	/* RULES: "-b 64": settings before */
	size_t		  nrestore;
};

struct setup_plan {
	struct setup_step	 *v;
	size_t			  n;
	char			**notes;	/* already in place, or skipped */
	size_t			  nnotes;
	char			 *refusal;	/* why setup cannot, or NULL */
	char			 *state;	/* the state file */
	char			 *args;		/* the plugin's args */
};

int	 setup_probe(struct setup_host *, const struct setup_opts *,
	    char **cause);
void	 setup_host_clear(struct setup_host *);
int	 setup_find_plugin(const char *proc_root, int auditd_pid,
	    const char *self);
struct setup_plan *setup_plan(const struct setup_host *,
	    const struct setup_opts *);
void	 setup_plan_free(struct setup_plan *);
void	 setup_plan_print(const struct setup_plan *,
	    const struct setup_host *, int steps, FILE *);
char	*setup_template_text(const char *name, const struct setup_opts *,
	    const char *command);
char	*setup_state_path(const char *db);

int	 setup_run(const struct setup_plan *, const struct setup_host *,
	    const struct setup_opts *, FILE *);
int	 setup_undo(const struct setup_opts *, int purge, FILE *);
int	 setup_reload(const struct setup_host *, char **cause);
const char *setup_reload_name(enum setup_reload);

#endif
