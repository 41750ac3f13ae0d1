/* SPDX-License-Identifier: Apache-2.0 */
/* Unit tests of gen.c: path and argv generalisation, pattern matching. */
#include <string.h>

#include "gen.h"
#include "tap.h"

static const char *
gp(const char *path, const char *cwd)
{
	static char	out[4096];

	gen_path(path, cwd, out, sizeof out);
	return (out);
}

static const char *
ga(int argc, char **argv)
{
	static char	out[1024];

	gen_argv(argv, argc, out, sizeof out);
	return (out);
}

int
main(void)
{
	char	*a1[] = { "/bin/sleep", "30" };
	char	*a2[] = { "/usr/bin/python3", "-m", "gunicorn", "--workers=4",
		    "-b", "0.0.0.0:8000" };
	char	*a3[] = { "md5sum", "/tmp/job.17" };
	char	*a4[] = { "sh", "-c", "echo 42 >> /tmp/hits.log" };
	char	*a5[] = { "git", "checkout", "3f1c5a0b7e9d2c4f" };
	char	*a6[] = { "x", "1", "2", "3", "4", "5", "6", "7", "8", "9",
		    "10" };

	is_str(gp("/tmp/work.123", NULL), "/tmp/work.*", "digits");
	is_str(gp("/tmp/job.7", NULL), "/tmp/job.*", "a single digit too");
	is_str(gp("/tmp/tmp.AbC12x", NULL), "/tmp/tmp.*", "mktemp names");
	is_str(gp("/var/cache/3f1c5a0b7e9d2c4f6a8b/data", NULL),
	    "/var/cache/*/data", "hashes");
	is_str(gp("/run/1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d/x", NULL),
	    "/run/*/x", "uuids");
	is_str(gp("/proc/4242/status", NULL), "/proc/*/status", "pids in /proc");
	is_str(gp("/proc/self/status", NULL), "/proc/self/status",
	    "/proc/self stays");
	is_str(gp("/usr/lib/x86_64-linux-gnu/libssl.so.3", NULL),
	    "/usr/lib/x86_64-linux-gnu/libssl.so.*", "library versions");
	is_str(gp("/etc/passwd", NULL), "/etc/passwd", "plain paths stay");
	is_str(gp("/usr/lib/python3/dist-packages", NULL),
	    "/usr/lib/python3/dist-packages", "words with digits stay");
	is_str(gp("data/out.txt", "/srv/app"), "/srv/app/data/out.txt",
	    "relative to the cwd");
	is_str(gp("../x/./y", "/a/b"), "/a/x/y", "dots are resolved");
	is_str(gp("/", NULL), "/", "the root");
	is_str(ga(2, a1), "sleep *", "numbers in argv");
	is_str(ga(6, a2), "python3 -m gunicorn --workers=* -b *.*.*.*:*",
	    "flags kept, values generalised");
	is_str(ga(2, a3), "md5sum /tmp/job.*", "paths in argv");
	is_str(ga(3, a4), "sh -c echo * >> /tmp/hits.log",
	    "numbers inside a script");
	is_str(ga(3, a5), "git checkout *", "hashes in argv");
	is_str(ga(11, a6), "x * * * * * * * * ...", "at most 8 arguments");
	ok(gen_match("/tmp/work.*", "/tmp/work.999"), "a pattern matches");
	ok(!gen_match("/tmp/work.*", "/tmp/work.1/x"),
	    "'*' does not cross '/'");
	ok(gen_match("/etc/cron.d/**", "/etc/cron.d/job"), "'/**' below a dir");
	ok(gen_match("/etc/cron.d/**", "/etc/cron.d"), "'/**' the dir itself");
	ok(!gen_match("/etc/cron.d/**", "/etc/cron.daily"),
	    "'/**' not a sibling");
	ok(gen_match("/usr/bin/*", "/usr/bin/apt"), "a whole component");
	ok(!gen_match("/usr/bin/*", "/usr/lib/x"), "another directory");
	return (tap_done());
}
