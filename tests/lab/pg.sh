# SPDX-License-Identifier: Apache-2.0
#
# pg.sh -- run a private PostgreSQL 15 server for a test.
#
# To be sourced by bash (not executed):
#
#	. tests/lab/pg.sh
#	trap 'lab_pg_stop' EXIT
#	trap 'exit 130' INT TERM
#	lab_pg_start "$dir" || exit $?
#	driftwatch --db "$LAB_PG_URL" fleet init
#	lab_pg_stop; lab_pg_start "$dir"	# the same cluster again
#
# lab_pg_start DIR makes a cluster in DIR/pg (initdb as the postgres user,
# trust authentication for the unix socket, md5 on loopback) the first
# time, and starts it with its socket in DIR/sock, listening on 127.0.0.1
# at a free port.  It returns 77 with "SKIP: ..." on stderr where this
# machine cannot (not root, no PostgreSQL 15, no postgres user).  The
# server is stopped by its own pid only (lab_pg_stop, idempotent).
#
# LAB_PG_INITDB_OPTS and LAB_PG_OPTS add options to initdb and postgres
# (a cluster in a small file system: --wal-segsize=1, -c max_wal_size=...).
#
# Variables for the caller: LAB_PG_URL (superuser, unix socket, database
# "driftwatch"), LAB_PG_HOST (the socket directory), LAB_PG_PORT,
# LAB_PG_PID, LAB_PG_BIN.

LAB_PG_PID=
LAB_PG_DIR=
LAB_PG_PORT=
LAB_PG_HOST=
LAB_PG_URL=
LAB_PG_BIN=${LAB_PG_BIN:-/usr/lib/postgresql/15/bin}

_lab_pg_skip() {
	echo "SKIP: $*" >&2
	return 77
}

# A free TCP port on loopback.
_lab_pg_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

lab_pg_start() {
	local dir=$1 i

	[ "$(id -u)" = 0 ] || { _lab_pg_skip "PostgreSQL tests need root (to run initdb as postgres)"; return; }
	[ -x "$LAB_PG_BIN/initdb" ] || { _lab_pg_skip "no PostgreSQL 15 in $LAB_PG_BIN (apt-get install postgresql-15)"; return; }
	id postgres >/dev/null 2>&1 || { _lab_pg_skip "no postgres user"; return; }
	LAB_PG_DIR=$dir
	mkdir -p "$dir/sock" || return 1
	chown postgres "$dir" "$dir/sock" || return 1
	if [ ! -f "$dir/pg/PG_VERSION" ]; then
		runuser -u postgres -- "$LAB_PG_BIN/initdb" -D "$dir/pg" \
		    -U postgres -A trust --auth-host=md5 ${LAB_PG_INITDB_OPTS:-} \
		    >"$dir/initdb.log" 2>&1 ||
		    { cat "$dir/initdb.log" >&2; return 1; }
	fi
	[ -n "$LAB_PG_PORT" ] || LAB_PG_PORT=$(_lab_pg_port) || return 1
	runuser -u postgres -- "$LAB_PG_BIN/pg_ctl" -D "$dir/pg" \
	    -l "$dir/sock/pg.log" -w -t 60 -o "-k $dir/sock -p $LAB_PG_PORT \
	    -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60 \
	    ${LAB_PG_OPTS:-}" \
	    start >/dev/null || { tail -20 "$dir/sock/pg.log" >&2; return 1; }
	LAB_PG_PID=$(head -1 "$dir/pg/postmaster.pid")
	LAB_PG_HOST=$dir/sock
	LAB_PG_URL="postgresql:///driftwatch?host=$LAB_PG_HOST&port=$LAB_PG_PORT&user=postgres"
	for i in $(seq 50); do
		lab_pg_psql postgres -c 'SELECT 1' >/dev/null 2>&1 && break
		sleep 0.1
	done
	lab_pg_psql postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'driftwatch'" |
	    grep -q 1 || lab_pg_psql postgres -qc 'CREATE DATABASE driftwatch' || return 1
}

# lab_pg_psql DB ARGS...: psql as the superuser over the socket.
lab_pg_psql() {
	local db=$1
	shift
	psql -X -v ON_ERROR_STOP=1 -h "$LAB_PG_HOST" -p "$LAB_PG_PORT" \
	    -U postgres -d "$db" "$@"
}

# Stops the server started here, by its pid; keeps the data directory.
lab_pg_stop() {
	local i
	[ -n "$LAB_PG_PID" ] || return 0
	kill -INT "$LAB_PG_PID" 2>/dev/null
	for i in $(seq 100); do
		kill -0 "$LAB_PG_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$LAB_PG_PID" 2>/dev/null
	LAB_PG_PID=
}
