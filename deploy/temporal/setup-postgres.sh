#!/bin/sh
# Create Temporal's two PostgreSQL databases (main and visibility) and bring
# their schemas to the version the pinned server expects, with the schema
# files shipped inside the go.temporal.io/server module. Safe to run again:
# an existing database is kept and only missing schema versions are applied,
# which is also how to upgrade after bumping the server in go.mod.
#
# The variable names are those of Temporal's own images (auto-setup,
# compose.yaml), so one environment serves this script and config.yaml:
#
#   POSTGRES_SEEDS     host                      (127.0.0.1)
#   DB_PORT            port                      (5432)
#   POSTGRES_USER      user                      (postgres)
#   POSTGRES_PWD       password                  (empty)
#   DBNAME             main database             (temporal)
#   VISIBILITY_DBNAME  visibility database       (temporal_visibility)
#   POSTGRES_ADMIN_DB  database to connect to while creating the others (postgres)
#
# Needs bin/temporal-sql-tool (deploy/temporal/build.sh) and the module
# cache holding go.temporal.io/server (any `go build` of the repo fills it).
set -eu
cd "$(dirname "$0")/../.."
export GOTOOLCHAIN=local

host=${POSTGRES_SEEDS:-127.0.0.1}
port=${DB_PORT:-5432}
user=${POSTGRES_USER:-postgres}
password=${POSTGRES_PWD:-}
main_db=${DBNAME:-temporal}
visibility_db=${VISIBILITY_DBNAME:-temporal_visibility}
admin_db=${POSTGRES_ADMIN_DB:-postgres}

tool=bin/temporal-sql-tool
[ -x "$tool" ] || { echo "$tool missing: run sh deploy/temporal/build.sh" >&2; exit 1; }

# The schema directory of the very module version go.mod pins, not the
# copy embedded in some other build of the tool.
module_dir=$(${GO:-go} list -m -f '{{.Dir}}' go.temporal.io/server)
schema=$module_dir/schema/postgresql/v12
[ -d "$schema/temporal/versioned" ] || {
	echo "no Temporal schema under $schema (run: go mod download go.temporal.io/server)" >&2
	exit 1
}

sqltool() {
	db=$1
	shift
	"$tool" --plugin postgres12 --endpoint "$host" --port "$port" \
		--user "$user" --password "$password" --database "$db" "$@"
}

setup() {
	db=$1
	versioned=$2
	# All three steps are idempotent: create-database ignores an existing
	# database, setup-schema keeps a higher version, update-schema applies
	# only the versions above the recorded one.
	sqltool "$db" create-database --defaultdb "$admin_db"
	sqltool "$db" setup-schema -v 0.0
	sqltool "$db" update-schema -d "$versioned"
}

setup "$main_db" "$schema/temporal/versioned"
setup "$visibility_db" "$schema/visibility/versioned"
echo "Temporal schemas ready in $main_db and $visibility_db on $host:$port" >&2
