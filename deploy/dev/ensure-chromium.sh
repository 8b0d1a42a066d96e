#!/bin/sh
# Make sure the headless Chromium the browser tests drive is installed:
# Debian's chromium and its driver, installed on a fresh machine (as root,
# as in CI). Browsers that download their own build cannot run here.
set -eu
if [ -x /usr/bin/chromium ]; then exit 0; fi
echo "installing Chromium…"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium chromium-driver fonts-dejavu-core >/dev/null
[ -x /usr/bin/chromium ] || { echo "Chromium did not install" >&2; exit 1; }
