#!/bin/sh
# Make sure the PostgreSQL the tests use (127.0.0.1:5432, user postgres,
# trust auth) is running; install and start it on a fresh Debian machine.
set -eu
ready() { pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; }
if command -v pg_isready >/dev/null 2>&1 && ready; then exit 0; fi
if ! ls /etc/postgresql/*/main >/dev/null 2>&1; then
	echo "installing PostgreSQL…"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq && apt-get install -y -qq postgresql >/dev/null
	v=$(ls /etc/postgresql | head -n1)
	# Trust local TCP connections: a throwaway test server only.
	sed -i 's/^\(host.*127.0.0.1\/32 *\).*/\1trust/; s/^\(local *all *postgres *\).*/\1trust/' /etc/postgresql/$v/main/pg_hba.conf
fi
v=$(ls /etc/postgresql | head -n1)
pg_ctlcluster --skip-systemctl-redirect "$v" main start || true
for _ in $(seq 1 30); do ready && break; sleep 1; done
ready || { echo "PostgreSQL did not start" >&2; exit 1; }
psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname='test'" | grep -q 1 ||
	psql -h 127.0.0.1 -U postgres -c "CREATE DATABASE test" >/dev/null
