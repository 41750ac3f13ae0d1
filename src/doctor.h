/* SPDX-License-Identifier: Apache-2.0 */
#ifndef DOCTOR_H
#define DOCTOR_H

#include <stddef.h>
#include <stdint.h>

#include "config.h"
#include "hostaudit.h"
#include "kaudit.h"
#include "store_health.h"

enum doctor_status {
	DOCTOR_OK,
	DOCTOR_WARN,		/* worth a look; nothing is lost because of it */
	DOCTOR_FAIL,		/* a broken link: a person must act */
	DOCTOR_SKIP		/* could not be checked (needs root, ...) */
};

/* One link of the chain, checked. */
struct doctor_result {
	const char		*check;		/* static: "kernel", "rules", ... */
	enum doctor_status	 status;
	char			*detail;	/* what was seen; owned */
	char			*fix;		/* the command that fixes it, or
						   NULL; owned */
};

struct doctor_report {
	struct doctor_result	*v;
	size_t			 n;
};

/*
 * What the checks learn from outside the file system: the kernel and
 * auditctl.  doctor_env_probe() asks them on a live host; the unit tests
 * fill it by hand.  The file system (proc_root, auditd's files, the
 * database, the runtimes' roots, the token file) and the API server are
 * read by the checks themselves.
 */
struct doctor_env {
	const struct config	*cfg;		/* borrowed */
	const char		*config_path;	/* borrowed; named in fixes */
	char			*self;		/* this executable, resolved */
	char			*unit_dir;	/* where systemd shows enabled
						   units (multi-user.target.wants) */
	int			 root;		/* euid 0: root-only checks run */
	int64_t			 now_ms;
	int			 have_kernel;	/* kernel is valid */
	struct kaudit_status	 kernel;
	int64_t			 lost_later;	/* lost a second later, or -1 */
	char			*kernel_cause;	/* why not have_kernel */
	char			*rules_list;	/* "auditctl -l", or NULL */
	char			*rules_status;	/* "auditctl -s", or NULL */
	char			*rules_cause;	/* why rules_list is NULL */
};

/* What the checks found out and share, for doctor.c and doctor_data.c. */
struct doctor {
	const struct doctor_env	*env;
	struct doctor_report	*report;
	struct hostaudit	 ha;
	int			 ha_found;	/* ha.pid runs */
	int			 own_pid;	/* driftwatch netlink --own */
	int			 db_state;	/* 0 not read, 1 read, -1 failed */
	struct store		*store;		/* open when db_state is 1 */
	struct store_health	 db;
	char			*db_cause;	/* why db_state is -1 */
	int			 db_denied;	/* permission denied */
};

void	 doctor_env_probe(struct doctor_env *, const struct config *,
	    const char *config_path);
void	 doctor_env_clear(struct doctor_env *);
struct doctor_report *doctor_run(const struct doctor_env *);
int	 doctor_report_failed(const struct doctor_report *);
void	 doctor_report_free(struct doctor_report *);
const char *doctor_status_name(enum doctor_status);

/* For the checks (doctor.c, doctor_data.c). */
void	 doctor_add(struct doctor *, const char *check, enum doctor_status,
	    char *fix, const char *fmt, ...)
	    __attribute__((format(printf, 5, 6)));
int	 doctor_db_load(struct doctor *);
char	*doctor_age(int64_t ms);
void	 doctor_check_queue(struct doctor *);
void	 doctor_check_database(struct doctor *);
void	 doctor_check_runtimes(struct doctor *);
void	 doctor_check_serve(struct doctor *);
void	 doctor_check_fleet(struct doctor *);
void	 doctor_check_clock(struct doctor *);

#endif
