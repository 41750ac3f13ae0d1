# SPDX-License-Identifier: Apache-2.0
# hostile-yaml.py: writes one hostile manifest or profile for
# tests/hostile-yaml.sh.
#   python3 hostile-yaml.py CASE FILE [N]
# laughs-{profile,compose,k8s}: nine aliases per level, 30 levels (9^29
#   nodes expanded), under a key each format walks;
# square-k8s: N containers, each an alias of one with N environment entries
#   (N * N nodes from 2 * N written);
# anchors: a compose file using anchors as people do (3 services);
# cycle: an alias inside its own anchor;
# deep-seq, deep-map: flow collections nested N deep;
# compose-huge, k8s-huge: N services, N containers;
# padded: a compose file padded with comments to N MiB;
# dockerfile-run, dockerfile-expose, dockerfile-env: a RUN line of N
#   commands, EXPOSE of N ports, ENV of N variables.
import sys

case, path = sys.argv[1], sys.argv[2]
n = int(sys.argv[3]) if len(sys.argv) > 3 else 0
f = open(path, "w")


def laughs(indent):
    f.write(indent + "x0: &a0 [%s]\n" % ",".join(['"lol"'] * 9))
    for k in range(1, 30):
        f.write(indent + "x%d: &a%d [%s]\n"
                % (k, k, ",".join(["*a%d" % (k - 1)] * 9)))


if case == "laughs-profile":
    f.write("driftwatch-profile: 1\nimage:\n  name: bomb\nstate: learning\n"
            "processes:\n- exe: /bin/sh\n  bomb:\n")
    laughs("    ")
    f.write("- exe: *a29\n")
elif case == "laughs-compose":
    f.write("x-bomb:\n")
    laughs("  ")
    f.write("services:\n  web:\n    image: nginx:1\n    command: *a29\n"
            "    environment: *a29\n")
elif case == "laughs-k8s":
    f.write("apiVersion: v1\nkind: Pod\nmetadata:\n  name: bomb\n"
            "  labels:\n")
    laughs("    ")
    f.write("spec:\n  containers:\n  - name: c\n    image: nginx:1\n"
            "    args: *a29\n")
elif case == "square-k8s":
    f.write("apiVersion: v1\nkind: Pod\nmetadata:\n  name: q\nspec:\n")
    f.write("  x-env: &e [" + ",".join(
        '{name: "U%d", value: "http://h%d.example.com:80/"}' % (i, i)
        for i in range(n)) + "]\n")
    f.write("  x-c: &c {name: web, image: \"nginx:1\", "
            "command: [\"/bin/app\"], env: *e}\n")
    f.write("  containers: [" + ",".join(["*c"] * n) + "]\n")
elif case == "anchors":
    f.write("x-env: &env\n  DB_URL: postgres://db:5432/app\n"
            "  LOG: info\n")
    f.write("x-caps: &caps [NET_BIND_SERVICE]\n")
    f.write("services:\n")
    for s in ("web", "api", "worker"):
        f.write("  %s:\n    image: example/%s:1\n    environment: *env\n"
                "    cap_add: *caps\n" % (s, s))
elif case == "cycle":
    f.write("services: &s\n  web:\n    image: nginx:1\n    more: *s\n")
elif case == "deep-seq":
    f.write("services: " + "[" * n + "]" * n + "\n")
elif case == "deep-map":
    f.write("services:\n  web:\n    image: nginx:1\n    command: " +
            "{a: " * n + "1" + "}" * n + "\n")
elif case == "compose-huge":
    f.write("services:\n")
    for i in range(n):
        f.write("  svc%d:\n    image: registry.example.com/app%d:1\n"
                "    command: [\"/usr/bin/app\", \"--id\", \"%d\"]\n"
                "    ports: [\"%d:80\"]\n" % (i, i, i, 10000 + i % 50000))
elif case == "k8s-huge":
    f.write("apiVersion: v1\nkind: Pod\nmetadata:\n  name: big\nspec:\n"
            "  containers:\n")
    for i in range(n):
        f.write("  - name: c%d\n    image: nginx:1.%d\n"
                "    command: [\"/usr/sbin/nginx\"]\n" % (i, i))
elif case == "padded":
    f.write("services:\n  web:\n    image: nginx:1\n")
    line = "# " + "x" * 1021 + "\n"
    for i in range(n * 1024):
        f.write(line)
elif case == "dockerfile-run":
    f.write("FROM debian:12\nRUN " + "echo hi && " * n + "true\n"
            "USER 1000\nCMD [\"/bin/app\"]\n")
elif case == "dockerfile-expose":
    f.write("FROM debian:12\nEXPOSE " +
            " ".join(str(1 + i % 65535) for i in range(n)) +
            "\nCMD [\"/bin/app\"]\n")
elif case == "dockerfile-env":
    f.write("FROM debian:12\nENV " +
            " ".join("V%d=x" % i for i in range(n)) +
            "\nCMD [\"/bin/app\"]\n")
else:
    sys.exit("unknown case " + case)
