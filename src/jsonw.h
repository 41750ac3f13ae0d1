/* SPDX-License-Identifier: Apache-2.0 */
#ifndef JSONW_H
#define JSONW_H

#include <stddef.h>
#include <stdint.h>

#define JSONW_DEPTH	32

/*
 * JSON text written straight into a growing buffer, for the lists the
 * HTTP API answers most (events, anomalies, a container's page): no tree
 * of values is built and freed.  The output is that of jansson's
 * json_dumps(JSON_COMPACT | JSON_REAL_PRECISION(15)) for the same values.
 */
struct jsonw {
	char		*buf;		/* owned; NUL-terminated */
	size_t		 len;
	size_t		 cap;
	int		 depth;
	int		 after_key;
	unsigned char	 comma[JSONW_DEPTH];
};

void	 jsonw_init(struct jsonw *);
char	*jsonw_finish(struct jsonw *, size_t *);
void	 jsonw_free(struct jsonw *);
void	 jsonw_reset(struct jsonw *);
void	 jsonw_open_object(struct jsonw *);
void	 jsonw_close_object(struct jsonw *);
void	 jsonw_open_array(struct jsonw *);
void	 jsonw_close_array(struct jsonw *);
void	 jsonw_key(struct jsonw *, const char *);
void	 jsonw_string(struct jsonw *, const char *);
void	 jsonw_stringn(struct jsonw *, const char *, size_t);
void	 jsonw_int(struct jsonw *, int64_t);
void	 jsonw_real(struct jsonw *, double);
void	 jsonw_ms(struct jsonw *, int64_t);
void	 jsonw_bool(struct jsonw *, int);
void	 jsonw_null(struct jsonw *);
int	 jsonw_flat_array(struct jsonw *, const char *);
void	 jsonw_text_value(struct jsonw *, const char *, size_t);

#endif
