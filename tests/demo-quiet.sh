#!/bin/sh
# `make demo` shows the report, not the build log (TAP).
#   tests/demo-quiet.sh BUILD_DIR   (run from the source root)
# Runs `make demo` on the build directory the tests run from (up to date, so
# nothing is rebuilt) and checks that its first line is the report's header;
# then on a directory whose build.ninja is broken, and checks that the
# build's log is shown and the demo fails.
build=$1
command -v make > /dev/null 2>&1 || { echo "1..0 # SKIP make is not installed"; exit 0; }
tmp=$(mktemp -d /tmp/why401-demo.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
bad=0
echo "1..3"

make -s demo BUILD="$build" > "$tmp/out" 2>&1
status=$?
first=$(head -n 1 "$tmp/out")
case $first in
  "demo.pcapng: "*) echo "ok 1 - make demo begins with the report" ;;
  *) echo "not ok 1 - make demo begins with the report, not: $first"; bad=1 ;;
esac
if [ $status = 0 ] && ! grep -Eq '^\[[0-9]+/[0-9]+\]|^ninja|^meson|^The Meson' "$tmp/out"; then
  echo "ok 2 - make demo exits 0 and shows no build log"
else
  echo "not ok 2 - make demo exits 0 ($status) and shows no build log"; bad=1
  sed 's/^/# /' "$tmp/out" | head -n 20
fi

mkdir "$tmp/broken"
echo "not a ninja file" > "$tmp/broken/build.ninja"
make -s demo BUILD="$tmp/broken" > "$tmp/out" 2>&1
status=$?
if [ $status != 0 ] && grep -q "not a ninja file" "$tmp/out" &&
   grep -q "the build failed (log: $tmp/broken/build.log)" "$tmp/out"; then
  echo "ok 3 - a failed build shows its log and fails the demo"
else
  echo "not ok 3 - a failed build shows its log and fails the demo (exit $status)"; bad=1
  sed 's/^/# /' "$tmp/out" | head -n 20
fi
exit $bad
