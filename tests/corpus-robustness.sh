#!/bin/sh
# Every capture we can find (the shared corpus where it exists, pcaps/ and
# tests/fuzz-regressions/) through why401 in all three formats: the exit
# status must be 0 or 1 (a damaged capture is a warning, never a failure of
# the run) and nothing may trip a sanitizer. Most useful in the sanitizer build (make test-asan).
# usage: corpus-robustness.sh WHY401 (run from the source root)
why401=$1
# tests/fuzz-regressions: minimised inputs that once crashed fuzz-pipeline.
files=$( { [ -d ../shared/corpus ] && find ../shared/corpus -name '*.pcap*'; find pcaps tests/fuzz-regressions -name '*.pcap*'; } | sort)
n=$(printf '%s\n' "$files" | grep -c .)
[ -d ../shared/corpus ] || echo "# ../shared/corpus not found: checking pcaps/ only"
echo "1..$n"
i=0
bad=0
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
for f in $files; do
  i=$((i + 1))
  ok=1
  for fmt in text json ndjson; do
    "$why401" --all --format "$fmt" "$f" >/dev/null 2>"$tmp"
    status=$?
    if [ $status -gt 1 ] || grep -q 'runtime error\|AddressSanitizer\|LeakSanitizer' "$tmp"; then
      ok=0
      echo "# $f --format $fmt: exit $status"
      head -n 5 "$tmp" | sed 's/^/#   /'
    fi
  done
  if [ $ok = 1 ]; then echo "ok $i - $f"; else echo "not ok $i - $f"; bad=$((bad + 1)); fi
done
[ $bad = 0 ]
