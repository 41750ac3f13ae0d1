/* SPDX-License-Identifier: Apache-2.0 */
#ifndef RULES_H
#define RULES_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* One rules/NN-*.rules file, embedded at build time (src/rules_data.c). */
struct rules_file {
	const char	*name;
	const char	*text;
};

extern const struct rules_file rules_files[];

enum rules_kind {
	RULES_NONE,		/* blank, comment, or nothing to check (-D) */
	RULES_RULE,		/* -a/-A/-w: a rule the kernel lists */
	RULES_SETTING		/* -b, -r, -f, -e, --backlog_wait_time */
};

/* One line of a rule file or of "auditctl -l", understood. */
struct rules_entry {
	enum rules_kind	 kind;
	const char	*file;		/* borrowed: a rules_files name, or NULL */
	int		 line;
	char		*text;		/* the line as written, trimmed */
	char		*canon;		/* RULES_RULE: normalised form */
	char		*key;		/* RULES_RULE: its keys, or NULL */
	const char	*setting;	/* RULES_SETTING: "auditctl -s" name */
	int64_t		 value;		/* RULES_SETTING: the value wanted */
	int		 loaded;	/* set by rules_match */
	int		 position;	/* index in the kernel's list, or -1 */
};

struct rules_list {
	struct rules_entry	*v;
	size_t			 n;
	size_t			 unreadable;	/* lines skipped (lenient) */
};

/* The totals of a comparison of the kernel's rules with ours. */
struct rules_report {
	size_t	loaded;		/* our rules the kernel has */
	size_t	missing;	/* our rules it lacks */
	size_t	other;		/* its rules that are not ours */
	size_t	unreadable;	/* its rules that could not be read */
	size_t	settings_bad;	/* our settings it has otherwise */
	int	in_order;	/* ours in the files' order */
};

int		  rules_parse_line(const char *, struct rules_entry *,
		    char **cause);
void		  rules_entry_clear(struct rules_entry *);
struct rules_list *rules_parse(const char *text, const char *file,
		    int lenient, char **cause);
struct rules_list *rules_expected(char **cause);
void		  rules_list_free(struct rules_list *);
size_t		  rules_match(struct rules_list *want,
		    const struct rules_list *have, int *in_order);
void		  rules_compare(struct rules_list *want,
		    const struct rules_list *have, const char *status,
		    struct rules_report *);
int		  rules_setting_ok(const struct rules_entry *, int64_t have);
int		  rules_status_value(const char *status, const char *name,
		    int64_t *value);
void		  rules_print(FILE *);
int		  rules_write_dir(const char *dir, char **cause);

#endif
