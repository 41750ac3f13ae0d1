#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# Installs what driftwatch needs to build, test and run its end-to-end tests
# on a fresh Debian 12 machine (as root).  Idempotent; safe to run again.
set -eu

export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# chromium: tests/report.sh renders the HTML report headless with it, and
# tests/web-ui.sh drives it with playwright-core from npm.
apt-get install -y -qq --no-install-recommends \
	build-essential autoconf automake libtool pkg-config \
	libaudit-dev libauparse-dev libsqlite3-dev libyaml-dev \
	libmicrohttpd-dev libjansson-dev libcap-ng-dev libpq-dev \
	sqlite3 auditd python3 ca-certificates time curl openssl wrk \
	podman crun netavark iptables busybox-static catatonit \
	docker.io containerd runc postgresql-15 postgresql-client-15 \
	chromium \
	>/dev/null
# clang and its compiler-rt (libFuzzer, sanitizers): configure
# CC=clang --enable-fuzzing, then make fuzz-smoke (fuzz/README).
apt-get install -y -qq --no-install-recommends \
	clang libclang-rt-14-dev >/dev/null
# valgrind: make memcheck, the command-line interface under memcheck.
apt-get install -y -qq --no-install-recommends valgrind >/dev/null
# Node.js with npm, unless the machine has them already (another packaging
# of Node.js, such as NodeSource's, conflicts with Debian's npm package).
if ! command -v npm >/dev/null 2>&1; then
	apt-get install -y -qq --no-install-recommends nodejs npm >/dev/null
fi
