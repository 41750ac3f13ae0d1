/* SPDX-License-Identifier: Apache-2.0 */
#ifndef CGROUP_H
#define CGROUP_H

/* What a cgroup path says about the container a process runs in. */
struct cgroup_info {
	char		 id[65];	/* full 64-hex container id */
	const char	*runtime;	/* static: podman, docker, containerd, crio, kubernetes */
	char		 pod_uid[40];	/* Kubernetes pod uid, "" when none */
};

int	cgroup_parse_path(const char *path, struct cgroup_info *);
int	cgroup_parse_file(const char *text, struct cgroup_info *);
int	cgroup_read_pid(const char *proc_root, int pid, struct cgroup_info *);

#endif
