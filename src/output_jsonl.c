/* SPDX-License-Identifier: Apache-2.0 */
/*
 * output_jsonl.c: the JSON-lines file backend of output.c.
 *
 * Appends each line, with its newline, to output_jsonl in one write(2),
 * so that a SIEM shipper tailing the file never sees half a line.  When
 * the next line would take the file past output_jsonl_max_bytes (0: never)
 * it rotates as logrotate does: PATH.N-1 becomes PATH.N ... PATH becomes
 * PATH.1, keeping output_jsonl_keep old files (0: the file is emptied),
 * and starts a new PATH.  Errors are logged once and counted as failed.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "output.h"
#include "xmalloc.h"

struct output_jsonl {
	char			*path;
	int			 fd;
	int64_t			 max_bytes;
	int64_t			 keep;
	int64_t			 size;
	int			 warned;
	struct output_counts	 c;
};

static int
output_jsonl_reopen(struct output_jsonl *j, int trunc)
{
	struct stat	st;

	if (j->fd != -1)
		close(j->fd);
	j->fd = open(j->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC |
	    (trunc ? O_TRUNC : 0), 0640);
	if (j->fd == -1)
		return (-1);
	j->size = fstat(j->fd, &st) == 0 ? (int64_t)st.st_size : 0;
	return (0);
}

static void
output_jsonl_rotate(struct output_jsonl *j)
{
	char	*from, *to;
	int64_t	 i;

	for (i = j->keep - 1; i >= 1; i--) {
		xasprintf(&from, "%s.%lld", j->path, (long long)i);
		xasprintf(&to, "%s.%lld", j->path, (long long)i + 1);
		if (rename(from, to) == -1 && errno != ENOENT)
			log_warn("output_jsonl: rename %s", from);
		free(from);
		free(to);
	}
	if (j->keep > 0) {
		xasprintf(&to, "%s.1", j->path);
		if (rename(j->path, to) == -1 && errno != ENOENT)
			log_warn("output_jsonl: rename %s", j->path);
		free(to);
	}
	if (output_jsonl_reopen(j, 1) == -1)
		log_warn("output_jsonl: %s", j->path);
}

static void *
output_jsonl_open(const struct config *cfg, char **cause)
{
	struct output_jsonl	*j;

	if (cfg->output_jsonl == NULL || *cfg->output_jsonl == '\0')
		return (NULL);
	j = xcalloc(1, sizeof *j);
	j->path = xstrdup(cfg->output_jsonl);
	j->fd = -1;
	j->max_bytes = cfg->output_jsonl_max_bytes;
	j->keep = cfg->output_jsonl_keep;
	if (output_jsonl_reopen(j, 0) == -1) {
		xasprintf(cause, "output_jsonl: %s: %s", j->path,
		    strerror(errno));
		free(j->path);
		free(j);
		return (NULL);
	}
	return (j);
}

static void
output_jsonl_send(void *arg, enum output_kind kind, const char *severity,
    const char *line, size_t len)
{
	struct output_jsonl	*j = arg;
	char			*buf;
	ssize_t			 n;

	(void)kind;
	(void)severity;
	if (j->max_bytes > 0 && j->size > 0 &&
	    j->size + (int64_t)len + 1 > j->max_bytes)
		output_jsonl_rotate(j);
	if (j->fd == -1 && output_jsonl_reopen(j, 0) == -1) {
		j->c.failed++;
		return;
	}
	buf = xmalloc(len + 1);
	memcpy(buf, line, len);
	buf[len] = '\n';
	n = write(j->fd, buf, len + 1);
	free(buf);
	if (n != (ssize_t)len + 1) {
		if (!j->warned++)
			log_warn("output_jsonl: %s", j->path);
		j->c.failed++;
		if (n > 0)
			j->size += n;
		return;
	}
	j->size += n;
	j->c.sent++;
}

static void
output_jsonl_close(void *arg, struct output_counts *c)
{
	struct output_jsonl	*j = arg;

	if (j->fd != -1 && fsync(j->fd) == -1 && errno != EINVAL)
		log_warn("output_jsonl: %s", j->path);
	if (j->fd != -1)
		close(j->fd);
	*c = j->c;
	free(j->path);
	free(j);
}

const struct output_backend output_jsonl_backend = {
	"jsonl",
	output_jsonl_open,
	output_jsonl_send,
	output_jsonl_close
};
