/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Unit tests of cgroup.c: container ids from cgroup paths of each runtime,
 * with and without systemd, v1 and v2, and the runtime helpers that are
 * not containers.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cgroup.h"
#include "tap.h"

#define ID "3f1c5a0b7e9d2c4f6a8b0d1e3f5a7c9e1b3d5f7a9c1e3b5d7f9a1c3e5b7d9f1a"

static const char *
id_of(const char *path, const char **rt)
{
	static struct cgroup_info	ci;

	if (!cgroup_parse_path(path, &ci))
		return (NULL);
	*rt = ci.runtime;
	return (ci.id);
}

int
main(void)
{
	struct cgroup_info	 ci;
	const char		*rt = NULL;
	char			 dir[] = "/tmp/dw-test-cgroup-XXXXXX", p[256];
	FILE			*f;

	is_str(id_of("/libpod_parent/libpod-" ID, &rt), ID, "podman cgroupfs");
	is_str(rt, "podman", "runtime podman");
	is_str(id_of("/machine.slice/libpod-" ID ".scope", &rt), ID,
	    "podman systemd");
	ok(id_of("/libpod_parent/conmon", &rt) == NULL, "conmon is no container");
	ok(id_of("/machine.slice/libpod-conmon-" ID ".scope", &rt) == NULL,
	    "libpod-conmon is no container");
	is_str(id_of("/docker/" ID, &rt), ID, "docker cgroupfs");
	is_str(rt, "docker", "runtime docker");
	is_str(id_of("/system.slice/docker-" ID ".scope", &rt), ID,
	    "docker systemd");
	is_str(id_of("/kubepods.slice/kubepods-burstable.slice/kubepods-"
	    "burstable-pod1a2b3c4d_5e6f_7a8b_9c0d_1e2f3a4b5c6d.slice/"
	    "cri-containerd-" ID ".scope", &rt), ID, "containerd systemd");
	is_str(rt, "containerd", "runtime containerd");
	is_str(id_of("/kubepods.slice/kubepods-besteffort.slice/kubepods-"
	    "besteffort-pod1a2b3c4d_5e6f_7a8b_9c0d_1e2f3a4b5c6d.slice/crio-"
	    ID ".scope", &rt), ID, "CRI-O systemd");
	is_str(rt, "crio", "runtime crio");
	ok(id_of("/kubepods.slice/kubepods-besteffort.slice/kubepods-"
	    "besteffort-pod1a2b3c4d_5e6f_7a8b_9c0d_1e2f3a4b5c6d.slice/"
	    "crio-conmon-" ID ".scope", &rt) == NULL, "crio-conmon is none");
	ok(cgroup_parse_path("/kubepods/burstable/pod1a2b3c4d-5e6f-7a8b-9c0d-"
	    "1e2f3a4b5c6d/" ID, &ci) == 1, "kubernetes cgroupfs");
	is_str(ci.pod_uid, "1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d", "pod uid");
	is_str(ci.runtime, "kubernetes", "runtime kubernetes");
	ok(cgroup_parse_path("/kubepods.slice/kubepods-burstable.slice/"
	    "kubepods-burstable-pod1a2b3c4d_5e6f_7a8b_9c0d_1e2f3a4b5c6d.slice/"
	    "cri-containerd-" ID ".scope", &ci) == 1 &&
	    strcmp(ci.pod_uid, "1a2b3c4d-5e6f-7a8b-9c0d-1e2f3a4b5c6d") == 0,
	    "pod uid from the systemd slice");
	ok(id_of("/user.slice/user-0.slice/session-1.scope", &rt) == NULL,
	    "a login session is the host");
	ok(id_of("/docker/abc", &rt) == NULL, "a short id is no id");
	ok(id_of("/docker/" ID "XYZ", &rt) == NULL, "a longer name is no id");
	ok(cgroup_parse_file("12:pids:/\n11:memory:/\n0::/\n", &ci) == 0,
	    "a host process file");
	ok(cgroup_parse_file("13:cpuset:/libpod_parent/libpod-" ID "\n"
	    "0::/libpod_parent/libpod-" ID "\n", &ci) == 1 &&
	    strcmp(ci.id, ID) == 0, "a hybrid podman file");
	ok(cgroup_parse_file("0::/system.slice/docker-" ID ".scope\n", &ci) == 1,
	    "a cgroup v2 docker file");

	if (mkdtemp(dir) != NULL) {
		snprintf(p, sizeof p, "%s/4242", dir);
		mkdir(p, 0755);
		snprintf(p, sizeof p, "%s/4242/cgroup", dir);
		if ((f = fopen(p, "w")) != NULL) {
			fprintf(f, "1:name=systemd:/docker/%s\n", ID);
			fclose(f);
		}
		is_int(cgroup_read_pid(dir, 4242, &ci), 1,
		    "reads a fixture /proc");
		is_str(ci.id, ID, "with the id");
		is_int(cgroup_read_pid(dir, 4243, &ci), -1,
		    "a process that is gone");
		snprintf(p, sizeof p, "rm -rf %s", dir);
		if (system(p) != 0)
			return (1);
	}
	return (tap_done());
}
