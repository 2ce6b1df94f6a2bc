#!/bin/sh
# Installs Debian's chromium for the browser test when it is missing; nothing is downloaded at test time.
set -e
[ -x /usr/bin/chromium ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "ensure-chromium: /usr/bin/chromium is missing; run 'apt-get install -y chromium' as root" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
install_chromium() { apt-get install -y -q --no-install-recommends chromium; }
# A fresh machine has no package lists, an old one stale lists: update and retry when the install fails.
install_chromium || { apt-get update -q && install_chromium; }
