#!/bin/sh
# run.sh: every libFuzzer target of a fuzz build for SECONDS seconds each
# (make fuzz). Each runs with -jobs=1 on its own copy of the seeds under
# BUILD/corpus/NAME (made by make-seeds.py from pcaps/ and ../shared/corpus:
# nothing is written next to them), its dictionary when tests/fuzz has one.
# Prints one line per target: executions, exec/s, coverage (libFuzzer's cov:
# and ft:) and crashes; a crashing input is kept as BUILD/crashes/NAME-*
# (make it a regression input: tests/fuzz-regressions/README). Exit status
# 1 when any target crashed (or did not run).
#
#   tests/fuzz/run.sh BUILD SECONDS [NAME...]
set -u
build=$1 seconds=$2
shift 2
src=$(cd "$(dirname "$0")/../.." && pwd)
corpus=$build/corpus crashes=$build/crashes logs=$build/fuzz-logs
mkdir -p "$corpus" "$crashes" "$logs"
build=$(cd "$build" && pwd) corpus=$(cd "$corpus" && pwd)
crashes=$(cd "$crashes" && pwd) logs=$(cd "$logs" && pwd)

seed_dirs=$src/pcaps
[ -d "$src/../shared/corpus" ] && seed_dirs="$seed_dirs $src/../shared/corpus"
seeds=$build/seeds
if [ ! -d "$seeds" ]; then
  # shellcheck disable=SC2086
  python3 "$src/tests/fuzz/make-seeds.py" "$seeds.tmp" $seed_dirs && mv "$seeds.tmp" "$seeds" || exit 1
fi

# The largest input worth trying: whole captures for the capture readers,
# a few kilobytes of segments or strings for the rest.
max_len () {
  case $1 in
    pipeline|pcapng) echo 65536 ;;
    ipfrag|keylog) echo 4096 ;;
    tcp|h1|h2|tls) echo 1024 ;;
    *) echo 2048 ;;
  esac
}

# Which dictionary of tests/fuzz a target uses (none: no file).
dict () {
  case $1 in
    tcp|h1|challenge|credential|digest|cookie|message|pipeline) echo http.dict ;;
    pcapng) echo pcapng.dict ;;
    h2) echo h2.dict ;;
    report|jsonw) echo report.dict ;;
    *) echo none ;;
  esac
}

targets=$*
if [ -z "$targets" ]; then
  for bin in "$build"/tests/fuzz-*; do
    [ -f "$bin" ] && [ -x "$bin" ] && targets="$targets ${bin##*/fuzz-}"
  done
fi
[ -n "$targets" ] || { echo "no fuzz targets in $build/tests (meson setup -Dfuzz=true with clang)" >&2; exit 1; }

status=0
printf '%-12s %10s %8s %7s %8s %7s\n' target runs exec/s cov ft crashes
for t in $targets; do
  bin=$build/tests/fuzz-$t
  mkdir -p "$corpus/$t"
  [ -d "$seeds/$t" ] && cp -n "$seeds/$t"/* "$corpus/$t/" 2>/dev/null
  d=$src/tests/fuzz/$(dict "$t")
  set -- -max_total_time="$seconds" -jobs=1 -entropic=0 -timeout=10 -rss_limit_mb=1024 \
    -max_len="$(max_len "$t")" -artifact_prefix="$crashes/$t-" -print_final_stats=1
  [ -f "$d" ] && set -- "$@" -dict="$d"
  before=$(ls "$crashes" | grep -c "^$t-")
  # -jobs writes fuzz-0.log into the working directory: keep it in $logs.
  (cd "$logs" && rm -f fuzz-0.log &&
   UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ASAN_OPTIONS=quarantine_size_mb=16 \
     "$bin" "$@" "$corpus/$t" > "$logs/$t.out" 2>&1; mv -f fuzz-0.log "$logs/$t.log" 2>/dev/null)
  log=$logs/$t.log
  [ -f "$log" ] || log=$logs/$t.out
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  ft=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | cut -d' ' -f2)
  found=$(( $(ls "$crashes" | grep -c "^$t-") - before ))
  if [ -z "$runs" ] || [ "$found" -gt 0 ]; then
    status=1
  fi
  printf '%-12s %10s %8s %7s %8s %7s\n' "$t" "${runs:-?}" "${rate:-?}" "${cov:-?}" "${ft:-?}" "$found"
done
[ $status -eq 0 ] || echo "crashes kept in $crashes, logs in $logs" >&2
exit $status
