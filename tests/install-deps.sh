#!/bin/sh
# Installs the Debian packages named as arguments that are not installed yet.
# As root: apt-get install (non-interactive). Otherwise: lists what is missing
# and fails, so a user knows what to ask for.
missing=""
for p in "$@"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "why401: missing Debian packages:$missing" >&2
  echo "why401: as root run: apt-get install$missing" >&2
  exit 1
fi
echo "why401: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq || exit 1
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null || exit 1
