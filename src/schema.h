/* SPDX-License-Identifier: Apache-2.0 */
#ifndef SCHEMA_H
#define SCHEMA_H

/*
 * The schema migrations, generated from schema/NNN-*.sql at build time:
 * step i brings the database from user_version i to i + 1.
 */
struct schema_step {
	const char	*name;
	const char	*sql;
};

extern const struct schema_step schema_steps[];

/* The same for the fleet's PostgreSQL store, from schema/pg/NNN-*.sql. */
extern const struct schema_step pg_schema_steps[];

#endif
