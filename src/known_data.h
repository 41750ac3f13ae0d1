/* SPDX-License-Identifier: Apache-2.0 */
#ifndef KNOWN_DATA_H
#define KNOWN_DATA_H

/* The files profiles/NAME.yaml, embedded at build time (known_data.c). */
struct known_file {
	const char	*name;
	const char	*text;
};

extern const struct known_file known_files[];

#endif
