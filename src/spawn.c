/* SPDX-License-Identifier: Apache-2.0 */
/*
 * spawn.c: runs the audit tools driftwatch drives (auditctl, augenrules)
 * and collects what they print.
 *
 * Those tools live in sbin, which a user's PATH and auditd's empty plugin
 * environment both tend to lack, so after PATH the usual sbin and bin
 * directories are searched too.  The child's stderr stays ours: the tool's
 * own error messages reach the person who ran driftwatch.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "spawn.h"
#include "xmalloc.h"

#define SPAWN_FALLBACK_PATH	"/usr/local/sbin:/usr/local/bin:/usr/sbin:" \
				"/usr/bin:/sbin:/bin"

/*
 * Returns the executable name is run as: name itself when it holds a '/',
 * else the first match in PATH and then in the usual system directories.
 * Returns an allocated path (caller frees), or NULL when there is none.
 */
char *
spawn_find(const char *name)
{
	const char	*env = getenv("PATH");
	char		*dirs, *dir, *save, *path;

	if (strchr(name, '/') != NULL)
		return (access(name, X_OK) == 0 ? xstrdup(name) : NULL);
	xasprintf(&dirs, "%s:%s", env != NULL ? env : "",
	    SPAWN_FALLBACK_PATH);
	for (dir = strtok_r(dirs, ":", &save); dir != NULL;
	    dir = strtok_r(NULL, ":", &save)) {
		xasprintf(&path, "%s/%s", dir, name);
		if (access(path, X_OK) == 0) {
			free(dirs);
			return (path);
		}
		free(path);
	}
	free(dirs);
	return (NULL);
}

static char *
spawn_read_all(int fd)
{
	char	*buf = NULL;
	size_t	 len = 0, cap = 0;
	ssize_t	 n;

	for (;;) {
		if (cap - len < 4096) {
			cap = cap == 0 ? 8192 : cap * 2;
			buf = xreallocarray(buf, cap, 1);
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	return (buf);
}

/*
 * Runs argv (argv[0] found with spawn_find()) and waits for it.  With out,
 * its standard output is returned in *out: allocated, or NULL when it never
 * ran; the caller frees it whatever the result.  Returns the exit status,
 * or -1 with *cause set (allocated; caller frees) when it cannot be run or
 * dies of a signal.
 */
int
spawn_run(const char *const argv[], char **out, char **cause)
{
	char	*path;
	pid_t	 pid;
	int	 fd[2] = { -1, -1 }, status;

	if (out != NULL)
		*out = NULL;
	if ((path = spawn_find(argv[0])) == NULL) {
		xasprintf(cause, "%s: not found (is auditd installed?)",
		    argv[0]);
		return (-1);
	}
	if (out != NULL && pipe2(fd, O_CLOEXEC) == -1) {
		xasprintf(cause, "pipe: %s", strerror(errno));
		free(path);
		return (-1);
	}
	if ((pid = fork()) == -1) {
		xasprintf(cause, "fork: %s", strerror(errno));
		free(path);
		if (out != NULL) {
			close(fd[0]);
			close(fd[1]);
		}
		return (-1);
	}
	if (pid == 0) {
		if (out != NULL && dup2(fd[1], STDOUT_FILENO) == -1)
			_exit(127);
		execv(path, (char *const *)argv);
		_exit(127);
	}
	free(path);
	if (out != NULL) {
		close(fd[1]);
		*out = spawn_read_all(fd[0]);
		close(fd[0]);
	}
	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR) {
			xasprintf(cause, "waitpid: %s", strerror(errno));
			return (-1);
		}
	if (WIFEXITED(status))
		return (WEXITSTATUS(status));
	xasprintf(cause, "%s: killed by signal %d", argv[0],
	    WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	return (-1);
}
