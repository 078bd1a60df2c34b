#!/usr/bin/env bash
# Installs the real peers the integration tests start: ejabberd and Prosody
# (XMPP servers), lua-unbound (so Prosody resolves names from /etc/hosts),
# sipp (Debian package sip-tester), openssl (the lab CA), redis-server
# (the shared presence store several gateway nodes use) and docker-compose
# (only to validate docker-compose.yml statically: Docker cannot run here).
# The distro's own service instances are never started: a temporary
# policy-rc.d refuses every service start during the install.
set -euo pipefail
PKGS=(ejabberd prosody lua-unbound sip-tester openssl iproute2 redis-server docker-compose)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-test-deps: all present (${PKGS[*]})"
  exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
echo "install-test-deps: installing ${missing[*]}"
cleanup() { $SUDO rm -f /usr/sbin/policy-rc.d; }
trap cleanup EXIT
printf '#!/bin/sh\nexit 101\n' | $SUDO tee /usr/sbin/policy-rc.d >/dev/null
$SUDO chmod +x /usr/sbin/policy-rc.d
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
echo "install-test-deps: done"
