#!/bin/sh
# Agreement with tshark on every 401/407/403 (stream, status, frame) over the
# shared corpus and pcaps/, through ../shared/tools/parity. A user's clone has
# no ../shared: then this test says so and is skipped (TAP "1..0 # SKIP",
# exit 0: meson reads a TAP test's skip from its plan, not from exit 77).
# usage: corpus-parity.sh WHY401 (run from the source root)
why401=$1
parity="../shared/tools/parity"
if [ ! -x "$parity" ]; then
  echo "1..0 # SKIP ../shared/tools/parity not found (only in the project's CI and work trees)"
  exit 0
fi
if ! command -v tshark >/dev/null 2>&1; then
  echo "1..0 # SKIP tshark is not installed (make deps-test installs it)"
  exit 0
fi
known=tests/parity-known.txt
out=$("$parity" "$why401" 2>&1)
# One TAP line per capture; a known, documented disagreement is "# TODO".
printf '%s\n' "$out" | awk -F'\t' -v known="$known" '
  BEGIN { while ((getline l < known) > 0) if (l !~ /^#/ && l != "") { split(l, k, "\t"); why[k[1]] = k[2] } }
  /^ok / || /^DIFF / { n++; split($0, w, " "); name = w[2]; sub(/:$/, "", name);
                       if (w[1] == "ok") line[n] = "ok " n " - " name;
                       else if (name in why) line[n] = "not ok " n " - " name " # TODO " why[name];
                       else { line[n] = "not ok " n " - " name; bad++ }
                       if (w[1] == "DIFF") detail[n] = $0 }
  END { print "1.." n; for (i = 1; i <= n; i++) { print line[i]; if (i in detail) print "# " detail[i] }
        exit bad > 0 }'
status=$?
printf '%s\n' "$out" | grep '^parity:' | sed 's/^/# /'
exit $status
