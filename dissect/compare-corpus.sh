#!/bin/sh
# compare-corpus.sh: w4-disdump against tshark over a corpus, per capture:
#   streams: tcp.stream of every frame (exact);
#   http:    (stream, method) and (stream, status) of every HTTP/1 message,
#            and the frame tshark shows each at.
# Usage: compare-corpus.sh BUILD_DIR [CORPUS_DIR]   (a developer tool)
set -u
disdump="$1/dissect/w4-disdump"
corpus="${2:-/work/shared/corpus}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
find "$corpus" -name '*.pcap' -o -name '*.pcapng' | sort | while read -r f; do
  name=${f#"$corpus"/}
  tshark -r "$f" -T fields -e frame.number -e tcp.stream 2>/dev/null >"$tmp/ts"
  "$disdump" -s "$f" 2>/dev/null >"$tmp/ws"
  if cmp -s "$tmp/ts" "$tmp/ws"; then s=same; else
    s="DIFF($(diff "$tmp/ts" "$tmp/ws" | grep -c '^<') lines)"; fi
  tshark -r "$f" -Y http -T fields -e frame.number -e tcp.stream \
    -e http.request.method -e http.response.code 2>/dev/null |
    python3 -c '
import sys
for line in sys.stdin:
    f = line.rstrip("\n").split("\t")
    while len(f) < 4: f.append("")
    for m in filter(None, f[2].split(",")): print(f"{f[0]}\t{f[1]}\t{m}\t")
    for c in filter(None, f[3].split(",")): print(f"{f[0]}\t{f[1]}\t\t{c}")
' | sort >"$tmp/th"
  "$disdump" -H "$f" 2>/dev/null | sort >"$tmp/wh"
  cut -f2- "$tmp/th" | sort >"$tmp/th2"; cut -f2- "$tmp/wh" | sort >"$tmp/wh2"
  if cmp -s "$tmp/th" "$tmp/wh"; then h=same
  elif cmp -s "$tmp/th2" "$tmp/wh2"; then h="same-msgs(frames differ)"
  else h="DIFF(tshark $(wc -l <"$tmp/th") ours $(wc -l <"$tmp/wh"))"; fi
  printf '%-55s streams:%-16s http:%s\n' "$name" "$s" "$h"
done
