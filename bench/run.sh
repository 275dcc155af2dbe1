#!/usr/bin/env bash
# Benchmark: why401 against a bare libpcap read loop on the same capture, and
# why401's peak memory at two capture sizes (it must stay flat).
#   bench/run.sh [BUILD] [SIZE_MB]      (defaults: build 256)
# The capture is pcaps/demo.pcapng doubled with mergecap, each copy shifted
# in time, until it reaches SIZE_MB; made once into bench/work/.
# Target: why401 takes at most 2x the loop's time; memory flat in size.
set -eu
cd "$(dirname "$0")/.."
build=${1:-build}
size_mb=${2:-256}
work=bench/work
mkdir -p "$work"
for tool in editcap mergecap; do
  command -v $tool >/dev/null || { echo "bench: $tool missing (apt-get install wireshark-common)"; exit 2; }
done

make_capture () {   # make_capture MB -> prints the path
  local mb=$1 out="$work/bench-$1mb.pcap"
  if [ ! -f "$out" ]; then
    editcap -F pcap pcaps/demo.pcapng "$work/cur.pcap"
    local shift=60
    while [ "$(stat -c %s "$work/cur.pcap")" -lt $((mb * 1024 * 1024)) ]; do
      editcap -t "$shift" "$work/cur.pcap" "$work/shifted.pcap"
      mergecap -a -F pcap -w "$work/next.pcap" "$work/cur.pcap" "$work/shifted.pcap"
      mv "$work/next.pcap" "$work/cur.pcap"
      shift=$((shift * 2))
    done
    mv "$work/cur.pcap" "$out"
    rm -f "$work/shifted.pcap"
  fi
  echo "$out"
}

measure () {        # measure CMD... -> "seconds maxrss_kib"
  /usr/bin/time -f "%e %M" -o "$work/time.txt" "$@" >/dev/null 2>&1 || true
  tail -n 1 "$work/time.txt"
}

small=$(make_capture $((size_mb / 4)))
big=$(make_capture "$size_mb")
for f in "$small" "$big"; do
  measure "$build/bench/pcap-loop" "$f" >/dev/null   # warm the page cache
  read -r t_loop m_loop < <(measure "$build/bench/pcap-loop" "$f")
  read -r t_w4 m_w4 < <(measure "$build/why401" --format ndjson -o /dev/null "$f")
  ratio=$(awk -v a="$t_w4" -v b="$t_loop" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
  printf '%s (%s MiB): pcap loop %ss %s KiB; why401 %ss %s KiB; ratio %sx\n' \
    "$f" "$(( $(stat -c %s "$f") / 1048576 ))" "$t_loop" "$m_loop" "$t_w4" "$m_w4" "$ratio"
done
