/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_netlink.c: driftwatch netlink [--own]: records straight from the
 * kernel (input_netlink.c), no auditd needed.
 *
 * Without --own it reads the kernel's multicast copy beside a running
 * auditd: the same records auditd gets, so the same events as the plugin.
 * With --own it is the audit daemon itself (refused while another process
 * is) and gives the role back when it stops.  Same queued pipeline as the
 * plugin: a reader thread formats and groups records and never waits; the
 * main thread parses, attributes and stores.  SIGTERM or SIGINT stop it:
 * what is grouped is flushed and committed, then it exits 0.
 */
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "attr.h"
#include "cmd.h"
#include "cmd_netlink.h"
#include "input_netlink.h"
#include "fleet.h"
#include "log.h"
#include "pipeline.h"
#include "privs.h"
#include "store.h"

static volatile sig_atomic_t	netlink_stop;

struct netlink_reader {
	struct input_netlink	*in;
	struct pipeline		*pipeline;
	int			 rc;
};

static void
netlink_signal(int sig)
{
	(void)sig;
	netlink_stop = 1;
}

static void *
netlink_read(void *arg)
{
	struct netlink_reader	*r = arg;
	sigset_t		 set;

	sigfillset(&set);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	r->rc = input_netlink_run(r->in, r->pipeline, &netlink_stop);
	return (NULL);
}

static void
netlink_signals(void)
{
	struct sigaction	sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = netlink_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
}

/* driftwatch netlink: see the comment at the top of this file. */
int
cmd_netlink(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "own", no_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	struct netlink_reader	 r;
	struct attr		*attr;
	struct store		*store;
	struct pipeline_stats	*st;
	pthread_t		 thread;
	enum input_netlink_mode	 mode = INPUT_NETLINK_READLOG;
	char			*cause = NULL;
	int			 ch, rc;

	optind = 0;
	while ((ch = getopt_long(argc, argv, "+oh", opts, NULL)) != -1) {
		switch (ch) {
		case 'o':
			mode = INPUT_NETLINK_OWN;
			break;
		case 'h':
			printf("usage: driftwatch netlink [--own]\n");
			return (CMD_OK);
		default:
			return (CMD_USAGE);
		}
	}
	if (optind < argc) {
		log_warnx("netlink: unexpected argument '%s'", argv[optind]);
		return (CMD_USAGE);
	}
	if ((store = store_open(ctx->cfg->db, STORE_CREATE, &cause)) == NULL) {
		log_warnx("%s", cause);
		free(cause);
		return (CMD_ERROR);
	}
	memset(&r, 0, sizeof r);
	if ((r.in = input_netlink_open(mode, &cause)) == NULL) {
		log_warnx("%s", cause);
		free(cause);
		store_close(store);
		return (CMD_ERROR);
	}
	/* CAP_AUDIT_READ did its work at bind; before any thread starts */
	if (privs_limit_reader(ctx->cfg, mode == INPUT_NETLINK_OWN,
	    &cause) != 0) {
		log_warnx("%s", cause);
		free(cause);
		input_netlink_close(r.in);
		store_close(store);
		return (CMD_ERROR);
	}
	/* start-up errors went to stderr; from now on it runs unattended */
	if (!isatty(STDERR_FILENO) && !ctx->verbose)
		log_init(LOG_TO_SYSLOG, 0, "driftwatch");
	netlink_signals();
	/* live attribution, as in cmd_plugin.c */
	attr = attr_create_live(ctx->cfg);
	r.pipeline = pipeline_create(store, ctx->cfg, PIPELINE_QUEUED, attr);
	if (pipeline_detect(r.pipeline, &cause) != 0)
		fatalx("%s", cause);
	pipeline_scope(r.pipeline);
	if (pthread_create(&thread, NULL, netlink_read, &r) != 0)
		fatalx("cannot start the reader thread");
	log_info("reading audit records from the kernel (%s), database %s",
	    mode == INPUT_NETLINK_OWN ? "as the audit daemon" :
	    "multicast, beside auditd", ctx->cfg->db);
	pipeline_watch_kernel(r.pipeline);
	if (fleet_thread_start(ctx->cfg, &cause) != 0)
		fatalx("%s", cause);
	rc = pipeline_run_worker(r.pipeline, NULL, NULL);
	pthread_join(thread, NULL);
	fleet_thread_stop();
	st = pipeline_stats(r.pipeline);
	log_info("netlink stopping: %llu events, %llu stored, %llu dropped, "
	    "%llu gaps, %llu malformed, %llu socket overruns",
	    (unsigned long long)atomic_load(&st->events),
	    (unsigned long long)atomic_load(&st->ingested),
	    (unsigned long long)atomic_load(&st->dropped),
	    (unsigned long long)atomic_load(&st->gaps),
	    (unsigned long long)atomic_load(&st->malformed),
	    (unsigned long long)input_netlink_overruns(r.in));
	input_netlink_close(r.in);
	pipeline_free(r.pipeline);
	attr_free(attr);
	store_close(store);
	return (rc != 0 || r.rc != 0 ? CMD_ERROR : CMD_OK);
}
