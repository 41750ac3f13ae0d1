/* SPDX-License-Identifier: Apache-2.0 */
#ifndef API_SERVER_H
#define API_SERVER_H

#include <stdint.h>

struct api_ctx;
struct store;

/* What the server needs once started; every pointer is borrowed until
 * api_server_stop(). */
struct api_server_conf {
	const char	*token;		/* the bearer token */
	const char	*web_root;	/* resolved (realpath), or NULL: the
					   built-in files (web_data.h) */
	const char	*tls_cert;	/* PEM text, or NULL for plain HTTP */
	const char	*tls_key;
	int64_t		 max_body;
	int64_t		 max_connections;
	int64_t		 max_per_ip;
	int64_t		 timeout;
	int		 metrics_public;	/* /metrics without the token */
	/*
	 * Read-only database connections (or none): GET handlers take one
	 * each and run side by side; the others share api_ctx's store.
	 */
	struct store	**readers;
	int		 nreaders;
};

struct api_server;

int		 api_server_listen(const char *addr, int allow_remote,
		    char **cause);
int		 api_server_listen_unix(const char *path, char **cause);
struct api_server *api_server_start(int fd, const struct api_server_conf *,
		    struct api_ctx *, char **cause);
void		 api_server_stop(struct api_server *);

#endif
