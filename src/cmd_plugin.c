/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_plugin.c: driftwatch plugin: the auditd plugin (format = string).
 *
 * auditd writes every record to our stdin with blocking writes from a single
 * thread, so a slow plugin stalls auditd.  A reader thread therefore only
 * reads, groups records into events and pushes them into the bounded queue
 * (never waiting: what does not fit is dropped and counted); the main
 * thread parses, attributes and stores.  auditd sends SIGTERM before it
 * closes our stdin: SIGTERM is honoured only from the parent, and means
 * "read to EOF (at most PLUGIN_TERM_GRACE seconds more), store, exit".
 * SIGHUP reloads the configuration file.  EOF flushes and exits.
 *
 * When the database stops taking writes (disk full, a file system turned
 * read-only by an error), the reader goes on exactly as before: the worker
 * logs one clear error, counts every event it cannot store as dropped, and
 * stores again, with the dropped count, as soon as a commit succeeds
 * (pipeline.c, store.c).  A database that cannot be opened for writing at
 * start (read-only, full, not creatable) is treated the same way rather
 * than by exiting, which auditd would answer with at most max_restarts
 * restarts and then silence: the plugin logs the reason, reads on and
 * counts every event as dropped, tries again every PLUGIN_RETRY seconds,
 * and once the database opens the count goes into it with the first
 * commit.  (A line being read at that moment may come out broken: counted
 * as malformed.)
 */
#include <errno.h>
#include <getopt.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "attr.h"
#include "cmd.h"
#include "group.h"
#include "linebuf.h"
#include "fleet.h"
#include "log.h"
#include "pipeline.h"
#include "privs.h"
#include "queue.h"
#include "store.h"
#include "timearg.h"

#define PLUGIN_MAX_LINE		(1 << 20)
#define PLUGIN_IDLE_MS		1000	/* flush grouped events when idle */
#define PLUGIN_TERM_GRACE	5
#define PLUGIN_RETRY		5	/* s between attempts to open the db */
#define PLUGIN_RETRY_LOG	60	/* s between reminders while it fails */

static volatile sig_atomic_t	plugin_term;
static volatile sig_atomic_t	plugin_foreign_term;
static volatile sig_atomic_t	plugin_hup;

/* Events read while the database cannot be opened: counted, then lost. */
struct plugin_wait {
	struct group	*group;
	uint64_t	 events;
};

struct plugin_reader {
	struct pipeline	*pipeline;
	struct linebuf	*lb;
	int		 fd;
	int		 error;
};


static void
plugin_signal(int sig, siginfo_t *si, void *uctx)
{
	(void)uctx;
	if (sig == SIGHUP)
		plugin_hup = 1;
	else if (sig == SIGTERM) {
		if (si != NULL && si->si_pid == getppid())
			plugin_term = 1;
		else
			plugin_foreign_term = 1;
	}
}

static void
plugin_line(void *arg, const char *line, size_t len, int toolong)
{
	struct pipeline	*p = arg;

	if (toolong)
		pipeline_reject(p, line, len, "line too long, skipped");
	else
		pipeline_line(p, line, len);
}

static void *
plugin_read(void *arg)
{
	struct plugin_reader	*r = arg;
	struct pollfd		 pfd;
	char			 buf[65536];
	ssize_t			 n;
	int64_t			 term_at = 0;
	int			 rc;
	sigset_t		 set;

	sigfillset(&set);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	pfd.fd = r->fd;
	pfd.events = POLLIN;
	for (;;) {
		if (plugin_term && term_at == 0)
			term_at = timearg_now_ms();
		if (term_at != 0 &&
		    timearg_now_ms() - term_at > PLUGIN_TERM_GRACE * 1000) {
			log_warnx("no end of input %d s after SIGTERM; "
			    "stopping", PLUGIN_TERM_GRACE);
			break;
		}
		rc = poll(&pfd, 1, PLUGIN_IDLE_MS);
		if (rc == -1 && errno == EINTR)
			continue;
		if (rc == 0) {
			pipeline_flush_groups(r->pipeline);
			continue;
		}
		n = read(r->fd, buf, sizeof buf);
		if (n == -1 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0) {
			if (n < 0) {
				log_warn("reading stdin");
				r->error = 1;
			}
			break;
		}
		linebuf_feed(r->lb, buf, (size_t)n);
	}
	linebuf_end(r->lb);
	pipeline_end_input(r->pipeline);
	return (NULL);
}

static void
plugin_wait_event(void *arg, const struct group_event *gev)
{
	struct plugin_wait	*w = arg;

	(void)gev;
	w->events++;
}

static void
plugin_wait_bad(void *arg, const char *line, size_t len, const char *why)
{
	(void)arg;
	(void)line;
	(void)len;
	(void)why;
}

static void
plugin_wait_line(void *arg, const char *line, size_t len, int toolong)
{
	struct plugin_wait	*w = arg;

	if (!toolong)
		group_line(w->group, line, len);
}

/*
 * The database could not be opened (cause, borrowed): reads standard input
 * all the same, counting its events, and tries to open the database again
 * every PLUGIN_RETRY seconds.  Returns the store once it opens, with
 * *dropped the events read meanwhile; NULL at end of input or on SIGTERM
 * from the parent.
 */
static struct store *
plugin_wait_store(struct cmd_ctx *ctx, const char *cause, uint64_t *dropped)
{
	struct plugin_wait	 w;
	struct linebuf		*lb;
	struct store		*store = NULL;
	struct pollfd		 pfd;
	char			 buf[65536], *why = NULL;
	ssize_t			 n;
	int64_t			 tried, logged;

	log_warnx("%s; reading on, counting every event as dropped, and "
	    "trying again every %d s", cause, PLUGIN_RETRY);
	memset(&w, 0, sizeof w);
	w.group = group_create(plugin_wait_event, plugin_wait_bad, &w);
	lb = linebuf_create(PLUGIN_MAX_LINE, plugin_wait_line, &w);
	tried = logged = timearg_now_ms();
	pfd.fd = STDIN_FILENO;
	pfd.events = POLLIN;
	while (!plugin_term) {
		if (timearg_now_ms() - tried >= PLUGIN_RETRY * 1000) {
			tried = timearg_now_ms();
			if ((store = store_open(ctx->cfg->db, STORE_CREATE,
			    &why)) != NULL)
				break;
			if (tried - logged >= PLUGIN_RETRY_LOG * 1000) {
				log_warnx("%s; %llu events dropped so far", why,
				    (unsigned long long)w.events);
				logged = tried;
			}
			free(why);
			why = NULL;
		}
		if (poll(&pfd, 1, PLUGIN_IDLE_MS) <= 0)
			continue;
		n = read(STDIN_FILENO, buf, sizeof buf);
		if (n == -1 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			break;
		linebuf_feed(lb, buf, (size_t)n);
	}
	linebuf_end(lb);
	group_flush(w.group);
	*dropped = w.events;
	if (store != NULL)
		log_info("database %s opens now; %llu events read meanwhile "
		    "were dropped", ctx->cfg->db, (unsigned long long)w.events);
	else
		log_warnx("plugin stopping: the database never opened; %llu "
		    "events dropped", (unsigned long long)w.events);
	linebuf_free(lb);
	group_free(w.group);
	return (store);
}

/* Runs on the worker thread between events: acts on the signal flags. */
static void
plugin_tick(void *arg)
{
	struct cmd_ctx	*ctx = arg;
	char		*cause = NULL;

	if (plugin_foreign_term) {
		plugin_foreign_term = 0;
		log_warnx("ignoring a SIGTERM that did not come from the "
		    "parent process");
	}
	if (plugin_hup) {
		plugin_hup = 0;
		if (config_load(ctx->cfg, ctx->config_path, ctx->config_given,
		    &cause) != 0) {
			log_warnx("reload: %s; keeping the old values", cause);
			free(cause);
		} else
			log_info("configuration reloaded from %s (a new db "
			    "takes effect at restart)", ctx->config_path);
	}
}

static void
plugin_signals(void)
{
	struct sigaction	sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_sigaction = plugin_signal;
	sa.sa_flags = SA_SIGINFO | SA_RESTART;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* driftwatch plugin: see the comment at the top of this file. */
int
cmd_plugin(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct plugin_reader	 r;
	struct attr		*attr;
	struct store		*store;
	struct pipeline_stats	*st;
	pthread_t		 thread;
	uint64_t		 dropped = 0;
	char			*cause = NULL;
	int			 ch, rc;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "+h", opts, NULL)) != -1) {
		switch (ch) {
		case 'h':
			printf("usage: driftwatch plugin\n");
			return (CMD_OK);
		default:
			return (CMD_USAGE);
		}
	}
	if (!isatty(STDERR_FILENO) && !ctx->verbose)
		log_init(LOG_TO_SYSLOG, 0, "driftwatch");
	/* Before any thread starts: capabilities are per thread. */
	if (privs_limit_reader(ctx->cfg, 0, &cause) != 0) {
		log_warnx("%s", cause);
		free(cause);
		return (CMD_ERROR);
	}
	plugin_signals();
	if ((store = store_open(ctx->cfg->db, STORE_CREATE, &cause)) == NULL) {
		store = plugin_wait_store(ctx, cause, &dropped);
		free(cause);
		if (store == NULL)
			return (CMD_ERROR);
	}
	attr = attr_create_live(ctx->cfg);
	memset(&r, 0, sizeof r);
	r.fd = STDIN_FILENO;
	r.pipeline = pipeline_create(store, ctx->cfg, PIPELINE_QUEUED, attr);
	/* the first commit stores the count */
	atomic_fetch_add(&pipeline_stats(r.pipeline)->dropped, dropped);
	if (pipeline_detect(r.pipeline, &cause) != 0)
		fatalx("%s", cause);
	pipeline_scope(r.pipeline);
	r.lb = linebuf_create(PLUGIN_MAX_LINE, plugin_line, r.pipeline);
	if (pthread_create(&thread, NULL, plugin_read, &r) != 0)
		fatalx("cannot start the reader thread");
	log_info("plugin started, database %s", ctx->cfg->db);
	pipeline_watch_kernel(r.pipeline);
	if (fleet_thread_start(ctx->cfg, &cause) != 0)
		fatalx("%s", cause);
	rc = pipeline_run_worker(r.pipeline, plugin_tick, ctx);
	pthread_join(thread, NULL);
	fleet_thread_stop();
	st = pipeline_stats(r.pipeline);
	log_info("plugin stopping: %llu events, %llu stored, %llu dropped, "
	    "%llu gaps, %llu malformed",
	    (unsigned long long)atomic_load(&st->events),
	    (unsigned long long)atomic_load(&st->ingested),
	    (unsigned long long)atomic_load(&st->dropped),
	    (unsigned long long)atomic_load(&st->gaps),
	    (unsigned long long)atomic_load(&st->malformed));
	linebuf_free(r.lb);
	pipeline_free(r.pipeline);
	attr_free(attr);
	store_close(store);
	return (rc != 0 || r.error ? CMD_ERROR : CMD_OK);
}
