#!/bin/sh
# Vendors axe-core, the accessibility engine the browser tests inject, so
# the tests never need npm: `go generate ./internal/browsertest` after
# changing AXE_VERSION, then commit vendor/.
set -eu
AXE_VERSION=4.14.1
cd "$(dirname "$0")"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
npm install --silent --no-save --no-audit --no-fund --ignore-scripts --prefix "$tmp" "axe-core@$AXE_VERSION" >/dev/null
pkg="$tmp/node_modules/axe-core"
mkdir -p vendor
cp "$pkg/axe.min.js" vendor/axe.min.js
cp "$pkg/LICENSE" vendor/axe-core-LICENSE
if [ -f "$pkg/LICENSE-3RD-PARTY.txt" ]; then cp "$pkg/LICENSE-3RD-PARTY.txt" vendor/axe-core-LICENSE-3RD-PARTY.txt; fi
echo "$AXE_VERSION" > vendor/axe-core-VERSION
