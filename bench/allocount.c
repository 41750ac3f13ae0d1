/* SPDX-License-Identifier: Apache-2.0 */
/*
 * bench/allocount.c: counts a process's heap allocations, for bench/run.sh.
 *
 * Built as a shared object and preloaded (LD_PRELOAD) into one run of
 * driftwatch ingest: malloc, calloc, realloc and the aligned allocators are
 * counted (with relaxed atomics: every thread allocates) and passed on to
 * glibc's own (__libc_*), and at exit the totals are appended to the file
 * named by ALLOCOUNT_OUT as "allocs N reallocs N frees N".  Nothing else
 * in the process changes; the figures divided by the events ingested are
 * the allocations per event bench/README reports.  Not part of driftwatch.
 */
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>

extern void	*__libc_malloc(size_t);
extern void	*__libc_calloc(size_t, size_t);
extern void	*__libc_realloc(void *, size_t);
extern void	*__libc_memalign(size_t, size_t);
extern void	 __libc_free(void *);

static _Atomic unsigned long	allocount_allocs;
static _Atomic unsigned long	allocount_reallocs;
static _Atomic unsigned long	allocount_frees;

#define COUNT(c)	atomic_fetch_add_explicit(&(c), 1, memory_order_relaxed)

void *
malloc(size_t n)
{
	COUNT(allocount_allocs);
	return (__libc_malloc(n));
}

void *
calloc(size_t n, size_t size)
{
	COUNT(allocount_allocs);
	return (__libc_calloc(n, size));
}

void *
realloc(void *p, size_t n)
{
	if (p == NULL)
		COUNT(allocount_allocs);
	else
		COUNT(allocount_reallocs);
	return (__libc_realloc(p, n));
}

void *
memalign(size_t align, size_t n)
{
	COUNT(allocount_allocs);
	return (__libc_memalign(align, n));
}

void *
aligned_alloc(size_t align, size_t n)
{
	COUNT(allocount_allocs);
	return (__libc_memalign(align, n));
}

int
posix_memalign(void **out, size_t align, size_t n)
{
	void	*p;

	COUNT(allocount_allocs);
	if ((p = __libc_memalign(align, n)) == NULL)
		return (12);	/* ENOMEM */
	*out = p;
	return (0);
}

void
free(void *p)
{
	if (p != NULL)
		COUNT(allocount_frees);
	__libc_free(p);
}

__attribute__((destructor)) static void
allocount_report(void)
{
	const char	*path = getenv("ALLOCOUNT_OUT");
	FILE		*f;

	if (path == NULL || (f = fopen(path, "a")) == NULL)
		return;
	fprintf(f, "allocs %lu reallocs %lu frees %lu\n",
	    atomic_load(&allocount_allocs), atomic_load(&allocount_reallocs),
	    atomic_load(&allocount_frees));
	fclose(f);
}
