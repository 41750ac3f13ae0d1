/* SPDX-License-Identifier: Apache-2.0 */
/*
 * floodwriter: plays auditd's part for the flood and disk-full tests.
 *
 * auditd hands records to a "format = string" plugin through a pipe, one
 * record per line, with blocking write(2) calls from a single thread: while
 * a write blocks, auditd queues (q_depth) and then the kernel backlogs.
 * floodwriter starts COMMAND with its stdin on a pipe, as auditd does, and
 * writes a pregenerated stream into it the same way (RECORDS records per
 * write, one by default), at RATE events per second (0: as fast as it can),
 * timing every write.  The stream is TEMPLATE (tests/genstream.awk with
 * eoe=1) repeated until EVENTS events are sent; each repetition shifts the
 * serials by the template's event count and the times by its span, so that
 * every event sent is distinct, in order and without serial gaps.
 *
 * When it is done it closes the pipe (EOF, the plugin drains and exits),
 * waits for COMMAND and prints a report on stdout, one name=value line each
 * (sh can source it):
 *   fw_sent fw_records fw_bytes  events, records, bytes written
 *   fw_secs fw_rate              time writing, events per second achieved
 *   fw_writes fw_max_block_us fw_total_block_us fw_slow_writes
 *                                write calls, the longest one, all of them
 *                                together, and how many took over 10 ms
 *   fw_hwm_kb                    COMMAND's VmHWM just before the pipe closes
 *   fw_maxrss_kb                 COMMAND's peak RSS over its whole life
 *   fw_drain_secs fw_status      from EOF to exit, and the exit status
 *
 * Usage: floodwriter [-r RATE] [-n EVENTS] [-b RECORDS] [-p PIDFILE]
 *            TEMPLATE COMMAND [ARG...]
 * -p writes COMMAND's pid to PIDFILE once started.  Exits 0 when it could
 * write everything, 1 on an error (COMMAND's exit status is in the report),
 * 2 on a usage error.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct fw_line {
	char		*head;		/* up to "msg=audit(" included */
	long long	 sec;
	int		 msec;
	unsigned long long serial;
	char		*tail;		/* from "): " on, with the newline */
	int		 eoe;		/* the last record of its event */
};

struct fw_stats {
	unsigned long long	sent, records, bytes, writes, slow;
	int64_t			max_block_ns, total_block_ns;
};

static int64_t
fw_now_ns(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ((int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec);
}

static void
fw_sleep_ns(int64_t ns)
{
	struct timespec	ts;

	ts.tv_sec = ns / 1000000000LL;
	ts.tv_nsec = ns % 1000000000LL;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
}

/* Parses the template; returns the number of lines, or -1. */
static long
fw_load(const char *path, struct fw_line **out, unsigned long long *nevents,
    long long *span, unsigned long long *first_serial)
{
	FILE		*f;
	struct fw_line	*v = NULL, *l;
	char		*line = NULL, *p, *q;
	size_t		 cap = 0;
	ssize_t		 len;
	long		 n = 0, max = 0;
	long long	 first_sec = -1, last_sec = 0;

	if ((f = fopen(path, "r")) == NULL) {
		fprintf(stderr, "floodwriter: %s: %s\n", path, strerror(errno));
		return (-1);
	}
	*nevents = 0;
	*first_serial = 0;
	while ((len = getline(&line, &cap, f)) > 0) {
		if ((p = strstr(line, "msg=audit(")) == NULL)
			continue;
		if (n == max) {
			max = max ? max * 2 : 1024;
			if ((v = realloc(v, max * sizeof *v)) == NULL)
				abort();
		}
		l = &v[n];
		p += strlen("msg=audit(");
		l->head = strndup(line, p - line);
		l->sec = strtoll(p, &q, 10);
		l->msec = *q == '.' ? (int)strtol(q + 1, &q, 10) : 0;
		if (*q != ':') {
			fprintf(stderr, "floodwriter: %s: bad line %ld\n", path,
			    n + 1);
			return (-1);
		}
		l->serial = strtoull(q + 1, &q, 10);
		l->tail = strdup(q);
		if (l->head == NULL || l->tail == NULL)
			abort();
		l->eoe = strncmp(line, "type=EOE ", 9) == 0;
		if (l->eoe)
			(*nevents)++;
		if (first_sec < 0) {
			first_sec = l->sec;
			*first_serial = l->serial;
		}
		last_sec = l->sec;
		n++;
	}
	free(line);
	fclose(f);
	if (*nevents == 0) {
		fprintf(stderr, "floodwriter: %s: no EOE record (use eoe=1)\n",
		    path);
		return (-1);
	}
	*span = last_sec - first_sec + 1;
	*out = v;
	return (n);
}

/* Writes len bytes with blocking writes, timing each; returns 0 or -1. */
static int
fw_write(int fd, const char *buf, size_t len, struct fw_stats *st)
{
	int64_t	t0, dt;
	ssize_t	n;

	while (len > 0) {
		t0 = fw_now_ns();
		n = write(fd, buf, len);
		dt = fw_now_ns() - t0;
		st->writes++;
		st->total_block_ns += dt;
		if (dt > st->max_block_ns)
			st->max_block_ns = dt;
		if (dt > 10000000LL)
			st->slow++;
		if (n == -1) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "floodwriter: write: %s\n",
			    strerror(errno));
			return (-1);
		}
		buf += n;
		len -= (size_t)n;
		st->bytes += (unsigned long long)n;
	}
	return (0);
}

static long
fw_status_kb(pid_t pid, const char *field)
{
	char	 path[64], line[256];
	FILE	*f;
	long	 kb = -1;
	size_t	 flen = strlen(field);

	snprintf(path, sizeof path, "/proc/%ld/status", (long)pid);
	if ((f = fopen(path, "r")) == NULL)
		return (-1);
	while (fgets(line, sizeof line, f) != NULL)
		if (strncmp(line, field, flen) == 0 && line[flen] == ':')
			kb = strtol(line + flen + 1, NULL, 10);
	fclose(f);
	return (kb);
}

static void
usage(void)
{
	fprintf(stderr, "usage: floodwriter [-r RATE] [-n EVENTS] [-b RECORDS]"
	    " [-p PIDFILE] TEMPLATE COMMAND [ARG...]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	struct fw_line		*lines;
	struct fw_stats		 st;
	struct rusage		 ru;
	unsigned long long	 nevents, first_serial, want = 0, copy = 0;
	long long		 span;
	double			 rate = 0;
	const char		*pidfile = NULL;
	char			*buf, *p;
	size_t			 bufcap, used = 0;
	long			 nlines, i, hwm;
	int			 ch, fds[2], batch = 1, inbatch = 0;
	int			 status, rc = 0;
	int64_t			 start, end, closed, exited;
	pid_t			 pid;
	FILE			*pf;

	while ((ch = getopt(argc, argv, "+b:n:p:r:")) != -1) {
		switch (ch) {
		case 'b':
			batch = atoi(optarg);
			break;
		case 'n':
			want = strtoull(optarg, NULL, 10);
			break;
		case 'p':
			pidfile = optarg;
			break;
		case 'r':
			rate = strtod(optarg, NULL);
			break;
		default:
			usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 2 || batch < 1 || rate < 0)
		usage();
	if ((nlines = fw_load(argv[0], &lines, &nevents, &span,
	    &first_serial)) < 0)
		return (2);
	if (want == 0)
		want = nevents;
	signal(SIGPIPE, SIG_IGN);
	if (pipe(fds) == -1) {
		perror("floodwriter: pipe");
		return (1);
	}
	if ((pid = fork()) == -1) {
		perror("floodwriter: fork");
		return (1);
	}
	if (pid == 0) {
		dup2(fds[0], STDIN_FILENO);
		close(fds[0]);
		close(fds[1]);
		execvp(argv[1], argv + 1);
		fprintf(stderr, "floodwriter: %s: %s\n", argv[1],
		    strerror(errno));
		_exit(127);
	}
	close(fds[0]);
	if (pidfile != NULL && (pf = fopen(pidfile, "w")) != NULL) {
		fprintf(pf, "%ld\n", (long)pid);
		fclose(pf);
	}
	bufcap = (size_t)batch * 1024 + 4096;
	if ((buf = malloc(bufcap)) == NULL)
		abort();
	memset(&st, 0, sizeof st);
	start = fw_now_ns();
	for (i = 0; st.sent < want && rc == 0; i = (i + 1) % nlines) {
		const struct fw_line	*l = &lines[i];
		size_t			 need;

		if (i == 0 && st.records > 0)
			copy++;
		need = strlen(l->head) + strlen(l->tail) + 48;
		if (used + need > bufcap) {
			bufcap = (used + need) * 2;
			if ((buf = realloc(buf, bufcap)) == NULL)
				abort();
		}
		p = buf + used;
		used += (size_t)snprintf(p, bufcap - used, "%s%lld.%03d:%llu%s",
		    l->head, l->sec + (long long)copy * span, l->msec,
		    l->serial + copy * nevents, l->tail);
		st.records++;
		if (++inbatch >= batch || l->eoe) {
			if (fw_write(fds[1], buf, used, &st) != 0)
				rc = 1;
			used = 0;
			inbatch = 0;
		}
		if (!l->eoe)
			continue;
		st.sent++;
		if (rate > 0 && st.sent % 16 == 0) {
			int64_t	due = start +
			    (int64_t)((double)st.sent / rate * 1e9);
			int64_t	now = fw_now_ns();

			if (due > now)
				fw_sleep_ns(due - now);
		}
	}
	if (used > 0 && rc == 0 && fw_write(fds[1], buf, used, &st) != 0)
		rc = 1;
	end = fw_now_ns();
	hwm = fw_status_kb(pid, "VmHWM");
	close(fds[1]);
	closed = fw_now_ns();
	if (wait4(pid, &status, 0, &ru) == -1) {
		perror("floodwriter: wait4");
		return (1);
	}
	exited = fw_now_ns();
	printf("fw_sent=%llu\nfw_records=%llu\nfw_bytes=%llu\n", st.sent,
	    st.records, st.bytes);
	printf("fw_secs=%.3f\nfw_rate=%.0f\n", (double)(end - start) / 1e9,
	    (double)st.sent / ((double)(end - start) / 1e9));
	printf("fw_writes=%llu\nfw_max_block_us=%lld\nfw_total_block_us=%lld\n"
	    "fw_slow_writes=%llu\n", st.writes,
	    (long long)(st.max_block_ns / 1000),
	    (long long)(st.total_block_ns / 1000), st.slow);
	printf("fw_hwm_kb=%ld\nfw_maxrss_kb=%ld\n", hwm, ru.ru_maxrss);
	printf("fw_drain_secs=%.3f\nfw_status=%d\n",
	    (double)(exited - closed) / 1e9,
	    WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
	for (i = 0; i < nlines; i++) {
		free(lines[i].head);
		free(lines[i].tail);
	}
	free(lines);
	free(buf);
	return (rc);
}
