#!/bin/sh
# check-corpus.sh: compares what the capture stage delivers with tshark.
#
# For every TCP segment tshark dissects (frame number, innermost source
# address, ports, tcp.len), w4-capdump must deliver the same; ICMP-quoted TCP
# headers count too. Prints the differences per capture and a summary line.
# A developer tool: differences are to be read, not a pass/fail gate.
#
# usage: capture/check-corpus.sh [-b BUILD_DIR] [CAPTURE...]
#        (default: build-capture, every capture under /work/shared/corpus and pcaps/)
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
build="$here/build-capture"
if [ "${1:-}" = "-b" ]; then build=$2; shift 2; fi
dump="$build/capture/w4-capdump"
[ -x "$dump" ] || { echo "check-corpus: build $dump first" >&2; exit 2; }
if [ $# -eq 0 ]; then
  set -- $(find /work/shared/corpus "$here/pcaps" -name '*.pcap' -o -name '*.pcapng' 2>/dev/null | sort)
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT INT TERM
agree=0; differ=0; differ_list=""
for f in "$@"; do
  W4_CAPDUMP_QUIET=1 "$dump" "$f" 2>/dev/null |
    awk -F'\t' '$4 == "6" || $4 == "6q" { print $1 "\t" $2 "\t" $5 "\t" $6 "\t" $7 }' > "$tmp/ours"
  # Innermost address: the last of ipv6.src when there is one, else the
  # last ip.src (tunnels and ICMP quotations list several).
  tshark -r "$f" -Y tcp -T fields -E occurrence=l -e frame.number -e ip.src -e ipv6.src \
      -e tcp.srcport -e tcp.dstport -e tcp.len 2>/dev/null |
    awk -F'\t' '{ src = ($3 != "") ? $3 : $2; print $1 "\t" src "\t" $4 "\t" $5 "\t" $6 }' > "$tmp/theirs"
  if cmp -s "$tmp/ours" "$tmp/theirs"; then
    agree=$((agree + 1))
  else
    differ=$((differ + 1))
    differ_list="$differ_list $(basename "$f")"
    echo "== $f (< w4-capdump, > tshark)"
    diff "$tmp/ours" "$tmp/theirs" | grep '^[<>]' | head -20
  fi
done
echo "check-corpus: $agree agree, $differ differ${differ_list:+:$differ_list}"
