/* SPDX-License-Identifier: Apache-2.0 */
#ifndef EVENT_H
#define EVENT_H

#include <stdint.h>

/*
 * The normalised audit event: what every stage after the parser works on.
 * Every pointer is owned by the event and freed by event_free().  An event
 * made by event_create_pool() keeps its strings in one block allocated with
 * it (event_strndup()), so they must not be passed to free(): replace such a
 * string with event_replace_str(), never event_set_str().
 */
struct event_path {
	char		*name;		/* as recorded: relative to cwd, or absolute */
	char		*nametype;	/* NORMAL, CREATE, DELETE, PARENT, ... */
	char		*dev;		/* "fe:01" */
	uint64_t	 inode;
	uint32_t	 mode;
};

struct event {
	int64_t		 time_ms;	/* epoch milliseconds */
	uint64_t	 serial;
	char		*node;		/* NULL when the log has no node= */
	char		*types;		/* record types, comma separated, in order */
	int		 type;		/* type of the first record */
	char		*syscall;	/* name, or NULL for non-syscall events */
	int		 syscall_nr;	/* -1 when none */
	uint32_t	 arch;
	int		 success;	/* 1 yes, 0 no, -1 not recorded */
	int64_t		 exit;
	uint64_t	 a[4];		/* syscall arguments a0..a3 */
	int		 pid;		/* -1 when not recorded */
	int		 ppid;
	uint32_t	 auid;		/* 4294967295 is unset */
	uint32_t	 uid;
	uint32_t	 euid;
	uint32_t	 gid;
	uint32_t	 ses;
	char		*tty;
	char		*comm;
	char		*exe;
	char		*cwd;
	char		*key;
	char		*subj;
	char		*proctitle;	/* decoded, arguments joined by spaces */
	char		*result;	/* res= / result of user-space records */
	char		**argv;		/* decoded EXECVE arguments */
	int		 argc;
	struct event_path *paths;
	int		 npaths;
	int		 sa_family;	/* 0 when no SOCKADDR */
	char		*sa_addr;	/* numeric address or unix socket path */
	int		 sa_port;
	char		*container;	/* container id, NULL when none */
	int		 malformed;	/* a record of it was truncated or broken */
	const char	*malformed_why;	/* static; NULL: truncated, broken */
	int		 session;	/* entered its container by exec */
	int		 entered;	/* the exec that starts the container's
					   own code: entrypoint or session */
	int		 runtime_work;	/* the runtime's work for container */
	int		 obj_pid;	/* OBJ_PID's opid: the target of ptrace,
					   kill... (host pid); -1 when none */
	char		*pool;		/* strings allocated with the event */
	size_t		 pool_used;
	size_t		 pool_size;
};

#define EVENT_ID_UNSET	4294967295U

struct event	*event_create(void);
struct event	*event_create_pool(size_t);
void		 event_free(struct event *);
void		 event_set_str(char **, const char *);
char		*event_stralloc(struct event *, size_t);
char		*event_strndup(struct event *, const char *, size_t);
void		 event_replace_str(struct event *, char **, char *);
struct event_path *event_add_path(struct event *);
void		 event_add_arg(struct event *, const char *, int);

#endif
