/* SPDX-License-Identifier: Apache-2.0 */
#ifndef MANIFEST_H
#define MANIFEST_H

#include <stdio.h>

struct strmap;

/*
 * A list of strings, in the order first added, without repeats; from 16
 * strings on, an index of them makes manifest_strs_has() a lookup.
 */
struct manifest_strs {
	char		**v;
	size_t		  n;
	struct strmap	 *index;	/* NULL: none (yet) */
};

/*
 * What the manifests declare of one container.  Booleans and run_as_user
 * are -1 when not declared; strings NULL.
 */
struct manifest_ctr {
	char			*image;
	char			*source;	/* FILE:SERVICE, FILE:K/N/C */
	char			*base;		/* Dockerfile's last FROM */
	char			*wl_kind;
	char			*wl_name;
	char			*wl_namespace;
	char			*wl_container;
	int			 init;
	int			 read_only_root;
	int			 run_as_non_root;
	long long		 run_as_user;
	int			 privileged;
	int			 allow_privilege_escalation;
	int			 host_network;
	int			 host_pid;
	int			 host_ipc;
	char			*seccomp;
	char			*user;		/* as written: "mailer", "1000:1000" */
	int			 script_entry;	/* entrypoint is a script */
	struct manifest_strs	 exes;
	struct manifest_strs	 writable;
	struct manifest_strs	 capabilities;
	struct manifest_strs	 ports;		/* decimal, 0-65535 */
	struct manifest_strs	 peers;
	struct manifest_strs	 read_only;	/* mounts declared read-only */
	struct manifest_strs	 cap_drop;
	struct manifest_strs	 chain;		/* entrypoint, then what it execs */
	struct manifest_strs	 sessions;	/* "EXE\tARGV0" */
	struct manifest_strs	 lines;		/* "FACT\tFILE:LINE" */
};

/* The containers derived so far, and whether any input was bad. */
struct manifest_set {
	struct manifest_ctr	**v;
	size_t			  n;
	int			  bad;
};

struct manifest_ctr	*manifest_ctr_create(void);
void			 manifest_ctr_free(struct manifest_ctr *);
void			 manifest_set_add(struct manifest_set *,
			    struct manifest_ctr *);
void			 manifest_set_clear(struct manifest_set *);
void			 manifest_strs_add(struct manifest_strs *,
			    const char *);
void			 manifest_strs_push(struct manifest_strs *,
			    const char *);
void			 manifest_strs_clear(struct manifest_strs *);
void			 manifest_strs_unindex(struct manifest_strs *);
int			 manifest_strs_has(const struct manifest_strs *,
			    const char *);
int			 manifest_port_add(struct manifest_ctr *,
			    const char *);
void			 manifest_cap_add(struct manifest_ctr *,
			    const char *);
void			 manifest_cap_drop(struct manifest_ctr *,
			    const char *);
char			*manifest_shell_exe(const char *);
void			 manifest_shell_words(const char *,
			    struct manifest_strs *);
int			 manifest_is_script(const char *);
void			 manifest_argv_scan(struct manifest_ctr *,
			    const struct manifest_strs *, size_t);
void			 manifest_session_add(struct manifest_ctr *,
			    const char *argv0, int shell);
void			 manifest_line(struct manifest_ctr *, const char *,
			    const char *, int);
const char		*manifest_line_of(const struct manifest_ctr *,
			    const char *);
void			 manifest_user(struct manifest_ctr *, const char *,
			    const struct manifest_strs *);
int			 manifest_is_init(const char *);
const char		*manifest_var(const struct manifest_strs *,
			    const char *, size_t);
char			*manifest_expand(const char *,
			    const struct manifest_strs *);
void			 manifest_peers_from(struct manifest_strs *,
			    const char *, const struct manifest_strs *);
int			 manifest_is_bool(const char *, int *);
int			 manifest_is_uint(const char *, long long *);
void			 manifest_bad(struct manifest_set *, const char *,
			    int, const char *, ...)
			    __attribute__((format(printf, 4, 5)));
int			 manifest_derive(struct manifest_set *,
			    char **paths, size_t n);
int			 manifest_write(const struct manifest_set *, FILE *,
			    char **cause);

#endif
