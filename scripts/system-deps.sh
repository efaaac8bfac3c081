#!/usr/bin/env bash
# Installs the system programs the test suite runs for real: Debian's Chromium (browser, story
# and end-to-end tests; browser downloads from npm packages fail on our machines), redis-server
# (the multi-instance store), and nginx with openssl (a proxy that ends TLS with a certificate
# made by the test). Does nothing when all are already there.
set -euo pipefail
missing=()
command -v chromium >/dev/null 2>&1 || [ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ] || missing+=(chromium)
command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
command -v nginx >/dev/null 2>&1 || [ -x "${NGINX:-/usr/sbin/nginx}" ] || missing+=(nginx)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
[ ${#missing[@]} -eq 0 ] && exit 0
if ! command -v apt-get >/dev/null 2>&1; then
  echo "Shareflow's tests need: ${missing[*]}. Install them with your package manager." >&2
  exit 1
fi
sudo=''
[ "$(id -u)" -eq 0 ] || sudo='sudo'
echo "Installing ${missing[*]} from Debian's packages (once per machine)…"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
