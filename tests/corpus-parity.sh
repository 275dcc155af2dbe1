#!/bin/sh
# Agreement with tshark on every 401/407/403 (stream, status, frame) over the
# shared corpus and pcaps/, through ../shared/tools/parity. A user's clone has
# no ../shared: then this test says so and is skipped (exit 77).
# usage: corpus-parity.sh WHY401 (run from the source root)
why401=$1
parity="../shared/tools/parity"
if [ ! -x "$parity" ]; then
  echo "1..0 # SKIP ../shared/tools/parity not found (only in the project's CI and work trees)"
  exit 77
fi
if ! command -v tshark >/dev/null 2>&1; then
  echo "1..0 # SKIP tshark is not installed (make deps-test installs it)"
  exit 77
fi
out=$("$parity" "$why401" 2>&1)
status=$?
printf '%s\n' "$out" | awk '
  /^ok / || /^DIFF / { n++; name = $2; sub(/:$/, "", name);
                       line[n] = ($1 == "ok" ? "ok " : "not ok ") n " - " name;
                       if ($1 == "DIFF") detail[n] = $0 }
  END { print "1.." n; for (i = 1; i <= n; i++) { print line[i]; if (i in detail) print "# " detail[i] } }'
printf '%s\n' "$out" | grep '^parity:' | sed 's/^/# /'
exit $status
