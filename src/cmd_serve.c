/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_serve.c: driftwatch serve [--listen ADDR:PORT | --unix PATH]: the HTTP
 * API and the web interface (api_server.c speaks HTTP, api_routes.c answers).
 *
 * It owns the start-up order that keeps the HTTP parser unprivileged:
 * everything that may need root happens first (bind the socket, open the
 * database read-write without creating it and its pool of readers, read or
 * create the token file (by default api.token beside the database), read
 * the TLS certificate and key, resolve web_root when set: otherwise the
 * interface is the one built in), then, when running
 * as root, the database files are given to api_user, the process becomes
 * that user with no supplementary groups and no capabilities (libcap-ng),
 * the change is verified, and only then does the HTTP server start.  It
 * says where to point a browser and where the token is, then waits for
 * SIGINT or SIGTERM and stops cleanly.
 */
#include <sys/types.h>
#include <sys/stat.h>

#include <cap-ng.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <limits.h>
#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api.h"
#include "api_cache.h"
#include "api_server.h"
#include "apitoken.h"
#include "cmd.h"
#include "cmd_serve.h"
#include "log.h"
#include "store.h"
#include "xmalloc.h"

#define SERVE_FILE_MAX		(1024 * 1024)
#define SERVE_READERS		4	/* read-only connections of the API */

/* Reads a small file whole; returns it allocated (caller frees) or NULL. */
static char *
serve_read_file(const char *path, char **cause)
{
	char	*buf;
	ssize_t	 n;
	size_t	 len = 0;
	int	 fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		xasprintf(cause, "%s: %s", path, strerror(errno));
		return (NULL);
	}
	buf = xmalloc(SERVE_FILE_MAX + 1);
	while ((n = read(fd, buf + len, SERVE_FILE_MAX - len)) > 0)
		len += (size_t)n;
	close(fd);
	if (n < 0 || len == SERVE_FILE_MAX) {
		xasprintf(cause, "%s: %s", path, n < 0 ? strerror(errno) :
		    "too large");
		free(buf);
		return (NULL);
	}
	buf[len] = '\0';
	return (buf);
}

/*
 * The token of path, created (mode 0600, 32 random bytes in hex, with the
 * missing directories) when missing; *created says so.  Returns it
 * allocated (caller frees) or NULL with *cause.
 */
static char *
serve_token(const char *path, int *created, char **cause)
{
	char	*tok, *dir, *slash, *p, c;

	*created = 0;
	if (access(path, F_OK) != 0 && errno == ENOENT) {
		/* the directories on the way, as mkdir -p (mode 0700) */
		dir = xstrdup(path);
		if ((slash = strrchr(dir, '/')) != NULL && slash != dir) {
			*slash = '\0';
			for (p = dir + 1; p != NULL; p = strchr(p + 1, '/')) {
				c = *p;
				*p = '\0';
				if (mkdir(dir, 0700) != 0 && errno != EEXIST)
					log_warn("mkdir %s", dir);
				*p = c;
				if (c == '\0')
					break;
			}
		}
		free(dir);
		if (apitoken_create(path, cause) != 0)
			return (NULL);
		*created = 1;
	}
	if ((tok = serve_read_file(path, cause)) == NULL)
		return (NULL);
	tok[strcspn(tok, " \t\r\n")] = '\0';
	if (strlen(tok) < 16) {
		xasprintf(cause, "%s: the token is shorter than 16 characters",
		    path);
		free(tok);
		return (NULL);
	}
	return (tok);
}

/*
 * When root: gives the database files to the user, then becomes it with
 * no supplementary groups and no capabilities, and checks.  Otherwise
 * drops any capabilities.  Returns 0, or -1 with *cause (allocated).
 */
static int
serve_drop(const char *user, const char *db, char **cause)
{
	struct passwd	*pw;
	const char	*sfx[] = { "", "-wal", "-shm" };
	char		*f;
	size_t		 i;

	if (geteuid() != 0) {
		/* e.g. a unit's AmbientCapabilities: none for the parser */
		capng_get_caps_process();
		if (capng_have_capabilities(CAPNG_SELECT_CAPS) ==
		    CAPNG_NONE)
			return (0);
		capng_clear(CAPNG_SELECT_CAPS);
		if (capng_apply(CAPNG_SELECT_CAPS) != 0) {
			xasprintf(cause, "cannot drop capabilities");
			return (-1);
		}
		return (0);
	}
	if ((pw = getpwnam(user)) == NULL || pw->pw_uid == 0) {
		xasprintf(cause, "api_user '%s': no such user, or root", user);
		return (-1);
	}
	/*
	 * SQLite keeps the database open, but may reopen -wal and -shm:
	 * they must stay writable by the unprivileged server.
	 */
	for (i = 0; i < sizeof sfx / sizeof sfx[0]; i++) {
		xasprintf(&f, "%s%s", db, sfx[i]);
		if (chown(f, pw->pw_uid, pw->pw_gid) != 0 && errno != ENOENT)
			log_warn("chown %s", f);
		free(f);
	}
	capng_clear(CAPNG_SELECT_BOTH);
	if (capng_change_id((int)pw->pw_uid, (int)pw->pw_gid,
	    CAPNG_DROP_SUPP_GRP | CAPNG_CLEAR_BOUNDING) != 0) {
		xasprintf(cause, "cannot become %s", user);
		return (-1);
	}
	if (getuid() != pw->pw_uid || geteuid() != pw->pw_uid ||
	    getgid() != pw->pw_gid || getegid() != pw->pw_gid ||
	    setuid(0) == 0 || capng_have_capabilities(CAPNG_SELECT_CAPS) !=
	    CAPNG_NONE) {
		xasprintf(cause, "privileges still held after becoming %s",
		    user);
		return (-1);
	}
	log_debug("running as %s (uid %u), no capabilities", user,
	    (unsigned)pw->pw_uid);
	return (0);
}

static void
serve_usage(FILE *out)
{
	fprintf(out, "usage: driftwatch serve [--listen ADDR:PORT | "
	    "--unix PATH]\n");
}

/* driftwatch serve: see the comment at the top of this file. */
int
cmd_serve(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ "unix", required_argument, NULL, 'u' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const struct config	*cfg = ctx->cfg;
	struct api_server_conf	 conf;
	struct api_server	*srv = NULL;
	struct api_ctx		 actx;
	struct store		*s = NULL, *readers[SERVE_READERS];
	const char		*addr = cfg->listen, *sock = NULL;
	char			*cause = NULL, *token = NULL, *cert = NULL;
	char			*key = NULL, *root = NULL, *tokpath = NULL;
	sigset_t		 set;
	int			 ch, fd = -1, sig, rc = CMD_ERROR;
	int			 nreaders = 0, created = 0;

	optind = 1;
	while ((ch = getopt_long(argc, argv, "l:u:h", opts, NULL)) != -1) {
		switch (ch) {
		case 'l':
			addr = optarg;
			break;
		case 'u':
			sock = optarg;
			break;
		case 'h':
			serve_usage(stdout);
			return (CMD_OK);
		default:
			serve_usage(stderr);
			return (CMD_USAGE);
		}
	}
	if (optind != argc) {
		serve_usage(stderr);
		return (CMD_USAGE);
	}
	memset(&conf, 0, sizeof conf);
	if ((*cfg->api_tls_cert == '\0') != (*cfg->api_tls_key == '\0')) {
		log_warnx("api_tls_cert and api_tls_key go together");
		return (CMD_ERROR);
	}
	if (sock != NULL)
		fd = api_server_listen_unix(sock, &cause);
	else
		fd = api_server_listen(addr, (int)cfg->api_allow_remote,
		    &cause);
	if (fd == -1)
		goto out;
	if ((s = store_open(cfg->db, 0, &cause)) == NULL)
		goto out;
	for (nreaders = 0; nreaders < SERVE_READERS; nreaders++)
		if ((readers[nreaders] = store_open(cfg->db, STORE_READER,
		    &cause)) == NULL)
			goto out;
	tokpath = apitoken_path(cfg);
	if ((token = serve_token(tokpath, &created, &cause)) == NULL)
		goto out;
	if (*cfg->api_tls_cert != '\0') {
		if ((cert = serve_read_file(cfg->api_tls_cert, &cause)) ==
		    NULL || (key = serve_read_file(cfg->api_tls_key,
		    &cause)) == NULL)
			goto out;
	}
	if (*cfg->web_root != '\0' &&
	    (root = realpath(cfg->web_root, NULL)) == NULL)
		log_warnx("web_root %s: %s; serving the built-in web interface",
		    cfg->web_root, strerror(errno));
	if (serve_drop(cfg->api_user, cfg->db, &cause) != 0)
		goto out;

	/* blocked before the server thread starts, so it inherits the mask */
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	conf.token = token;
	conf.web_root = root;
	conf.tls_cert = cert;
	conf.tls_key = key;
	conf.max_body = cfg->api_max_body;
	conf.max_connections = cfg->api_max_connections;
	conf.max_per_ip = cfg->api_max_per_ip;
	conf.timeout = cfg->api_timeout;
	conf.metrics_public = (int)cfg->metrics_public;
	conf.readers = readers;
	conf.nreaders = nreaders;
	actx.store = s;
	actx.cfg = cfg;
	actx.cache = api_cache_create();
	srv = api_server_start(fd, &conf, &actx, &cause);
	fd = -1;
	if (srv == NULL)
		goto out;
	log_info("serving %s on %s", cert != NULL ? "HTTPS" : "HTTP",
	    sock != NULL ? sock : addr);
	if (sock == NULL)
		log_info("web interface: %s://%s/", cert != NULL ? "https" :
		    "http", addr);
	log_info("API token: %s%s", tokpath, created ? " (created now)" : "");
	do {
		if (sigwait(&set, &sig) != 0)
			break;
	} while (sig == SIGHUP);
	log_info("stopping");
	rc = CMD_OK;
out:
	if (cause != NULL) {
		log_warnx("%s", cause);
		free(cause);
	}
	api_server_stop(srv);
	api_cache_free(actx.cache);
	if (fd != -1)
		close(fd);
	store_close(s);
	while (nreaders > 0)
		store_close(readers[--nreaders]);
	free(tokpath);
	if (token != NULL)
		explicit_bzero(token, strlen(token));
	free(token);
	free(cert);
	if (key != NULL)
		explicit_bzero(key, strlen(key));
	free(key);
	free(root);
	return (rc);
}
