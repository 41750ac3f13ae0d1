/* SPDX-License-Identifier: Apache-2.0 */
/*
 * output_webhook.c: the webhook backend of output.c: an HTTP POST of each
 * JSON line to output_webhook.
 *
 * send() only copies the line into a bounded queue (output_webhook_queue
 * lines; when full the line is dropped and counted), so detection never
 * waits on the network.  A thread of its own takes lines in order and
 * POSTs each, Content-Type: application/json, over a new TCP connection
 * with a tiny HTTP/1.1 client: a 2xx status line is delivered; any other
 * status, a connection error or a time-out is retried after 1, 2, 4 ...
 * seconds (at most OUTPUT_WEBHOOK_MAX_BACKOFF), up to output_webhook_retries
 * times, then given up on and counted as failed.  Closing waits at most
 * OUTPUT_WEBHOOK_DRAIN_MS for the queue to drain; what is left then is
 * counted as failed.  Only http:// URLs: TLS is not supported yet.
 */
#include <sys/socket.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "output.h"
#include "xmalloc.h"

#define OUTPUT_WEBHOOK_CONNECT_MS	5000
#define OUTPUT_WEBHOOK_IO_MS		10000
#define OUTPUT_WEBHOOK_MAX_BACKOFF	60	/* seconds */
#define OUTPUT_WEBHOOK_DRAIN_MS		5000
#define OUTPUT_WEBHOOK_SLICE_MS		250	/* how often I/O checks abort */

struct output_webhook {
	char			*url;
	char			*host;
	char			*port;
	char			*path;
	char			*authority;	/* the Host header */
	int64_t			 retries;
	char			**q;
	size_t			 qcap;
	size_t			 qhead;
	size_t			 qlen;
	int			 busy;		/* the thread holds a line */
	int			 stopping;
	_Atomic int		 aborting;
	int			 warned;
	pthread_mutex_t		 mtx;
	pthread_cond_t		 work;		/* a line, stop or abort */
	pthread_cond_t		 idle;		/* queue drained */
	pthread_t		 thread;
	struct output_counts	 c;		/* under mtx */
};

static int64_t
output_webhook_now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000);
}

static void
output_webhook_abstime(struct timespec *ts, int64_t ms)
{
	ts->tv_sec = ms / 1000;
	ts->tv_nsec = (ms % 1000) * 1000000;
}

/*
 * Splits an http:// URL into host, port ("80" when absent) and path ("/"
 * when absent), each allocated (caller frees).  Returns 0, or -1 with
 * *cause set (allocated) for https:// and anything else that is not an
 * http:// URL with a host.
 */
int
output_url_parse(const char *url, char **host, char **port, char **path,
    char **cause)
{
	const char	*p, *end, *hend, *colon = NULL;
	char		*num;
	long		 v;

	*host = *port = *path = NULL;
	if (strncasecmp(url, "https://", 8) == 0) {
		xasprintf(cause, "output_webhook: %s: https is not supported "
		    "yet; use an http:// URL (a local relay can add TLS)", url);
		return (-1);
	}
	if (strncasecmp(url, "http://", 7) != 0) {
		xasprintf(cause, "output_webhook: '%s' is not an http:// URL",
		    url);
		return (-1);
	}
	p = url + 7;
	end = p + strcspn(p, "/?#");
	if (*p == '[') {
		if ((hend = memchr(p, ']', end - p)) == NULL)
			goto bad;
		if (hend + 1 < end && hend[1] == ':')
			colon = hend + 1;
		else if (hend + 1 != end)
			goto bad;
		*host = xstrndup(p + 1, hend - p - 1);
	} else {
		colon = memchr(p, ':', end - p);
		hend = colon != NULL ? colon : end;
		if (memchr(p, '@', end - p) != NULL)
			goto bad;
		*host = xstrndup(p, hend - p);
	}
	if (**host == '\0')
		goto bad;
	if (colon != NULL) {
		num = xstrndup(colon + 1, end - colon - 1);
		v = strtol(num, NULL, 10);
		if (*num == '\0' || strspn(num, "0123456789") != strlen(num) ||
		    v < 1 || v > 65535) {
			free(num);
			goto bad;
		}
		*port = num;
	} else
		*port = xstrdup("80");
	*path = xstrdup(*end == '/' ? end : "/");
	if (**path != '/') {
		free(*path);
		xasprintf(path, "/%s", end);
	}
	return (0);
bad:
	free(*host);
	free(*port);
	*host = *port = NULL;
	xasprintf(cause, "output_webhook: '%s' is not a valid http:// URL",
	    url);
	return (-1);
}

/* Waits until fd is ready for events; -1 on time-out, abort or error. */
static int
output_webhook_wait(struct output_webhook *w, int fd, short events,
    int64_t deadline)
{
	struct pollfd	pfd;
	int64_t		left;
	int		n;

	for (;;) {
		if (atomic_load(&w->aborting))
			return (-1);
		if ((left = deadline - output_webhook_now()) <= 0) {
			errno = ETIMEDOUT;
			return (-1);
		}
		pfd.fd = fd;
		pfd.events = events;
		pfd.revents = 0;
		n = poll(&pfd, 1, left < OUTPUT_WEBHOOK_SLICE_MS ? (int)left :
		    OUTPUT_WEBHOOK_SLICE_MS);
		if (n > 0)
			return (0);
		if (n == -1 && errno != EINTR)
			return (-1);
	}
}

static int
output_webhook_connect(struct output_webhook *w, char *why, size_t len)
{
	struct addrinfo	 hints, *res, *ai;
	socklen_t	 sl;
	int		 fd = -1, rc, err;

	memset(&hints, 0, sizeof hints);
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if ((rc = getaddrinfo(w->host, w->port, &hints, &res)) != 0) {
		snprintf(why, len, "%s: %s", w->host, gai_strerror(rc));
		return (-1);
	}
	snprintf(why, len, "no address");
	for (ai = res; ai != NULL; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, ai->ai_protocol);
		if (fd == -1)
			continue;
		if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0)
			break;
		err = errno;
		if (err == EINPROGRESS && output_webhook_wait(w, fd, POLLOUT,
		    output_webhook_now() + OUTPUT_WEBHOOK_CONNECT_MS) == 0) {
			sl = sizeof err;
			if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err,
			    &sl) == 0 && err == 0)
				break;
		} else if (err == EINPROGRESS)
			err = errno;
		snprintf(why, len, "connect: %s", strerror(err));
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	return (fd);
}

/* POSTs body once; returns the HTTP status, or -1 with why set. */
static int
output_webhook_post(struct output_webhook *w, const char *body, char *why,
    size_t len)
{
	char		*req, buf[512], *eol;
	size_t		 reqlen, off = 0, got = 0;
	ssize_t		 n;
	int64_t		 deadline;
	int		 fd, status = -1;

	if ((fd = output_webhook_connect(w, why, len)) == -1)
		return (-1);
	reqlen = (size_t)xasprintf(&req, "POST %s HTTP/1.1\r\n"
	    "Host: %s\r\n"
	    "User-Agent: driftwatch\r\n"
	    "Content-Type: application/json\r\n"
	    "Content-Length: %zu\r\n"
	    "Connection: close\r\n"
	    "\r\n%s", w->path, w->authority, strlen(body), body);
	deadline = output_webhook_now() + OUTPUT_WEBHOOK_IO_MS;
	while (off < reqlen) {
		n = send(fd, req + off, reqlen - off, MSG_NOSIGNAL);
		if (n > 0) {
			off += n;
			continue;
		}
		if (n == -1 && (errno == EAGAIN || errno == EINTR) &&
		    output_webhook_wait(w, fd, POLLOUT, deadline) == 0)
			continue;
		snprintf(why, len, "send: %s", strerror(errno));
		goto out;
	}
	for (;;) {
		n = recv(fd, buf + got, sizeof buf - 1 - got, 0);
		if (n > 0) {
			got += n;
			buf[got] = '\0';
			if (strstr(buf, "\r\n") != NULL ||
			    got == sizeof buf - 1)
				break;
			continue;
		}
		if (n == 0) {
			buf[got] = '\0';
			break;
		}
		if ((errno == EAGAIN || errno == EINTR) &&
		    output_webhook_wait(w, fd, POLLIN, deadline) == 0)
			continue;
		snprintf(why, len, "recv: %s", strerror(errno));
		goto out;
	}
	if ((eol = strstr(buf, "\r\n")) != NULL)
		*eol = '\0';
	if (strncmp(buf, "HTTP/1.", 7) != 0 || buf[7] == '\0' ||
	    buf[8] != ' ' || sscanf(buf + 9, "%3d", &status) != 1) {
		snprintf(why, len, "not an HTTP status line");
		status = -1;
		goto out;
	}
	snprintf(why, len, "HTTP status %d", status);
out:
	free(req);
	close(fd);
	return (status);
}

/* Delivers body with retries; 0 when a 2xx came back. */
static int
output_webhook_deliver(struct output_webhook *w, const char *body)
{
	struct timespec	 ts;
	char		 why[256];
	int64_t		 attempt, delay = 1, until;
	int		 status;

	for (attempt = 0;; attempt++) {
		status = output_webhook_post(w, body, why, sizeof why);
		if (status >= 200 && status <= 299)
			return (0);
		pthread_mutex_lock(&w->mtx);
		if (!w->warned++)
			log_warnx("output_webhook: %s: %s (retrying)", w->url,
			    why);
		else
			log_debug("output_webhook: %s: %s", w->url, why);
		if (attempt >= w->retries || atomic_load(&w->aborting)) {
			pthread_mutex_unlock(&w->mtx);
			return (-1);
		}
		w->c.retries++;
		until = output_webhook_now() + delay * 1000;
		output_webhook_abstime(&ts, until);
		while (!atomic_load(&w->aborting) &&
		    output_webhook_now() < until &&
		    pthread_cond_timedwait(&w->work, &w->mtx, &ts) != ETIMEDOUT)
			;
		pthread_mutex_unlock(&w->mtx);
		if (atomic_load(&w->aborting))
			return (-1);
		delay = delay * 2 > OUTPUT_WEBHOOK_MAX_BACKOFF ?
		    OUTPUT_WEBHOOK_MAX_BACKOFF : delay * 2;
	}
}

static void *
output_webhook_main(void *arg)
{
	struct output_webhook	*w = arg;
	char			*body;
	int			 rc;

	pthread_mutex_lock(&w->mtx);
	for (;;) {
		while (w->qlen == 0 && !w->stopping)
			pthread_cond_wait(&w->work, &w->mtx);
		if (atomic_load(&w->aborting)) {
			while (w->qlen > 0) {
				free(w->q[w->qhead]);
				w->qhead = (w->qhead + 1) % w->qcap;
				w->qlen--;
				w->c.failed++;
			}
		}
		if (w->qlen == 0)
			break;
		body = w->q[w->qhead];
		w->qhead = (w->qhead + 1) % w->qcap;
		w->qlen--;
		w->busy = 1;
		pthread_mutex_unlock(&w->mtx);
		rc = output_webhook_deliver(w, body);
		free(body);
		pthread_mutex_lock(&w->mtx);
		w->busy = 0;
		if (rc == 0)
			w->c.sent++;
		else
			w->c.failed++;
		if (w->qlen == 0)
			pthread_cond_broadcast(&w->idle);
	}
	pthread_cond_broadcast(&w->idle);
	pthread_mutex_unlock(&w->mtx);
	return (NULL);
}

static void
output_webhook_destroy(struct output_webhook *w)
{
	free(w->url);
	free(w->host);
	free(w->port);
	free(w->path);
	free(w->authority);
	free(w->q);
	free(w);
}

static void *
output_webhook_open(const struct config *cfg, char **cause)
{
	struct output_webhook	*w;
	pthread_condattr_t	 ca;
	const char		*a;
	int			 rc;

	if (cfg->output_webhook == NULL || *cfg->output_webhook == '\0')
		return (NULL);
	w = xcalloc(1, sizeof *w);
	if (output_url_parse(cfg->output_webhook, &w->host, &w->port,
	    &w->path, cause) != 0) {
		output_webhook_destroy(w);
		return (NULL);
	}
	w->url = xstrdup(cfg->output_webhook);
	a = w->url + 7;
	w->authority = xstrndup(a, strcspn(a, "/?#"));
	w->retries = cfg->output_webhook_retries;
	w->qcap = (size_t)cfg->output_webhook_queue;
	w->q = xcalloc(w->qcap, sizeof *w->q);
	pthread_mutex_init(&w->mtx, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&w->work, &ca);
	pthread_cond_init(&w->idle, &ca);
	pthread_condattr_destroy(&ca);
	if ((rc = pthread_create(&w->thread, NULL, output_webhook_main,
	    w)) != 0) {
		xasprintf(cause, "output_webhook: thread: %s", strerror(rc));
		pthread_cond_destroy(&w->work);
		pthread_cond_destroy(&w->idle);
		pthread_mutex_destroy(&w->mtx);
		output_webhook_destroy(w);
		return (NULL);
	}
	return (w);
}

static void
output_webhook_send(void *arg, enum output_kind kind, const char *severity,
    const char *line, size_t len)
{
	struct output_webhook	*w = arg;

	(void)kind;
	(void)severity;
	pthread_mutex_lock(&w->mtx);
	if (w->qlen == w->qcap)
		w->c.dropped++;
	else {
		w->q[(w->qhead + w->qlen) % w->qcap] = xstrndup(line, len);
		w->qlen++;
		pthread_cond_signal(&w->work);
	}
	pthread_mutex_unlock(&w->mtx);
}

static void
output_webhook_close(void *arg, struct output_counts *c)
{
	struct output_webhook	*w = arg;
	struct timespec		 ts;

	pthread_mutex_lock(&w->mtx);
	w->stopping = 1;
	pthread_cond_broadcast(&w->work);
	output_webhook_abstime(&ts, output_webhook_now() +
	    OUTPUT_WEBHOOK_DRAIN_MS);
	while ((w->qlen > 0 || w->busy) &&
	    pthread_cond_timedwait(&w->idle, &w->mtx, &ts) != ETIMEDOUT)
		;
	if (w->qlen > 0 || w->busy) {
		log_warnx("output_webhook: %s: giving up on %zu line(s) at "
		    "exit", w->url, w->qlen + (size_t)w->busy);
		atomic_store(&w->aborting, 1);
		pthread_cond_broadcast(&w->work);
	}
	pthread_mutex_unlock(&w->mtx);
	pthread_join(w->thread, NULL);
	*c = w->c;
	pthread_cond_destroy(&w->work);
	pthread_cond_destroy(&w->idle);
	pthread_mutex_destroy(&w->mtx);
	output_webhook_destroy(w);
}

const struct output_backend output_webhook_backend = {
	"webhook",
	output_webhook_open,
	output_webhook_send,
	output_webhook_close
};
