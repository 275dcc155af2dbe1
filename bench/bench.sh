#!/usr/bin/env bash
# bench.sh: why401's benchmark. Wall time, throughput, the ratio to the read
# floor and peak memory on captures of real traffic, beside tshark and httpry.
#
#   sudo bench/bench.sh [BUILD]          (what `make bench` runs; BUILD: build)
#
# 1. Makes the captures once, with bench/make-capture.sh (root), into
#    $BENCH_DIR (default bench/work/, which git ignores), and keeps them:
#      http-256M.pcap    nginx, wrk and ab, Basic auth, cleartext HTTP/1.x
#      http-1G.pcap      the same, 1 GiB
#      tls13-256M.pcap   the same traffic over TLS 1.3, with tls13-256M.keys
#      http-4G.pcap      with BENCH_4G=1: http-1G.pcap four times, each copy
#                        shifted (editcap -t) to start 11 minutes after the
#                        one before ends, and appended (mergecap -a): the gap
#                        outlasts every connection's idle expiry (10 min), so
#                        each copy is new traffic, not a retransmission of
#                        the last; why401's memory must not grow with it
#    To use captures made elsewhere, put them there under these names.
# 2. For each capture and each tool, runs the floor (bench/floor.c: a libpcap
#    loop that reads every byte) and the tool one after the other,
#    $BENCH_RUNS times (default 5). A tool's ratio is the median of its
#    per-pair ratios, tool time / floor time of the run just before it: both
#    saw the same machine at nearly the same moment, so what other processes
#    do to the machine cancels out far better than in the times themselves.
# 3. Prints one markdown table per capture: tool, median wall time, MB/s
#    (10^6 bytes of file per second), packets/s, ratio to the floor, median
#    CPU time (user + system, 10 ms steps: steadier than wall time when the
#    machine is shared) and its ratio to the floor's, peak RSS (/usr/bin/time %M, the largest of the runs; the runs
#    of one tool differ by well under 1%), and, for why401, the
#    summary's memory budget account when it has one. The tables are also
#    written to $BENCH_DIR/results.md.
#
# Rows: floor; why401 --format ndjson and --format json (-o /dev/null); on the
# TLS capture why401 --keylog; tshark -Y 'http.response.code in {401,403,407}'
# (one pass; on the captures in $BENCH_TSHARK, default http-256M, because on
# 1 GiB it takes minutes: BENCH_TSHARK=all for every one, with the key log
# on the TLS capture); httpry (cleartext captures). tshark and httpry only
# when installed. Page cache: each capture is read once before its runs.
set -euo pipefail
export LC_ALL=C               # a decimal point in EPOCHREALTIME and awk

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(realpath -m "${1:-build}")
DIR=$(realpath -m "${BENCH_DIR:-$ROOT/bench/work}")
RUNS=${BENCH_RUNS:-5}
TSHARK_ON=${BENCH_TSHARK:-http-256M}
WHY401=$BUILD/why401
FLOOR=$BUILD/bench/floor

fail() { echo "bench: $*" >&2; exit 1; }
say() { echo "bench: $*" >&2; }

[ -f "$BUILD/build.ninja" ] || fail "no build in $BUILD (meson setup $BUILD first, or make bench)"
ninja -C "$BUILD" why401 bench/floor >/dev/null || fail "ninja -C $BUILD failed"
[ -x /usr/bin/time ] || fail "missing /usr/bin/time (Debian package time)"
case $RUNS in '' | *[!0-9]* | 0) fail "BENCH_RUNS must be a positive number" ;; esac
mkdir -p "$DIR"
TMP=$(mktemp -d "${TMPDIR:-/tmp}/why401-bench.XXXXXX")
PART=$DIR/http-4G.part        # the 4 GiB capture while it is made, beside it
trap 'rm -rf "$TMP" "$PART"' EXIT

# ---------------------------------------------------------------- captures
make_capture() {  # make_capture NAME SIZE [--tls]
  local out=$DIR/$1.pcap
  [ -s "$out" ] && return 0
  [ "$(id -u)" = 0 ] || fail "$out is missing and making it needs root (sudo make bench)"
  say "making $out ($2${3:+, TLS 1.3}); its log: ${out%.pcap}.log"
  "$ROOT/bench/make-capture.sh" "$out" "$2" ${3:+"$3"} 2>/dev/null ||
    fail "make-capture.sh failed: see ${out%.pcap}.log"
}

duration() {  # duration FILE -> whole seconds, rounded up
  capinfos -u -M "$1" | awk -F': *' '/duration/ { d = $2 + 0; print (d == int(d)) ? d : int(d) + 1 }'
}

make_4g() {  # four copies of the 1 GiB capture, one after the other in time
  local one=$DIR/http-1G.pcap out=$DIR/http-4G.pcap secs free need k copies=()
  [ -s "$out" ] && return 0
  for t in capinfos editcap mergecap; do
    command -v $t >/dev/null || fail "missing $t (Debian package wireshark-common)"
  done
  # three shifted copies and the result, made in $PART: seven times the 1 GiB file
  need=$(($(stat -c %s "$one") * 7 / 1024))
  free=$(df -Pk "$DIR" | awk 'NR == 2 { print $4 }')
  [ "$free" -gt "$need" ] || fail "making http-4G.pcap needs $((need / 1048576)) GiB free in $DIR, there is $((free / 1048576))"
  secs=$(($(duration "$one") + 660))
  say "making $out: http-1G.pcap four times, each copy $secs s after the one before"
  rm -rf "$PART"
  mkdir "$PART"
  copies=("$one")
  for k in 1 2 3; do
    editcap -t $((k * secs)) "$one" "$PART/copy$k.pcap"
    copies+=("$PART/copy$k.pcap")
  done
  mergecap -a -F pcap -w "$PART/4G.pcap" "${copies[@]}"
  mv "$PART/4G.pcap" "$out"
  rm -rf "$PART"
}

CAPTURES="http-256M http-1G tls13-256M"
make_capture http-256M 256M
make_capture http-1G 1G
make_capture tls13-256M 256M --tls
if [ "${BENCH_4G:-0}" = 1 ]; then
  make_4g
  CAPTURES="$CAPTURES http-4G"
fi

# -------------------------------------------------------------- measuring
# measure CMD... : runs it with stdout and stderr thrown away and prints
# "wall_seconds rss_kib cpu_seconds". Exit status 0 is required, or 1 from
# why401 (it found failures); anything else stops the benchmark.
measure() {
  local t0 t1 rc=0
  t0=$EPOCHREALTIME
  /usr/bin/time -f '%M %U %S' -o "$TMP/time" "$@" >/dev/null 2>"$TMP/stderr" || rc=$?
  t1=$EPOCHREALTIME
  if [ "$rc" -gt 1 ] || { [ "$rc" = 1 ] && [ "$1" != "$WHY401" ]; }; then
    cat "$TMP/stderr" >&2
    fail "exit status $rc from: $*"
  fi
  echo "$t0 $t1 $(tail -n 1 "$TMP/time")" | awk '{ printf "%.6f %d %.2f\n", $2 - $1, $3, $4 + $5 }'
}

median() {  # median < numbers, one a line; nothing for no numbers
  sort -g | awk '{ v[NR] = $1 }
    END { if (NR % 2) print v[(NR + 1) / 2]; else if (NR) print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# pairs LABEL CMD... : $RUNS alternating (floor, CMD) pairs on $FILE; one
# line "label median_s ratio max_rss_kib median_cpu_s cpu_ratio" into $TMP/rows, the
# floor's runs into $TMP/floor.runs
pairs() {
  local label=$1 f t _; shift
  : >"$TMP/pair"
  for _ in $(seq "$RUNS"); do
    f=$(measure "$FLOOR" "$FILE")
    t=$(measure "$@")
    echo "$f $t" >>"$TMP/pair"
    echo "$f" >>"$TMP/floor.runs"
  done
  printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$label" \
    "$(awk '{ print $4 }' "$TMP/pair" | median)" \
    "$(awk '{ print $4 / $1 }' "$TMP/pair" | median)" \
    "$(awk '$5 > m { m = $5 } END { print m }' "$TMP/pair")" \
    "$(awk '{ print $6 }' "$TMP/pair" | median)" \
    "$(awk '$3 > 0 { print $6 / $3 }' "$TMP/pair" | median)" >>"$TMP/rows"
  tail -n 1 "$TMP/rows" | awk -F'\t' '{ printf "bench:   %s: %.3f s, %.2fx the floor\n", $1, $2, $3 }' >&2
}

# The summary line's memory budget account (summary.budget), when why401
# has one, as one line: the peak, what each kind held at the peak, what was
# evicted or refused. python3 reads the JSON; without it, nothing.
budget_account() {
  [ -x /usr/bin/python3 ] || return 0
  /usr/bin/python3 -c '
import json, sys
s = json.loads(open(sys.argv[1]).read().splitlines()[-1])
b = s.get("budget")
if isinstance(b, dict):
    kinds = b.get("peak_by_kind") or {}
    mib = lambda n: "%.1f MiB" % (n / 1048576)
    line = "budget peak %s of %s" % (mib(b.get("peak_bytes", 0)), mib(b.get("max_bytes", 0)))
    line += "".join("; %s %s" % (k, mib(v)) for k, v in sorted(kinds.items(), key=lambda kv: -kv[1]) if v)
    for what in ("evicted", "refused"):
        n = {k: v for k, v in (b.get(what) or {}).items() if v}
        if n:
            line += "; %s: %s" % (what, ", ".join("%s %d" % kv for kv in sorted(n.items())))
    print(line)
' "$1" 2>/dev/null || true
}

seconds_of_traffic() {  # "7.7 s of traffic, " when capinfos is there
  command -v capinfos >/dev/null || return 0
  capinfos -u -M "$FILE" 2>/dev/null | awk -F': *' '/duration/ { printf "%.1f s of traffic, ", $2 }'
}

summary_field() {  # summary_field FILE NAME -> the summary's number
  tail -n 1 "$1" | grep -o "\"$2\":[0-9]*" | head -n 1 | cut -d: -f2
}

table() {  # table NAME: the markdown table of $TMP/rows
  local floor_s floor_cpu floor_rss
  floor_s=$(awk '{ print $1 }' "$TMP/floor.runs" | median)
  floor_rss=$(awk '$2 > m { m = $2 } END { print m }' "$TMP/floor.runs")
  floor_cpu=$(awk '{ print $3 }' "$TMP/floor.runs" | median)
  echo "| tool | median wall | MB/s | packets/s | x floor | CPU (user+sys) | CPU x floor | peak RSS |"
  echo "|---|---|---|---|---|---|---|---|"
  awk -F'\t' -v b="$(stat -c %s "$FILE")" -v p="$PACKETS" '
    function row(label, s, ratio, rss, cpu, cpu_ratio) {
      printf "| %s | %.3f s | %.0f | %.0f | %.2f | %.2f s | %s | %.1f MiB |\n",
             label, s, b / s / 1e6, p / s, ratio, cpu, cpu_ratio == "" ? "-" : sprintf("%.2f", cpu_ratio), rss / 1024
    }
    { row($1, $2, $3, $4, $5, $6) }' \
    <(printf 'floor (bench/floor)\t%s\t1\t%s\t%s\t1\n' "$floor_s" "$floor_rss" "$floor_cpu"; cat "$TMP/rows")
}

# ------------------------------------------------------------------- run
{
  echo "# why401 benchmark, $(date -u +'%Y-%m-%d %H:%M') UTC"
  echo
  echo "why401 $(git -C "$ROOT" describe --always --dirty 2>/dev/null || echo '(no git)'), build $(basename "$BUILD")" \
       "($(meson introspect --buildoptions "$BUILD" 2>/dev/null | grep -o '"name": "buildtype", "value": "[a-z]*"' | sed 's/.*"value": //; s/"//g' || true));" \
       "$(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')), load average at the start $(cut -d' ' -f1-3 /proc/loadavg);" \
       "$RUNS alternating pairs per row. Ratios are medians of per-pair ratios; MB/s and packets/s come from the median wall time."
} | tee "$DIR/results.md"

for name in $CAPTURES; do
  FILE=$DIR/$name.pcap
  KEYS=$DIR/$name.keys
  : >"$TMP/rows"
  : >"$TMP/floor.runs"
  say "$name: warming the page cache"
  "$FLOOR" "$FILE" >"$TMP/floor.out"
  PACKETS=$(awk '{ print $2 }' "$TMP/floor.out")

  # one run for the header: what is in the capture, and the budget account
  w4_args=(--format ndjson)
  case $name in tls13-*) w4_args+=(--keylog "$KEYS") ;; esac
  "$WHY401" "${w4_args[@]}" -o "$TMP/summary.ndjson" "$FILE" 2>/dev/null || [ $? = 1 ] ||
    fail "why401 failed on $FILE"

  case $name in
    tls13-*)
      pairs "why401 --keylog, ndjson" "$WHY401" --keylog "$KEYS" --format ndjson -o /dev/null "$FILE"
      ;;
    *)
      pairs "why401 ndjson" "$WHY401" --format ndjson -o /dev/null "$FILE"
      [ "$name" = http-4G ] || pairs "why401 json" "$WHY401" --format json -o /dev/null "$FILE"
      ;;
  esac
  if command -v tshark >/dev/null && { [ "$TSHARK_ON" = all ] || [[ " $TSHARK_ON " == *" $name "* ]]; }; then
    t_args=(-r "$FILE" -Y 'http.response.code in {401,403,407}')
    case $name in tls13-*) t_args+=(-o "tls.keylog_file:$KEYS") ;; esac
    pairs "tshark $(tshark -v 2>/dev/null | awk 'NR == 1 { print $3 }'), one pass" tshark "${t_args[@]}"
  fi
  case $name in
    tls13-*) ;;    # httpry reads no TLS
    *) if command -v httpry >/dev/null; then
         pairs "httpry $(httpry -h 2>&1 | awk '/version/ { print $3; exit }') (no reassembly)" httpry -q -r "$FILE" -o /dev/null
       fi ;;
  esac

  {
    echo
    echo "## $name.pcap: $(awk -v b="$(stat -c %s "$FILE")" 'BEGIN { printf "%.0f MiB", b / 1048576 }'), $(seconds_of_traffic)$PACKETS packets," \
         "$(summary_field "$TMP/summary.ndjson" connections) connections, $(summary_field "$TMP/summary.ndjson" http_requests) requests," \
         "$(summary_field "$TMP/summary.ndjson" failed_responses) failed responses"
    echo
    table
    account=$(budget_account "$TMP/summary.ndjson")
    [ -z "$account" ] || { echo; echo "why401 ndjson: $account"; }
  } | tee -a "$DIR/results.md"
  cp "$TMP/rows" "$TMP/rows-$name"
done

if [ -f "$TMP/rows-http-4G" ]; then
  m1=$(awk -F'\t' '$1 == "why401 ndjson" { print $4 }' "$TMP/rows-http-1G")
  m4=$(awk -F'\t' '$1 == "why401 ndjson" { print $4 }' "$TMP/rows-http-4G")
  {
    echo
    awk -v a="$m1" -v b="$m4" 'BEGIN { printf "Memory, 4 GiB against 1 GiB (why401 ndjson peak RSS): %.1f MiB / %.1f MiB = %.3f (target: at most 1.10)\n", b / 1024, a / 1024, b / a }'
  } | tee -a "$DIR/results.md"
fi
echo "load average at the end $(cut -d' ' -f1-3 /proc/loadavg); written to $DIR/results.md" >&2
