#!/usr/bin/env bash
# Benchmark: why401 against a bare libpcap read loop on the same capture, and
# why401's peak memory at two capture sizes (it must stay flat).
#   bench/run.sh [BUILD] [SIZE_MB]      (defaults: build 256)
# Two kinds of capture, each at SIZE_MB/4 and SIZE_MB, made once into
# bench/work/:
#  - demo: pcaps/demo.pcapng doubled with mergecap, each copy shifted in
#    time. Its copies repeat the same 4-tuples and ISNs, so after the first
#    one every packet belongs to a connection that already ended: this
#    measures the per-packet path only;
#  - real: bench/make-input.py, many distinct connections with 401s, 403s
#    and large bodies (needs /usr/bin/python3).
# Times are CPU time (user + system; steadier than wall time on a shared
# machine), hyperfine's mean of 10 runs when hyperfine is installed (else one
# run after a warm-up); peak RSS from /usr/bin/time.
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

make_real () {      # make_real MB -> prints the path
  local out="$work/real-$1mb.pcap"
  [ -f "$out" ] || /usr/bin/python3 bench/make-input.py "$out" "$1" >&2
  echo "$out"
}

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

rss () {            # rss CMD... -> peak RSS in KiB
  /usr/bin/time -f "%M" -o "$work/time.txt" "$@" >/dev/null 2>&1 || true
  tail -n 1 "$work/time.txt"
}

seconds () {        # seconds CMD... -> mean CPU time (user + system)
  if command -v hyperfine >/dev/null; then
    hyperfine -N -i -w 2 -r 10 --export-json "$work/hf.json" "$*" >/dev/null 2>&1
    /usr/bin/python3 -c 'import json,sys; r = json.load(open(sys.argv[1]))["results"][0]; print("%.3f" % (r["user"] + r["system"]))' "$work/hf.json"
  else
    "$@" >/dev/null 2>&1 || true   # warm the page cache
    /usr/bin/time -f "%U %S" -o "$work/time.txt" "$@" >/dev/null 2>&1 || true
    tail -n 1 "$work/time.txt" | awk '{ printf "%.3f\n", $1 + $2 }'
  fi
}

files="$(make_capture $((size_mb / 4))) $(make_capture "$size_mb")"
if [ -x /usr/bin/python3 ]; then
  files="$files $(make_real $((size_mb / 4))) $(make_real "$size_mb")"
fi
for f in $files; do
  t_loop=$(seconds "$build/bench/pcap-loop" "$f")
  t_w4=$(seconds "$build/why401" --format ndjson -o /dev/null "$f")
  m_loop=$(rss "$build/bench/pcap-loop" "$f")
  m_w4=$(rss "$build/why401" --format ndjson -o /dev/null "$f")
  ratio=$(awk -v a="$t_w4" -v b="$t_loop" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }')
  printf '%s (%s MiB): pcap loop %ss %s KiB; why401 %ss %s KiB; ratio %sx\n' \
    "$f" "$(( $(stat -c %s "$f") / 1048576 ))" "$t_loop" "$m_loop" "$t_w4" "$m_w4" "$ratio"
done
