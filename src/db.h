/* SPDX-License-Identifier: Apache-2.0 */
#ifndef DB_H
#define DB_H

#include <stdint.h>

struct sqlite3;
struct db;
struct db_stmt;

enum db_engine {
	DB_SQLITE,
	DB_PG
};

enum db_type {
	DB_NULL,
	DB_INT,
	DB_REAL,
	DB_TEXT
};

struct db	*db_open_pg(const char *url, const char *passfile,
		    const char *node, char **cause);
struct db	*db_wrap(struct sqlite3 *, const char *node);
void		 db_close(struct db *);
enum db_engine	 db_engine(const struct db *);
const char	*db_error(const struct db *);

struct db_stmt	*db_prepare(struct db *, const char *sql);
void		 db_bind_int(struct db_stmt *, int, int64_t);
void		 db_bind_text(struct db_stmt *, int, const char *);
void		 db_bind_limit(struct db_stmt *, int, int64_t);
void		 db_bind_real(struct db_stmt *, int, double);
void		 db_bind_prefix_end(struct db_stmt *, int, const char *);
int		 db_step(struct db_stmt *);
int		 db_isnull(struct db_stmt *, int);
int64_t		 db_int(struct db_stmt *, int, int64_t null_value);
const char	*db_text(struct db_stmt *, int);
double		 db_real(struct db_stmt *, int);
enum db_type	 db_type(struct db_stmt *, int);
int		 db_column_count(struct db_stmt *);
const char	*db_column_name(struct db_stmt *, int);
void		 db_rewind(struct db_stmt *);
void		 db_finalize(struct db_stmt *);

#endif
