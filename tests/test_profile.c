/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests of profile.c and profile_import.c against real SQLite files:
 * an exported profile imports into an empty database as it was (values
 * that need quoting, patterns, missing times), hand-written files get
 * their defaults, several documents import together, a file with an
 * error (bad YAML, an unknown kind or field, a bad value, in any
 * document) names its line and imports nothing, and importing merges.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "profile.h"
#include "profile_import.h"
#include "runtime.h"
#include "store_detect.h"
#include "tap.h"
#include "xmalloc.h"

static char	dir[] = "/tmp/dw-test-profile-XXXXXX";

static const struct store_entry entries[] = {
	{ "process", "/bin/busybox\t/usr/bin/conmon", 4, 1795861716747,
	    1795861722083, "learned" },
	{ "process", "/bin/sh\t", 1, 1795861716747, 1795861716747, "learned" },
	{ "argv", "/bin/busybox\tsleep *", 10, 1795861717163, 1795861727207,
	    "learned" },
	{ "argv", "/bin/busybox\tsh -c id; echo a: b # c\n\tw", 1,
	    1795861722079, 1795861722079, "learned" },
	{ "user", "/bin/busybox\t0", 31, 1795861716755, 1795861727207,
	    "learned" },
	{ "user", "/usr/bin/*\t*", 0, 0, 0, "declared" },
	{ "file", "write\t/tmp/hits.log", 3, 1795861717000, 1795861718000,
	    "learned" },
	{ "file", "create\t/var/cache/**", 0, 0, 0, "known" },
	{ "read", "true", 0, 0, 0, "declared" },
	{ "read", "0123", 0, 0, 0, "declared" },
	{ "read", "/etc/caf\xc3\xa9", 0, 0, 0, "declared" },
	{ "listen", "8080", 2, 1795861716800, 1795861716900, "learned" },
	{ "connect", "internal:8080", 12, 1795861717000, 1795861727000,
	    "learned" },
	{ "connect", "93.184.216.34:443", 1, 1795861720000, 1795861720000,
	    "learned" },
	{ "privileged", "setuid", 0, 0, 0, "declared" },
};
#define NENTRIES	(sizeof entries / sizeof entries[0])

static struct store *
open_db(const char *name)
{
	struct store	*s;
	char		*path, *cause = NULL;

	xasprintf(&path, "%s/%s", dir, name);
	if ((s = store_open(path, STORE_CREATE, &cause)) == NULL) {
		printf("# %s\n", cause);
		exit(1);
	}
	free(path);
	return (s);
}

static char *
write_file(const char *name, const char *text)
{
	FILE	*f;
	char	*path;

	xasprintf(&path, "%s/%s", dir, name);
	if ((f = fopen(path, "w")) == NULL)
		exit(1);
	fputs(text, f);
	fclose(f);
	return (path);
}

static const struct store_image *
find_image(struct store_image *v, size_t n, const char *key)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (strcmp(v[i].key, key) == 0)
			return (&v[i]);
	return (NULL);
}

static const struct store_entry *
find_entry(struct store_entry *v, size_t n, const char *kind, const char *key)
{
	size_t	i;

	for (i = 0; i < n; i++)
		if (strcmp(v[i].kind, kind) == 0 && strcmp(v[i].key, key) == 0)
			return (&v[i]);
	return (NULL);
}

/* Imports text as file name into the database dbname; returns the cause. */
static char *
import_text(const char *dbname, const char *name, const char *text)
{
	struct store	*s = open_db(dbname);
	char		*path = write_file(name, text), *cause = NULL;

	if (profile_import(s, path, &cause) == 0)
		cause = NULL;
	store_close(s);
	free(path);
	return (cause);
}

static size_t
count_images(const char *dbname)
{
	struct store		*s = open_db(dbname);
	struct store_image	*v;
	size_t			 n = 0;

	if (profile_images(s, &v, &n) == 0)
		profile_images_free(v, n);
	store_close(s);
	return (n);
}

static void
test_round_trip(void)
{
	struct store_image	 img, *v;
	struct store_entry	*e;
	const struct store_image *got;
	const struct store_entry *ge;
	struct store		*s;
	char			*path, *path2, *cause = NULL, *a, *b;
	size_t			 n, ne, i;
	int64_t			 id;
	FILE			*f;
	int			 same = 1;

	s = open_db("a.db");
	memset(&img, 0, sizeof img);
	img.key = "sha256:8088c6a27e2da4b5df4d9c54fdaf32b2076ca6fa160f8dbd307";
	img.name = "localhost/web:1";
	img.image_id = "5d6ae756c3f8a07f3f35134b7bda26e3415ebb2e4ebd5ff70a58";
	img.digest = img.key;
	img.state = "active";
	img.first_ms = 1795861716747;
	img.learn_until_ms = 1795865316747;
	img.locked_ms = 1795861800000;
	ok(store_image_save(s, &img, &id) == 0, "image saved");
	for (i = 0; i < NENTRIES; i++)
		if (store_entry_save(s, id, &entries[i]) != 0)
			same = 0;
	ok(same && store_commit(s, NULL) == 0, "entries saved");

	xasprintf(&path, "%s/web.yaml", dir);
	f = fopen(path, "w");
	ok(profile_export(s, img.key, f, &cause) == 0, "exported");
	fclose(f);
	ok(profile_export(s, "sha256:none", stdout, &cause) == -1 &&
	    strstr(cause, "no image with key 'sha256:none'") != NULL,
	    "exporting an unknown key: %s", cause);
	free(cause);
	cause = NULL;
	store_close(s);

	s = open_db("b.db");
	ok(profile_import(s, path, &cause) == 0, "imported into an empty "
	    "database%s%s", cause ? ": " : "", cause ? cause : "");
	ok(profile_images(s, &v, &n) == 0 && n == 1, "one image");
	got = find_image(v, n, img.key);
	ok(got != NULL, "under its key");
	if (got == NULL)
		return;
	is_str(got->name, img.name, "name");
	is_str(got->image_id, img.image_id, "id (quoted: starts with a digit)");
	is_str(got->digest, img.digest, "digest");
	is_str(got->state, "active", "state");
	is_int(got->first_ms, img.first_ms, "first");
	is_int(got->learn_until_ms, img.learn_until_ms, "learning until");
	is_int(got->locked_ms, img.locked_ms, "locked");
	is_int(got->version, 1, "version moved by the import");
	ok(profile_entries(s, got->id, &e, &ne) == 0, "entries read");
	is_int(ne, NENTRIES, "every entry");
	for (i = 0; i < NENTRIES; i++) {
		ge = find_entry(e, ne, entries[i].kind, entries[i].key);
		if (ge == NULL || ge->count != entries[i].count ||
		    ge->first_ms != entries[i].first_ms ||
		    ge->last_ms != entries[i].last_ms ||
		    strcmp(ge->source, entries[i].source) != 0) {
			printf("# differs: %s %s\n", entries[i].kind,
			    entries[i].key);
			same = 0;
		}
	}
	ok(same, "each as it was (key, count, times, source)");
	profile_entries_free(e, ne);

	xasprintf(&path2, "%s/web2.yaml", dir);
	f = fopen(path2, "w");
	ok(profile_export(s, img.key, f, &cause) == 0, "exported again");
	fclose(f);
	a = runtime_read_file(path, 1 << 20);
	b = runtime_read_file(path2, 1 << 20);
	ok(a != NULL && b != NULL && strcmp(a, b) == 0,
	    "the same file comes out");
	ok(a != NULL && strstr(a, "  name: localhost/web:1\n") != NULL &&
	    strstr(a, "- path: \"true\"\n") != NULL &&
	    strstr(a, "- path: \"0123\"\n") != NULL &&
	    strstr(a, "  uid: 0\n") != NULL &&
	    strstr(a, "- port: 8080\n") != NULL &&
	    strstr(a, "  parent: \"\"\n") != NULL &&
	    strstr(a, "- path: /etc/caf\xc3\xa9\n") != NULL,
	    "plain where it reads back as text, quoted where not");
	free(a);
	free(b);

	ok(profile_import(s, path, &cause) == 0, "imported twice");
	profile_images_free(v, n);
	ok(profile_images(s, &v, &n) == 0 && n == 1 && v[0].version == 2,
	    "the version moves again");
	profile_images_free(v, n);
	store_close(s);
	free(path);
	free(path2);
}

static void
test_defaults(void)
{
	struct store		*s;
	struct store_image	*v;
	struct store_entry	*e;
	const struct store_entry *ge;
	size_t			 n, ne;
	char			*cause;

	cause = import_text("c.db", "hand.yaml",
	    "# written by hand\n"
	    "driftwatch-profile: 1\n"
	    "image:\n"
	    "  name: localhost/worker:1\n"
	    "processes:\n"
	    "  - exe: /bin/busybox\n"
	    "    parent: /bin/busybox\n"
	    "users:\n"
	    "  - { exe: /bin/busybox, uid: 0042 }\n"
	    "listen:\n"
	    "  - port: \"08080\"\n"
	    "  - port: 80*\n"
	    "files:\n"
	    "  - { op: write, path: '/tmp/*.log', source: learned, count: 3 }\n"
	    "reads:\n"
	    "connect: ~\n");
	ok(cause == NULL, "a hand-written profile imports%s%s",
	    cause ? ": " : "", cause ? cause : "");
	free(cause);
	s = open_db("c.db");
	ok(profile_images(s, &v, &n) == 0 && n == 1, "one image");
	is_str(v[0].key, "name:localhost/worker:1", "keyed by name");
	is_str(v[0].state, "learning", "learning by default");
	is_int(v[0].locked_ms, 0, "not locked");
	ok(profile_entries(s, v[0].id, &e, &ne) == 0, "entries read");
	is_int(ne, 5, "five entries");
	ge = find_entry(e, ne, "process", "/bin/busybox\t/bin/busybox");
	ok(ge != NULL && ge->count == 0 && ge->first_ms == 0 &&
	    ge->last_ms == 0 && strcmp(ge->source, "declared") == 0,
	    "count 0, no times, declared");
	ok(find_entry(e, ne, "user", "/bin/busybox\t42") != NULL,
	    "a uid is written canonically");
	ok(find_entry(e, ne, "listen", "8080") != NULL &&
	    find_entry(e, ne, "listen", "80*") != NULL,
	    "a port too, and a pattern is kept");
	ge = find_entry(e, ne, "file", "write\t/tmp/*.log");
	ok(ge != NULL && ge->count == 3 && strcmp(ge->source, "learned") == 0,
	    "given count and source are kept");
	profile_entries_free(e, ne);
	profile_images_free(v, n);
	store_close(s);

	cause = import_text("c.db", "more.yaml",
	    "driftwatch-profile: 1\n"
	    "image: { name: localhost/worker:1 }\n"
	    "state: active\n"
	    "privileged: [ { call: setuid } ]\n");
	ok(cause == NULL, "a second file merges");
	free(cause);
	s = open_db("c.db");
	ok(profile_images(s, &v, &n) == 0 && n == 1 &&
	    strcmp(v[0].state, "active") == 0 && v[0].locked_ms > 0,
	    "now active, locked at the import");
	ok(profile_entries(s, v[0].id, &e, &ne) == 0 && ne == 6,
	    "entries added, none lost");
	profile_entries_free(e, ne);
	profile_images_free(v, n);
	store_close(s);
}

static void
test_documents(void)
{
	struct store		*s;
	struct store_image	*v;
	size_t			 n;
	char			*cause;

	cause = import_text("d.db", "two.yaml",
	    "driftwatch-profile: 1\n"
	    "image: { digest: 'sha256:aaaa' }\n"
	    "reads: [ { path: /etc/passwd } ]\n"
	    "---\n"
	    "driftwatch-profile: 1\n"
	    "image: { id: bbbb, name: b }\n"
	    "state: active\n"
	    "...\n");
	ok(cause == NULL, "a file of two documents imports");
	free(cause);
	s = open_db("d.db");
	ok(profile_images(s, &v, &n) == 0 && n == 2, "two images");
	ok(n == 2 && find_image(v, n, "sha256:aaaa") != NULL &&
	    find_image(v, n, "bbbb") != NULL, "keyed by digest, and by id");
	profile_images_free(v, n);
	store_close(s);
}

static void
test_errors(void)
{
	static const struct {
		const char	*text;
		const char	*cause;
	} bad[] = {
		{ "driftwatch-profile: 1\nimage: { name: a }\nfiles:\n"
		    "  - op: write\n    path: [x\n",
		    "e.yaml:6:1: " },
		{ "driftwatch-profile: 1\nimage: { name: a }\n\nsockets:\n"
		    "  - port: 1\n",
		    "e.yaml:4: unknown key 'sockets'" },
		{ "driftwatch-profile: 1\nimage: { name: a }\nusers:\n"
		    "  - exe: /bin/sh\n    uid: 0\n    pid: 3\n",
		    "e.yaml:6: users: unknown field 'pid'" },
		{ "driftwatch-profile: 1\nimage: { name: a }\nusers:\n"
		    "  - exe: /bin/sh\n",
		    "e.yaml:4: users: an entry without uid" },
		{ "driftwatch-profile: 1\nimage: { name: a }\nlisten:\n"
		    "  - port: http\n",
		    "e.yaml:4: listen: port 'http' is not a number" },
		{ "driftwatch-profile: 1\nimage: { name: a }\nfiles:\n"
		    "  - { op: append, path: /x }\n",
		    "e.yaml:4: files: op 'append'" },
		{ "driftwatch-profile: 1\nimage: { name: a }\nreads:\n"
		    "  - { path: /x, source: guessed }\n",
		    "e.yaml:4: reads: source 'guessed'" },
		{ "driftwatch-profile: 1\nimage: { name: a }\nreads:\n"
		    "  - { path: /x, first: yesterday }\n",
		    "e.yaml:4: first: 'yesterday' is not an ISO 8601 time" },
		{ "driftwatch-profile: 1\nimage: { name: a }\nstate: done\n",
		    "e.yaml:3: state 'done'" },
		{ "driftwatch-profile: 1\nimage: { name: a }\nreads: /x\n",
		    "e.yaml:3: reads: a list of entries" },
		{ "driftwatch-profile: 1\nimage: { name: a }\nimage: {}\n",
		    "e.yaml:3: 'image' is given twice" },
		{ "driftwatch-profile: 1\nimage: { tag: a }\n",
		    "e.yaml:2: image: unknown field 'tag'" },
		{ "driftwatch-profile: 1\nstate: active\n",
		    "e.yaml:1: the profile names no image" },
		{ "image: { name: a }\n",
		    "e.yaml:1: not a driftwatch profile" },
		{ "driftwatch-profile: 2\nimage: { name: a }\n",
		    "e.yaml:1: profile format '2' is not supported" },
		{ "- a\n- b\n", "e.yaml:1: a profile is a mapping" },
		{ "# nothing\n", "e.yaml: no YAML document" },
		{ "driftwatch-profile: 1\nimage: { name: a }\n"
		    "reads: [ { path: /ok } ]\n---\n"
		    "driftwatch-profile: 1\nimage: { name: b }\n"
		    "connect: [ { peer: x, port: 1 } ]\n",
		    "e.yaml:7: connect: unknown field 'port'" },
	};
	char	*cause;
	size_t	 i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cause = import_text("e.db", "e.yaml", bad[i].text);
		ok(cause != NULL && strstr(cause, bad[i].cause) != NULL,
		    "refused: %s", cause != NULL ? cause : "(imported)");
		if (cause == NULL || strstr(cause, bad[i].cause) == NULL)
			printf("#   want '%s'\n", bad[i].cause);
		free(cause);
	}
	is_int(count_images("e.db"), 0, "and nothing imported, not even the "
	    "good first document");
	cause = import_text("e.db", "e.yaml", "driftwatch-profile: 1\n"
	    "image: { name: a }\n");
	ok(cause == NULL && count_images("e.db") == 1,
	    "the database still works after them");
	free(cause);
}

static void
test_unreadable(void)
{
	struct store	*s = open_db("e.db");
	char		*cause = NULL;

	ok(profile_import(s, "/nonexistent/p.yaml", &cause) == -1 &&
	    strstr(cause, "/nonexistent/p.yaml: No such file") != NULL,
	    "a missing file: %s", cause);
	free(cause);
	store_close(s);
}

static void
test_key_parts(void)
{
	const struct profile_kind	*k;
	const char			*p;
	size_t				 len;

	k = profile_kind_find("file");
	ok(k != NULL && strcmp(k->section, "files") == 0, "kind file");
	p = profile_key_part(k, "write\t/a\tb", 1, &len);
	ok(len == 4 && strncmp(p, "/a\tb", len) == 0,
	    "the second part runs to the end");
	p = profile_key_part(k, "write\t/a\tb", 0, &len);
	ok(len == 5 && strncmp(p, "write", len) == 0, "the first to the tab");
	k = profile_kind_find("read");
	p = profile_key_part(k, "/a\tb", 0, &len);
	ok(len == 4, "a one-part key is whole");
	ok(profile_kind_find("socket") == NULL &&
	    profile_section_find("processes") == profile_kind_find("process"),
	    "kinds and sections");
}

int
main(void)
{
	char	*cmd;

	if (mkdtemp(dir) == NULL)
		return (1);
	test_key_parts();
	test_round_trip();
	test_defaults();
	test_documents();
	test_errors();
	test_unreadable();
	xasprintf(&cmd, "rm -rf %s", dir);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", dir);
	free(cmd);
	return (tap_done());
}
