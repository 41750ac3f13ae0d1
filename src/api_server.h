/* SPDX-License-Identifier: Apache-2.0 */
#ifndef API_SERVER_H
#define API_SERVER_H

#include <stdint.h>

struct api_ctx;

/* What the server needs once started; every pointer is borrowed until
 * api_server_stop(). */
struct api_server_conf {
	const char	*token;		/* the bearer token */
	const char	*web_root;	/* resolved (realpath) or NULL: no UI */
	const char	*tls_cert;	/* PEM text, or NULL for plain HTTP */
	const char	*tls_key;
	int64_t		 max_body;
	int64_t		 max_connections;
	int64_t		 max_per_ip;
	int64_t		 timeout;
};

struct api_server;

int		 api_server_listen(const char *addr, int allow_remote,
		    char **cause);
int		 api_server_listen_unix(const char *path, char **cause);
struct api_server *api_server_start(int fd, const struct api_server_conf *,
		    struct api_ctx *, char **cause);
void		 api_server_stop(struct api_server *);

#endif
