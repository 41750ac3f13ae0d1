/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_util.h: the little each libFuzzer target needs besides the module
 * it drives: a private temporary directory, made once per process, and a
 * way to write the fuzzer's bytes to a file in it.  Header-only so that
 * every fuzz program stays one source file; nothing here is in the
 * library.  Invariant: the directory lives as long as the process, and is
 * removed at exit.
 */
#ifndef FUZZ_UTIL_H
#define FUZZ_UTIL_H

#include <ftw.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char	fuzz_dir[64];

static inline int
fuzz_rm(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return (remove(path) != 0 ? -1 : 0);
}

static inline void
fuzz_rmdir(void)
{
	if (fuzz_dir[0] != '\0' &&
	    nftw(fuzz_dir, fuzz_rm, 16, FTW_DEPTH | FTW_PHYS) != 0)
		fprintf(stderr, "fuzz: could not remove %s\n", fuzz_dir);
}

/* Makes the private directory once; returns it (static storage). */
static inline const char *
fuzz_tmpdir(void)
{
	const char	*base;

	if (fuzz_dir[0] != '\0')
		return (fuzz_dir);
	if ((base = getenv("TMPDIR")) == NULL || strlen(base) > 40)
		base = "/tmp";
	snprintf(fuzz_dir, sizeof fuzz_dir, "%s/dwfuzz.XXXXXX", base);
	if (mkdtemp(fuzz_dir) == NULL) {
		perror("fuzz: mkdtemp");
		abort();
	}
	atexit(fuzz_rmdir);
	return (fuzz_dir);
}

/* Writes data to path, replacing it; aborts on a write error (not input). */
static inline void
fuzz_write(const char *path, const uint8_t *data, size_t size)
{
	FILE	*f;

	if ((f = fopen(path, "w")) == NULL) {
		perror(path);
		abort();
	}
	if (size > 0 && fwrite(data, 1, size, f) != size) {
		perror(path);
		abort();
	}
	if (fclose(f) != 0) {
		perror(path);
		abort();
	}
}

/* Returns an allocated NUL-terminated copy of data; caller frees. */
static inline char *
fuzz_strndup(const uint8_t *data, size_t size)
{
	char	*s;

	if ((s = malloc(size + 1)) == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return (s);
}

#endif
