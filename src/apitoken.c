/* SPDX-License-Identifier: Apache-2.0 */
/*
 * apitoken.c: the API's bearer token file.  serve creates it at its first
 * start, setup ahead of that; serve reads it (as root, before it becomes
 * api_user) and the person reads it to call the API.  The file is
 * APITOKEN_BYTES random bytes in hex and a newline, mode 0600, owned by
 * whoever creates it, and never replaced: O_EXCL.
 */
#include <sys/random.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "apitoken.h"
#include "config.h"
#include "xmalloc.h"

/*
 * Returns the token file of cfg, allocated (caller frees): api_token_file,
 * or when empty api.token in the directory of the database.
 */
char *
apitoken_path(const struct config *cfg)
{
	const char	*slash;
	char		*path;

	if (*cfg->api_token_file != '\0')
		return (xstrdup(cfg->api_token_file));
	if ((slash = strrchr(cfg->db, '/')) == NULL)
		return (xstrdup("api.token"));
	xasprintf(&path, "%.*s/api.token", (int)(slash - cfg->db), cfg->db);
	return (path);
}

/*
 * Creates the token file path (its directory must exist).  Returns 0, or
 * -1 with *cause set (allocated; caller frees), also when path exists.
 */
int
apitoken_create(const char *path, char **cause)
{
	unsigned char	raw[APITOKEN_BYTES];
	char		hex[2 * APITOKEN_BYTES + 2];
	size_t		i, len;
	int		fd;

	if (getrandom(raw, sizeof raw, 0) != (ssize_t)sizeof raw) {
		xasprintf(cause, "getrandom: %s", strerror(errno));
		return (-1);
	}
	for (i = 0; i < sizeof raw; i++)
		snprintf(hex + 2 * i, 3, "%02x", raw[i]);
	explicit_bzero(raw, sizeof raw);
	hex[2 * sizeof raw] = '\n';
	hex[2 * sizeof raw + 1] = '\0';
	len = strlen(hex);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd == -1 || write(fd, hex, len) != (ssize_t)len ||
	    fchmod(fd, 0600) != 0 || close(fd) != 0) {
		xasprintf(cause, "cannot create %s: %s", path, strerror(errno));
		if (fd != -1) {
			close(fd);
			unlink(path);
		}
		explicit_bzero(hex, sizeof hex);
		return (-1);
	}
	explicit_bzero(hex, sizeof hex);
	return (0);
}
