#!/usr/bin/env bash
# The hostile captures against the memory budget (issue 8): each made to
# make why401 keep as much state as it can, run under --max-mem, with what
# it cost and what the budget gave up.
#   bench/hostile.sh [BUILD] [--max-mem SIZE] [--small] [--keep]
# BUILD defaults to build (it needs BUILD/why401 and BUILD/bench/hostile-gen).
# The captures go to $HOSTILE_DIR (default bench/work/hostile, gitignored),
# made once per size and kept; --keep also keeps each run's ndjson there.
#   syn        1 M connections that send a SYN and nothing more
#   pipeline   1 M requests pipelined on one connection, never answered
#   failures   100 k Basic requests answered 401 within 3 s, on 100 k
#              connections: all await their 30 s decision at once; run in
#              ndjson, and again in json and text (text keeps findings)
#   clients    1 M clients, each its own address and credential, each 401
# --small: 50 k, 50 k, 5 k, 20 k (what the meson test 'hostile' runs).
# Per case: the capture's size and packets, findings, exit status, time
# (wall), peak RSS (/usr/bin/time %M), the budget and the summary's budget
# peak, and the evicted and refused counts that are not 0 (the text report:
# its failures, and what its "memory:" line says).
set -eu
cd "$(dirname "$0")/.."
build=build
max_mem=
small=
keep=
while [ $# -gt 0 ]; do
  case $1 in
    --max-mem) max_mem=$2; shift 2 ;;
    --max-mem=*) max_mem=${1#--max-mem=}; shift ;;
    --small) small=1; shift ;;
    --keep) keep=1; shift ;;
    -h|--help) sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "hostile: unknown option $1" >&2; exit 2 ;;
    *) build=$1; shift ;;
  esac
done
# --max-mem's value in bytes, for the text report (no summary object says it)
max_mem_bytes=536870912
if [ -n "$max_mem" ]; then
  num=${max_mem%%[!0-9]*} unit=${max_mem#"$num"}
  case $unit in
    '') max_mem_bytes=$num ;;
    [kK]|[kK][iI][bB]) max_mem_bytes=$((num << 10)) ;;
    [mM]|[mM][iI][bB]) max_mem_bytes=$((num << 20)) ;;
    [gG]|[gG][iI][bB]) max_mem_bytes=$((num << 30)) ;;
    *) echo "hostile: --max-mem $max_mem: not a size" >&2; exit 2 ;;
  esac
fi
why401=$build/why401
gen=$build/bench/hostile-gen
for p in "$why401" "$gen"; do
  [ -x "$p" ] || { echo "hostile: $p missing (ninja -C $build)" >&2; exit 2; }
done
[ -x /usr/bin/time ] || { echo "hostile: /usr/bin/time missing (apt-get install time)" >&2; exit 2; }
work=${HOSTILE_DIR:-bench/work/hostile}
mkdir -p "$work"

if [ -n "$small" ]; then
  sizes="syn=50000 pipeline=50000 failures=5000 clients=20000"
else
  sizes="syn=1000000 pipeline=1000000 failures=100000 clients=1000000"
fi

capture () {        # capture CASE N -> prints the path (made once)
  local f="$work/$1-$2.pcap"
  if [ ! -f "$f" ]; then
    "$gen" "$1" "$2" "$f.tmp" > /dev/null
    mv "$f.tmp" "$f"
  fi
  echo "$f"
}

# The summary's numbers, from an ndjson or json report: packets, findings,
# budget max and peak (MiB), and the non-zero evicted/refused counts. A
# text report has no summary object: its failures from the summary's
# first line, and its "memory:" line (nothing there: nothing evicted).
summarise () {      # summarise FORMAT REPORT
  /usr/bin/python3 - "$1" "$2" <<'EOF'
import json, sys
fmt, path = sys.argv[1], sys.argv[2]
findings = 0
summary = None
if fmt == "ndjson":
    with open(path) as f:
        for line in f:
            o = json.loads(line)
            if o.get("type") == "summary":
                summary = o
            else:
                findings += 1
elif fmt == "json":
    with open(path) as f:
        doc = json.load(f)
    summary = doc["summary"]
    findings = len(doc.get("findings", []))
else:
    import re
    failures, peak, gone = "?", "-", "-"
    with open(path) as f:
        text = f.read()
    m = re.search(r"^\d+ failed responses?: (\d+) failures?", text, re.M)
    if m:
        failures = m.group(1)
    m = re.search(r"^  memory: +budget [^(]*\(peak ([\d.]+) ([KMG])iB\): (.*(?:\n {16}.*)*)", text, re.M)
    if m:
        scale = {"K": 1 / 1024, "M": 1, "G": 1024}[m.group(2)]
        peak = "%.1f" % (float(m.group(1)) * scale)
        gone = " ".join(m.group(3).split())
    print("? %s ? %s %s" % (failures, peak, gone))
    sys.exit(0)
if summary is None:
    print("? ? ? ? -")
    sys.exit(0)
b = summary["budget"]
gone = ["%s %d" % (k, v) for k, v in b["evicted"].items() if v]
gone += ["refused %s %d" % (k, v) for k, v in b["refused"].items() if v]
print(summary["packets"], findings, b["max_bytes"] >> 20, "%.1f" % (b["peak_bytes"] / 1048576),
      ", ".join(gone) or "-")
EOF
}

run_case () {       # run_case NAME CAPTURE FORMAT
  local name=$1 pcap=$2 fmt=$3 out="$work/$1.$3" rc mib
  local args=(--format "$fmt" -o "$out")
  [ -n "$max_mem" ] && args+=(--max-mem "$max_mem")
  set +e
  /usr/bin/time -f "%e %M" -o "$work/time.txt" "$why401" "${args[@]}" "$pcap" 2> "$work/$name.err"
  rc=$?
  set -e
  read -r secs kib < <(tail -n 1 "$work/time.txt")
  mib=$(( $(stat -c %s "$pcap") >> 20 ))
  read -r packets findings max peak gone < <(summarise "$fmt" "$out")
  if [ "$max" = "?" ]; then
    max=$((max_mem_bytes >> 20))
  fi
  printf '%-18s %6s MiB %9s %9s %4s %7s s %8.1f MiB %5s MiB %7s MiB  %s\n' "$name" "$mib" \
    "$packets" "$findings" "$rc" "$secs" "$(echo "$kib / 1024" | bc -l)" "$max" "$peak" "$gone"
  [ -n "$keep" ] || rm -f "$out"
}

printf '%-18s %10s %9s %9s %4s %9s %12s %9s %11s  %s\n' case capture packets findings exit \
  time "peak RSS" budget "budget peak" "evicted / refused"
for s in $sizes; do
  name=${s%%=*} n=${s#*=}
  pcap=$(capture "$name" "$n")
  run_case "$name" "$pcap" ndjson
  if [ "$name" = failures ]; then
    run_case "$name-json" "$pcap" json
    run_case "$name-text" "$pcap" text
  fi
done
