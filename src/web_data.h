/* SPDX-License-Identifier: Apache-2.0 */
#ifndef WEB_DATA_H
#define WEB_DATA_H

/*
 * The web interface's files (web/), embedded at build time
 * (src/web_data.c, by build-aux/embed-files.sh) so that "driftwatch serve"
 * has its interface with nothing installed; web_root only overrides them.
 */
struct web_file {
	const char	*name;		/* "index.html" */
	const char	*text;
};

/* Sorted by name, terminated by a NULL name. */
extern const struct web_file web_files[];

#endif
