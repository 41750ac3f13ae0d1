/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CONFIG_H
#define CONFIG_H

#include <stdint.h>
#include <stdio.h>

/* The effective configuration; every field has a default. */
struct config {
	char		*db;
	char		*proc_root;
	char		*podman_root;
	char		*docker_root;
	char		*containerd_root;
	char		*crio_root;
	int64_t		 queue_events;
	int64_t		 queue_bytes;
	int64_t		 batch_events;
	int64_t		 commit_interval_ms;
	int64_t		 retention_events;
	int64_t		 retention_days;
	int64_t		 live_attribution;
	int64_t		 detection;
	int64_t		 learn_window;
	int64_t		 anomaly_rate;
	char		*local_rules;
	char		*output_jsonl;
	int64_t		 output_jsonl_max_bytes;
	int64_t		 output_jsonl_keep;
	int64_t		 output_syslog;
	char		*output_syslog_facility;
	char		*output_webhook;
	int64_t		 output_webhook_retries;
	int64_t		 output_webhook_queue;
	int64_t		 output_events;
	int64_t		 scoped_rules;
	int64_t		 scoped_rules_max;
	char		*scoped_paths;
	char		*auditctl;
	char		*listen;
	int64_t		 api_allow_remote;
	int64_t		 api_expected;
	char		*api_token_file;
	int64_t		 api_max_body;
	int64_t		 api_max_connections;
	int64_t		 api_max_per_ip;
	int64_t		 api_timeout;
	char		*api_tls_cert;
	char		*api_tls_key;
	char		*api_user;
	char		*web_root;
	int64_t		 metrics_public;
	char		*fleet_url;
	char		*fleet_password_file;
	char		*node_name;
	char		*fleet_events;
	int64_t		 fleet_batch;
	int64_t		 fleet_interval;
	int64_t		 fleet_retry_max;
	int64_t		 fleet_pull_interval;
};

struct config	*config_create(void);
void		 config_free(struct config *);
int		 config_load(struct config *, const char *path, int must_exist,
		    char **cause);
int		 config_set(struct config *, const char *key, const char *value,
		    char **cause);
void		 config_dump(const struct config *, FILE *);
void		 config_help(FILE *);
const char	*config_default_path(void);

#endif
