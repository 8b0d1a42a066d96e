#!/bin/sh
# Build the standalone Temporal server and its SQL schema tool from the
# go.temporal.io/server module at the version go.mod pins, so the cluster the
# fault tests run is the very code the embedded server links. No download of
# release binaries: only the Go module cache (and proxy) is needed.
#
#   sh deploy/temporal/build.sh        # → bin/temporal-server, bin/temporal-sql-tool
#   FORCE=1 sh deploy/temporal/build.sh
#
# The first build takes a few minutes on two cores; later runs return at once
# while both binaries are newer than go.mod (the version can only change there).
set -eu
cd "$(dirname "$0")/../.."
export GOTOOLCHAIN=local
GO=${GO:-go}

server=bin/temporal-server
sqltool=bin/temporal-sql-tool

if [ "${FORCE:-}" = "" ] && [ -x "$server" ] && [ -x "$sqltool" ] &&
	[ "$server" -nt go.mod ] && [ "$sqltool" -nt go.mod ]; then
	exit 0
fi

# The server's main packages use urfave/cli, which nothing in Recours
# imports, so `go mod tidy` drops its go.sum lines. Downloading the modules
# the build graph already selects restores exactly those lines and never
# changes a version in go.mod.
$GO mod download github.com/urfave/cli github.com/urfave/cli/v2 \
	github.com/cpuguy83/go-md2man/v2 github.com/xrash/smetrics \
	github.com/russross/blackfriday/v2

version=$($GO list -m -f '{{.Version}}' go.temporal.io/server)
echo "building Temporal server $version into bin/ …" >&2
mkdir -p bin
# Build to temporary names first: an interrupted build must not leave a
# binary that the fast path above would take for a finished one, and two
# test processes building at once must not write into the same file.
trap 'rm -f "$server.$$" "$sqltool.$$"' EXIT
$GO build -o "$server.$$" go.temporal.io/server/cmd/server
$GO build -o "$sqltool.$$" go.temporal.io/server/cmd/tools/sql
mv "$server.$$" "$server"
mv "$sqltool.$$" "$sqltool"
echo "built $server and $sqltool ($version)" >&2
