#!/usr/bin/env bash
# Small versions of the hostile captures (bench/hostile.sh) under a small
# --max-mem: each completes with its findings reported, within the budget,
# and what had to go was evicted and counted (TAP).
#   tests/hostile-test.sh WHY401 HOSTILE-GEN [MAX-MEM]   (MAX-MEM default 4M)
# Per case: the exit status (1 with failures, else 0), the findings, the
# summary's budget peak (at most the budget, plus what one frame can add
# before the budget is enforced again: HOSTILE_FRAME_SLACK bytes, 256 KiB),
# evictions where the case cannot fit without them, and peak RSS (at most
# the budget plus the program's own cost: an empty run's RSS plus
# HOSTILE_RSS_SLACK MiB, 4, for what the allocator adds to what is
# charged). Under a sanitizer (ASAN_OPTIONS set) the RSS is the
# sanitizer's: not checked.
set -u
why401=$1
gen=$2
max_mem=${3:-4M}
frame_slack=${HOSTILE_FRAME_SLACK:-262144}
rss_slack_mib=${HOSTILE_RSS_SLACK:-4}
tmp=$(mktemp -d /tmp/why401-hostile.XXXXXX)
trap '[ -n "${HOSTILE_KEEP:-}" ] || rm -rf "$tmp"' EXIT
n=0
bad=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); bad=$((bad + 1)); echo "not ok $n - $1"; }
check() { # check NAME COMMAND...: ok when COMMAND succeeds
  local name=$1; shift
  if "$@"; then ok "$name"; else not_ok "$name"; fi
}

max_bytes=$(/usr/bin/python3 -c '
import sys
s = sys.argv[1]
units = {"": 1, "K": 1 << 10, "M": 1 << 20, "G": 1 << 30}
num = s.rstrip("KMGkmgiIbB")
print(int(num) * units[s[len(num):][:1].upper()])' "$max_mem")

# peak RSS in KiB of: why401 ARGS... (its exit status into $tmp/rc)
rss_of () {
  /usr/bin/time -f "%M" -o "$tmp/time" "$why401" "$@" 2> "$tmp/err"
  echo $? > "$tmp/rc"
  tail -n 1 "$tmp/time"
}

# field of the ndjson summary: summary FILE EXPR (a python expression on s)
summary () {
  /usr/bin/python3 -c '
import json, sys
s = json.loads(open(sys.argv[1]).readlines()[-1])
print(eval(sys.argv[2]))' "$1" "$2"
}

# the program's own cost: a run over a capture with one packet
"$gen" syn 1 "$tmp/empty.pcap" > /dev/null
empty_kib=$(rss_of --format ndjson -o /dev/null "$tmp/empty.pcap")
rss_max_kib=$(( (max_bytes >> 10) + empty_kib + rss_slack_mib * 1024 ))

#   case      N      exit  findings (at least)  must evict
cases="syn      50000  0     0                    yes
pipeline 50000  0     1                    yes
failures 5000   1     5000                 yes
clients  20000  1     20000                yes"

echo "1..$(( $(echo "$cases" | wc -l) * 5 + 3 ))"
while read -r name count want_rc want_findings must_evict; do
  pcap=$tmp/$name.pcap
  "$gen" "$name" "$count" "$pcap" > /dev/null
  kib=$(rss_of --format ndjson --max-mem "$max_mem" -o "$tmp/$name.ndjson" "$pcap")
  rc=$(cat "$tmp/rc")
  check "$name $count: exit $rc (want $want_rc)" test "$rc" = "$want_rc"
  findings=$(grep -vc '"type":"summary"' "$tmp/$name.ndjson")
  check "$name: $findings findings (want $want_findings or more)" \
    test "$findings" -ge "$want_findings"
  peak=$(summary "$tmp/$name.ndjson" 's["budget"]["peak_bytes"]')
  check "$name: budget peak $peak <= $max_bytes (+ $frame_slack)" \
    test "$peak" -le $((max_bytes + frame_slack))
  evicted=$(summary "$tmp/$name.ndjson" 'sum(s["budget"]["evicted"].values())')
  if [ "$must_evict" = yes ]; then
    check "$name: evicted $evicted ($(summary "$tmp/$name.ndjson" \
      '", ".join("%s %d" % kv for kv in s["budget"]["evicted"].items() if kv[1]) or "none"'))" \
      test "$evicted" -gt 0
  else
    ok "$name: nothing had to be evicted ($evicted were)"
  fi
  if [ -n "${ASAN_OPTIONS:-}" ]; then
    ok "$name: peak RSS $kib KiB # SKIP under a sanitizer"
  else
    check "$name: peak RSS $kib KiB <= $rss_max_kib KiB (budget + empty run $empty_kib KiB + $rss_slack_mib MiB)" \
      test "$kib" -le "$rss_max_kib"
  fi
done <<< "$cases"

# The text report keeps findings for the end: under the budget it gives
# up those it would not show, says so in one line, and still counts all.
# 2 MiB: its 5000 findings alone take twice that.
kib=$(COLUMNS=1000 rss_of --max-mem 2M --color=never -o "$tmp/failures.txt" "$tmp/failures.pcap")
rc=$(cat "$tmp/rc")
check "failures, text: exit $rc (want 1)" test "$rc" = 1
check "failures, text: all 5000 counted" grep -q '^5000 failed responses: 5000 failures' "$tmp/failures.txt"
check "failures, text: the memory line names the findings given up" \
  grep -q '^  memory: *budget .* reached (peak .*gave up [0-9]* kept findings' "$tmp/failures.txt"
exit $((bad > 0))
