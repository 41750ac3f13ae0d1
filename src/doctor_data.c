/* SPDX-License-Identifier: Apache-2.0 */
/*
 * doctor_data.c: driftwatch doctor's checks past auditd (doctor.c runs
 * them): the plugin's counters (queue), the database (database), the
 * container runtimes' state (runtimes), the API server (serve) and the
 * clock (clock).
 *
 * The database is opened as it is, once, by the first check that needs it
 * (doctor_db_load()); its write test takes the write lock and is rolled
 * back.  The API server is asked GET /api/v1/health over loopback, then,
 * with the token of api_token_file, GET /api/v1/status: a tiny HTTP/1.0
 * client, plain HTTP only (with api_tls_cert only the connection is
 * checked).  Nothing here changes the host.
 */
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "apitoken.h"
#include "doctor.h"
#include "runtime.h"
#include "store.h"
#include "xmalloc.h"

#define DOCTOR_FUTURE_MS	60000	/* clock steps smaller than this pass */
#define DOCTOR_CLOCK_MIN	1577836800	/* 2020-01-01: an unset clock */
#define DOCTOR_HTTP_MS		3000
#define DOCTOR_HTTP_MAX		65536

/*
 * Opens d's database as it is, once, and reads its health.  Returns 1
 * when read, -1 otherwise (d->db_cause says why).
 */
int
doctor_db_load(struct doctor *d)
{
	const char	*db = d->env->cfg->db;
	char		*cause = NULL;

	if (d->db_state != 0)
		return (d->db_state);
	d->db_state = -1;
	if (access(db, F_OK) != 0) {
		xasprintf(&d->db_cause, "no database at %s", db);
		return (-1);
	}
	if (access(db, R_OK) != 0 && errno == EACCES)
		d->db_denied = 1;
	if ((d->store = store_open(db, STORE_NOCHANGE, &cause)) == NULL) {
		d->db_cause = cause;
		return (-1);
	}
	if (store_health(d->store, &d->db) != 0) {
		xasprintf(&d->db_cause, "%s cannot be read", db);
		return (-1);
	}
	d->db_state = 1;
	return (1);
}

/* Returns bytes as "123 kB", "4.5 MB", ..., allocated (caller frees). */
static char *
doctor_size(int64_t bytes)
{
	const char	*unit[] = { "bytes", "kB", "MB", "GB", "TB" };
	double		 v = (double)bytes;
	char		*s;
	int		 i = 0;

	while (v >= 1000 && i < 4) {
		v /= 1000;
		i++;
	}
	if (i == 0)
		xasprintf(&s, "%lld bytes", (long long)bytes);
	else
		xasprintf(&s, "%.*f %s", v < 10 ? 1 : 0, v, unit[i]);
	return (s);
}

/* The file that holds the configuration, for the fixes that name it. */
static const char *
doctor_conf(const struct doctor *d)
{
	return (d->env->config_path != NULL ? d->env->config_path :
	    "driftwatch.conf");
}

void
doctor_check_queue(struct doctor *d)
{
	const struct store_counters	*c = &d->db.c;
	char				*fix;

	if (doctor_db_load(d) != 1) {
		doctor_add(d, "queue", DOCTOR_SKIP, NULL, "%s",
		    d->db_denied && !d->env->root ? "needs root: the "
		    "counters are in the database" : "the plugin's counters "
		    "are in the database, which cannot be read (see "
		    "database)");
		return;
	}
	if (c->dropped > 0) {
		xasprintf(&fix, "raise queue_events and queue_bytes in %s, "
		    "then service auditd restart; database errors are in the "
		    "plugin's syslog messages", doctor_conf(d));
		doctor_add(d, "queue", DOCTOR_WARN, fix, "the plugin dropped "
		    "%lld events (its queue was full, or the database refused "
		    "them); malformed %lld of %lld records; %lld serials not "
		    "seen: includes events filtered by never rules, not a loss",
		    (long long)c->dropped, (long long)c->malformed,
		    (long long)c->records, (long long)c->gaps);
	} else if (c->malformed > 0)
		doctor_add(d, "queue", DOCTOR_WARN, xstrdup("driftwatch ingest "
		    "of the raw audit log names the malformed lines"),
		    "nothing dropped; %lld of %lld records malformed (counted, "
		    "not stored); %lld serials not seen: includes events "
		    "filtered by never rules, not a loss",
		    (long long)c->malformed, (long long)c->records,
		    (long long)c->gaps);
	else
		doctor_add(d, "queue", DOCTOR_OK, NULL, "nothing dropped, "
		    "nothing malformed in %lld records; %lld serials not seen: "
		    "includes events filtered by never rules, not a loss",
		    (long long)c->records, (long long)c->gaps);
}

/* Undoes /proc/self/mounts' octal escapes (\040 a space) in place. */
static void
doctor_unescape(char *s)
{
	char	*d = s;

	for (; *s != '\0'; s++, d++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' &&
		    s[2] >= '0' && s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*d = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 +
			    (s[3] - '0'));
			s += 3;
		} else
			*d = *s;
	}
	*d = '\0';
}

/*
 * The mount point of the file system (or bind mount) holding dir, the
 * longest of /proc/self/mounts that contains it; allocated.
 */
static char *
doctor_mount_point(const char *dir)
{
	char	 line[4096], *real, *mnt, *best = NULL;
	size_t	 n, blen = 0;
	FILE	*f;

	if ((real = realpath(dir, NULL)) == NULL)
		real = xstrdup(dir);
	if ((f = fopen("/proc/self/mounts", "r")) != NULL) {
		while (fgets(line, sizeof line, f) != NULL) {
			if ((mnt = strchr(line, ' ')) == NULL)
				continue;
			mnt++;
			mnt[strcspn(mnt, " ")] = '\0';
			doctor_unescape(mnt);
			n = strlen(mnt);
			if (n < blen || (strcmp(mnt, "/") != 0 &&
			    (strncmp(real, mnt, n) != 0 ||
			    (real[n] != '\0' && real[n] != '/'))))
				continue;
			free(best);
			best = xstrdup(mnt);
			blen = n;
		}
		fclose(f);
	}
	if (best == NULL)
		best = xstrdup(real);
	free(real);
	return (best);
}

/*
 * Whether the events kept grow past what the file system holding db has
 * free before retention caps them: a warning in *why (allocated), or 0.
 */
static int
doctor_db_growth(const struct doctor *d, const char *dir, char **why)
{
	const struct config		*cfg = d->env->cfg;
	const struct store_health	*h = &d->db;
	struct statvfs			 vfs;
	double				 per, rate, cap = -1;
	int64_t				 span = h->newest_ms - h->oldest_ms;
	char				*want, *have;

	if (h->events < 1000 || statvfs(dir, &vfs) != 0)
		return (0);
	per = (double)h->bytes / (double)h->events;
	if (cfg->retention_events > 0)
		cap = (double)cfg->retention_events;
	if (cfg->retention_days > 0 && span >= 3600 * 1000) {
		rate = (double)h->events / (double)span;
		if (cap < 0 || rate * cfg->retention_days * 86400000.0 < cap)
			cap = rate * cfg->retention_days * 86400000.0;
	}
	if (cap < 0 || per * (cap - (double)h->events) <=
	    (double)vfs.f_bavail * (double)vfs.f_frsize)
		return (0);
	want = doctor_size((int64_t)(per * cap));
	have = doctor_size((int64_t)vfs.f_bavail * (int64_t)vfs.f_frsize);
	xasprintf(why, "at this rate it grows to about %s before retention "
	    "caps it; %s free", want, have);
	free(want);
	free(have);
	return (1);
}

void
doctor_check_database(struct doctor *d)
{
	const struct config		*cfg = d->env->cfg;
	const struct store_health	*h = &d->db;
	struct statvfs			 vfs;
	char				*dir, *slash, *mnt, *fix, *cause = NULL;
	char				*size, *span, *why = NULL;
	int64_t				 keep_ms;

	if (access(cfg->db, F_OK) != 0) {
		doctor_add(d, "database", DOCTOR_FAIL, xstrdup("start the "
		    "plugin (see plugin): it creates the database; or "
		    "driftwatch --db PATH doctor"), "no database at %s",
		    cfg->db);
		return;
	}
	if (!d->env->root) {
		doctor_add(d, "database", DOCTOR_SKIP, NULL, "needs root: "
		    "driftwatch writes %s as root", cfg->db);
		return;
	}
	dir = xstrdup(cfg->db);
	if ((slash = strrchr(dir, '/')) != NULL)
		*(slash == dir ? slash + 1 : slash) = '\0';
	else {
		free(dir);
		dir = xstrdup(".");
	}
	if (statvfs(dir, &vfs) == 0 && (vfs.f_flag & ST_RDONLY)) {
		mnt = doctor_mount_point(dir);
		xasprintf(&fix, "mount -o remount,rw %s", mnt);
		doctor_add(d, "database", DOCTOR_FAIL, fix, "%s is on a "
		    "read-only file system (%s): the plugin cannot store",
		    cfg->db, mnt);
		free(mnt);
		goto out;
	}
	if (doctor_db_load(d) != 1) {
		xasprintf(&fix, "make %s readable and writable by root (and "
		    "its directory), or point db in %s at the right file",
		    cfg->db, doctor_conf(d));
		doctor_add(d, "database", DOCTOR_FAIL, fix, "%s", d->db_cause);
		goto out;
	}
	if (h->readonly || store_health_write_test(d->store, &cause) != 0) {
		xasprintf(&fix, "make %s and %s writable by root (file mode, "
		    "chattr -i, the file system)", cfg->db, dir);
		doctor_add(d, "database", DOCTOR_FAIL, fix, "%s does not take "
		    "writes: %s", cfg->db, cause != NULL ? cause : "SQLite "
		    "opened it read-only");
		free(cause);
		goto out;
	}
	size = doctor_size(h->bytes);
	span = doctor_age(h->newest_ms - h->oldest_ms);
	keep_ms = cfg->retention_days * 86400000;
	if (cfg->retention_events > 0 &&
	    h->events > cfg->retention_events + cfg->retention_events / 10) {
		xasprintf(&fix, "service auditd restart (the plugin prunes "
		    "as it stores), or lower retention_events in %s",
		    doctor_conf(d));
		doctor_add(d, "database", DOCTOR_WARN, fix, "%s holds %lld "
		    "events, more than retention_events (%lld); %s",
		    cfg->db, (long long)h->events,
		    (long long)cfg->retention_events, size);
	} else if (keep_ms > 0 && h->events > 0 &&
	    h->newest_ms - h->oldest_ms > keep_ms + 86400000) {
		xasprintf(&fix, "service auditd restart (the plugin prunes "
		    "as it stores), or raise retention_days in %s",
		    doctor_conf(d));
		doctor_add(d, "database", DOCTOR_WARN, fix, "%s holds %s of "
		    "events, more than retention_days (%lld); %s", cfg->db,
		    span, (long long)cfg->retention_days, size);
	} else if (doctor_db_growth(d, dir, &why)) {
		xasprintf(&fix, "lower retention_days or retention_events in "
		    "%s, or move db to a larger file system", doctor_conf(d));
		doctor_add(d, "database", DOCTOR_WARN, fix, "%s: %lld events, "
		    "%s; %s", cfg->db, (long long)h->events, size, why);
	} else
		doctor_add(d, "database", DOCTOR_OK, NULL, "%s takes writes: "
		    "%lld events over %s, %lld containers, %s (retention %lld "
		    "days, %lld events)", cfg->db, (long long)h->events, span,
		    (long long)h->containers, size,
		    (long long)cfg->retention_days,
		    (long long)cfg->retention_events);
	free(why);
	free(size);
	free(span);
out:
	free(dir);
}

void
doctor_check_runtimes(struct doctor *d)
{
	const struct config	*cfg = d->env->cfg;
	const struct {
		const struct runtime_backend	*be;
		const char			*key;
		const char			*root;
	} rt[] = {
		{ &runtime_podman, "podman_root", cfg->podman_root },
		{ &runtime_docker, "docker_root", cfg->docker_root },
		{ &runtime_containerd, "containerd_root",
		    cfg->containerd_root },
		{ &runtime_crio, "crio_root", cfg->crio_root },
	};
	struct stat	 sb;
	DIR		*dir;
	char		*found = xstrdup(""), *bad = NULL, *t, *fix;
	size_t		 i;
	int		 nfound = 0, denied = 0;

	for (i = 0; i < sizeof rt / sizeof rt[0]; i++) {
		if (stat(rt[i].root, &sb) != 0 || !S_ISDIR(sb.st_mode))
			continue;
		if ((dir = opendir(rt[i].root)) == NULL) {
			if (errno == EACCES && !d->env->root)
				denied = 1;
			else if (bad == NULL)
				xasprintf(&bad, "%s %s: %s", rt[i].key,
				    rt[i].root, strerror(errno));
			continue;
		}
		closedir(dir);
		xasprintf(&t, "%s%s%s (%s%s)", found, nfound > 0 ? ", " : "",
		    rt[i].be->name, rt[i].root, rt[i].be->probe(rt[i].root) ?
		    "" : ", no containers yet");
		free(found);
		found = t;
		nfound++;
	}
	if (bad != NULL) {
		doctor_add(d, "runtimes", DOCTOR_FAIL, xstrdup("run driftwatch "
		    "as root; check the directory's file system"), "cannot "
		    "read %s: containers go unnamed", bad);
	} else if (nfound == 0 && denied)
		doctor_add(d, "runtimes", DOCTOR_SKIP, NULL, "needs root: the "
		    "runtimes' state is root's");
	else if (nfound == 0) {
		xasprintf(&fix, "set podman_root, docker_root, containerd_root "
		    "or crio_root in %s to where the runtime keeps its state",
		    doctor_conf(d));
		doctor_add(d, "runtimes", DOCTOR_WARN, fix, "no container "
		    "runtime's state found (%s, %s, %s, %s): events carry "
		    "container ids but no names or images", cfg->podman_root,
		    cfg->docker_root, cfg->containerd_root, cfg->crio_root);
	} else
		doctor_add(d, "runtimes", DOCTOR_OK, NULL, "found and readable:"
		    " %s", found);
	free(found);
	free(bad);
}

/* HOST and PORT of an ADDR:PORT or [ADDR6]:PORT, wildcards as loopback. */
static int
doctor_listen_split(const char *listen, char **host, char **port)
{
	char	*h, *p;

	h = xstrdup(listen);
	if (h[0] == '[') {
		memmove(h, h + 1, strlen(h));
		if ((p = strstr(h, "]:")) != NULL) {
			*p = '\0';
			p += 2;
		}
	} else if ((p = strrchr(h, ':')) != NULL)
		*p++ = '\0';
	if (p == NULL || *p == '\0' || *h == '\0') {
		free(h);
		return (-1);
	}
	*port = xstrdup(p);
	if (strcmp(h, "0.0.0.0") == 0 || strcmp(h, "*") == 0) {
		free(h);
		h = xstrdup("127.0.0.1");
	} else if (strcmp(h, "::") == 0) {
		free(h);
		h = xstrdup("::1");
	}
	*host = h;
	return (0);
}

/* Connects to host:port within DOCTOR_HTTP_MS; the socket, or -1. */
static int
doctor_connect(const char *host, const char *port, char **cause)
{
	struct addrinfo	 hints, *res = NULL, *ai;
	struct pollfd	 pfd;
	socklen_t	 len;
	int		 fd = -1, error, err = ECONNREFUSED;

	memset(&hints, 0, sizeof hints);
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_NUMERICSERV;
	if ((error = getaddrinfo(host, port, &hints, &res)) != 0) {
		xasprintf(cause, "%s: %s", host, gai_strerror(error));
		return (-1);
	}
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, ai->ai_protocol);
		if (fd == -1)
			continue;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		err = errno;
		if (errno == EINPROGRESS) {
			pfd.fd = fd;
			pfd.events = POLLOUT;
			len = sizeof err;
			if (poll(&pfd, 1, DOCTOR_HTTP_MS) == 1 &&
			    getsockopt(fd, SOL_SOCKET, SO_ERROR, &err,
			    &len) == 0 && err == 0)
				break;
			if (err == EINPROGRESS)
				err = ETIMEDOUT;
		}
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd == -1)
		xasprintf(cause, "%s", strerror(err));
	return (fd);
}

/*
 * GET path from host:port over HTTP/1.0, with a bearer token when token
 * is not NULL.  Returns the HTTP status with *body (allocated; caller
 * frees), 0 when the answer is not HTTP, or -1 with *cause (allocated)
 * when no connection was made.
 */
static int
doctor_http_get(const char *host, const char *port, const char *path,
    const char *token, char **body, char **cause)
{
	struct pollfd	 pfd;
	char		*req, *buf, *p;
	size_t		 len = 0, off = 0;
	ssize_t		 n;
	int		 fd, status = 0;

	*body = NULL;
	if ((fd = doctor_connect(host, port, cause)) == -1)
		return (-1);
	if (token != NULL)
		xasprintf(&req, "GET %s HTTP/1.0\r\nHost: %s\r\n"
		    "Authorization: Bearer %s\r\n\r\n", path, host, token);
	else
		xasprintf(&req, "GET %s HTTP/1.0\r\nHost: %s\r\n\r\n", path,
		    host);
	pfd.fd = fd;
	buf = xmalloc(DOCTOR_HTTP_MAX + 1);
	while (off < strlen(req)) {
		pfd.events = POLLOUT;
		if (poll(&pfd, 1, DOCTOR_HTTP_MS) != 1 ||
		    (n = write(fd, req + off, strlen(req) - off)) <= 0)
			goto done;
		off += (size_t)n;
	}
	for (;;) {
		pfd.events = POLLIN;
		if (len == DOCTOR_HTTP_MAX ||
		    poll(&pfd, 1, DOCTOR_HTTP_MS) != 1 ||
		    (n = read(fd, buf + len, DOCTOR_HTTP_MAX - len)) <= 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	if (sscanf(buf, "HTTP/%*d.%*d %d", &status) != 1)
		status = 0;
	if ((p = strstr(buf, "\r\n\r\n")) != NULL)
		*body = xstrdup(p + 4);
done:
	if (token != NULL)
		explicit_bzero(req, strlen(req));
	free(req);
	free(buf);
	close(fd);
	return (status);
}

/* The token in path, allocated, or NULL with errno set. */
static char *
doctor_token(const char *path)
{
	char	buf[512];
	ssize_t	n;
	int	fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return (NULL);
	n = read(fd, buf, sizeof buf - 1);
	close(fd);
	if (n <= 0) {
		errno = EINVAL;
		return (NULL);
	}
	buf[n] = '\0';
	buf[strcspn(buf, " \t\r\n")] = '\0';
	return (xstrdup(buf));
}

static void	doctor_serve_token_at(struct doctor *, const char *,
		    const char *, const char *);

/*
 * Asks a running serve for its status with the token (api_token_file, or
 * api.token beside the database): the check's result.
 */
static void
doctor_serve_token(struct doctor *d, const char *host, const char *port)
{
	char	*tokpath;

	tokpath = apitoken_path(d->env->cfg);
	doctor_serve_token_at(d, host, port, tokpath);
	free(tokpath);
}

/* As doctor_serve_token(), with the token file tokpath. */
static void
doctor_serve_token_at(struct doctor *d, const char *host, const char *port,
    const char *tokpath)
{
	const struct config	*cfg = d->env->cfg;
	json_t			*o;
	const char		*db;
	char			*token, *body = NULL, *cause = NULL, *fix;
	int			 status;

	if ((token = doctor_token(tokpath)) == NULL) {
		if (errno == EACCES && !d->env->root)
			doctor_add(d, "serve", DOCTOR_OK, NULL, "answers on %s "
			    "(the token of %s needs root to check)",
			    cfg->listen, tokpath);
		else {
			xasprintf(&fix, "restart serve with this "
			    "configuration (driftwatch serve, or systemctl "
			    "restart driftwatch): it creates %s",
			    tokpath);
			doctor_add(d, "serve", DOCTOR_WARN, fix, "answers on "
			    "%s, but there is no token in %s: %s", cfg->listen,
			    tokpath, strerror(errno));
		}
		return;
	}
	status = doctor_http_get(host, port, "/api/v1/status", token, &body,
	    &cause);
	explicit_bzero(token, strlen(token));
	free(token);
	if (status == 401 || status == 403) {
		xasprintf(&fix, "restart serve (driftwatch serve, or systemctl "
		    "restart driftwatch): it reads %s at start",
		    tokpath);
		doctor_add(d, "serve", DOCTOR_FAIL, fix, "answers on %s, but "
		    "refuses the token in %s (HTTP %d)", cfg->listen,
		    tokpath, status);
	} else if (status != 200) {
		doctor_add(d, "serve", DOCTOR_FAIL, xstrdup("systemctl restart "
		    "driftwatch; its messages say why"), "answers on %s, "
		    "but GET /api/v1/status with the token gave %s%d%s%s",
		    cfg->listen, status > 0 ? "HTTP " : "", status,
		    cause != NULL ? ": " : "", cause != NULL ? cause : "");
	} else {
		o = json_loads(body != NULL ? body : "", 0, NULL);
		db = json_string_value(json_object_get(o, "database"));
		if (db != NULL && strcmp(db, cfg->db) != 0) {
			xasprintf(&fix, "driftwatch --db %s doctor", db);
			doctor_add(d, "serve", DOCTOR_WARN, fix, "answers "
			    "on %s with the token, but serves %s, not %s "
			    "checked here", cfg->listen, db, cfg->db);
		} else
			doctor_add(d, "serve", DOCTOR_OK, NULL, "answers "
			    "on %s, accepts the token of %s", cfg->listen,
			    tokpath);
		json_decref(o);
	}
	free(body);
	free(cause);
}

void
doctor_check_serve(struct doctor *d)
{
	const struct config	*cfg = d->env->cfg;
	struct stat		 sb;
	char			*host = NULL, *port = NULL, *unit;
	char			*cause = NULL;
	char			*body = NULL, *fix;
	const char		*start, *why;
	int			 unit_on, expected, status, fd;

	xasprintf(&unit, "%s/driftwatch.service", d->env->unit_dir != NULL ?
	    d->env->unit_dir : "/nonexistent");
	unit_on = stat(unit, &sb) == 0;
	free(unit);
	expected = unit_on || cfg->api_expected;
	start = unit_on ? "systemctl start driftwatch" : "driftwatch serve "
	    "(or systemctl enable --now driftwatch)";
	why = cfg->api_expected ? "; api_expected is set" : unit_on ?
	    "; its systemd unit is enabled" : "";
	if (doctor_listen_split(cfg->listen, &host, &port) != 0) {
		xasprintf(&fix, "set listen = ADDR:PORT in %s",
		    doctor_conf(d));
		doctor_add(d, "serve", DOCTOR_FAIL, fix, "listen '%s' is not "
		    "ADDR:PORT", cfg->listen);
		return;
	}
	if (*cfg->api_tls_cert != '\0') {
		if ((fd = doctor_connect(host, port, &cause)) != -1) {
			close(fd);
			doctor_add(d, "serve", DOCTOR_OK, NULL, "HTTPS on %s "
			    "accepts connections (TLS and the token not "
			    "checked)", cfg->listen);
		} else
			doctor_add(d, "serve", expected ? DOCTOR_FAIL :
			    DOCTOR_WARN, xstrdup(start), "not running: nothing "
			    "answers on %s (%s)%s", cfg->listen, cause, why);
		goto out;
	}
	status = doctor_http_get(host, port, "/api/v1/health", NULL, &body,
	    &cause);
	if (status < 0)
		doctor_add(d, "serve", expected ? DOCTOR_FAIL : DOCTOR_WARN,
		    xstrdup(start), "not running: nothing answers on %s (%s)%s",
		    cfg->listen, cause, why);
	else if (status != 200)
		doctor_add(d, "serve", DOCTOR_FAIL, xstrdup("find what listens "
		    "there: ss -ltnp; set listen in driftwatch.conf"),
		    "%s answers, but GET /api/v1/health gave %s%d: not "
		    "driftwatch serve?", cfg->listen, status > 0 ? "HTTP " :
		    "", status);
	else
		doctor_serve_token(d, host, port);
out:
	free(body);
	free(cause);
	free(host);
	free(port);
}

/* The time of the database's last write (its file or WAL), ms, or 0. */
static int64_t
doctor_db_written(const char *db)
{
	struct stat	 sb;
	char		*wal;
	int64_t		 t = 0, w;

	if (stat(db, &sb) == 0)
		t = (int64_t)sb.st_mtim.tv_sec * 1000 +
		    sb.st_mtim.tv_nsec / 1000000;
	xasprintf(&wal, "%s-wal", db);
	if (stat(wal, &sb) == 0) {
		w = (int64_t)sb.st_mtim.tv_sec * 1000 +
		    sb.st_mtim.tv_nsec / 1000000;
		if (w > t)
			t = w;
	}
	free(wal);
	return (t);
}

void
doctor_check_clock(struct doctor *d)
{
	const struct doctor_env	*e = d->env;
	char			 now[64], *ev = NULL, *wr = NULL, *a;
	time_t			 t = (time_t)(e->now_ms / 1000);
	struct tm		 tm;
	int64_t			 written = doctor_db_written(e->cfg->db);
	const char		*fix = "check the time service: timedatectl, "
				    "chronyc tracking (or ntpq -p)";

	gmtime_r(&t, &tm);
	strftime(now, sizeof now, "%Y-%m-%d %H:%M:%S UTC", &tm);
	if (e->now_ms / 1000 < DOCTOR_CLOCK_MIN) {
		doctor_add(d, "clock", DOCTOR_FAIL, xstrdup(fix), "the system "
		    "clock says %s: it was never set", now);
		return;
	}
	if (doctor_db_load(d) == 1 && d->db.newest_ms > e->now_ms +
	    DOCTOR_FUTURE_MS) {
		a = doctor_age(d->db.newest_ms - e->now_ms);
		doctor_add(d, "clock", DOCTOR_FAIL, xstrdup(fix), "the newest "
		    "event is %s in the future of the system clock (%s): the "
		    "clock went back, or events came from a host ahead of it",
		    a, now);
		free(a);
		return;
	}
	if (written > e->now_ms + DOCTOR_FUTURE_MS) {
		a = doctor_age(written - e->now_ms);
		doctor_add(d, "clock", DOCTOR_FAIL, xstrdup(fix), "the "
		    "database was last written %s in the future of the "
		    "system clock (%s): the clock went back", a, now);
		free(a);
		return;
	}
	if (d->db_state == 1 && d->db.newest_ms > 0) {
		a = doctor_age(e->now_ms - d->db.newest_ms);
		xasprintf(&ev, "; newest event %s ago", a);
		free(a);
	}
	if (written > 0) {
		a = doctor_age(e->now_ms - written);
		xasprintf(&wr, "; database written %s ago", a);
		free(a);
	}
	doctor_add(d, "clock", DOCTOR_OK, NULL, "%s%s%s", now,
	    ev != NULL ? ev : "", wr != NULL ? wr : "");
	free(ev);
	free(wr);
}
