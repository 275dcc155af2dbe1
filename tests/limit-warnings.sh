#!/bin/bash
# Every limit that is hit is named on stderr (one line, with its --limit
# name), in summary.warnings, and in -q output, whichever stage enforces it.
#
#   tests/limit-warnings.sh WHY401 PCAPDIR
set -u

WHY401=$1
PCAPDIR=$2
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

# limit=value, capture that hits it
CASES=(
    "clients=1 demo.pcapng"
    "exchanges=1 demo.pcapng"
    "findings=1 demo.pcapng"
    "header-bytes=100 demo.pcapng"
    "pending-requests=1 tcp-pipelined.pcap"
    "auth-header-bytes=10 demo.pcapng"
    "flows=1 demo.pcapng"
)
echo "1..$(( ${#CASES[@]} * 3 ))"
n=0
for c in "${CASES[@]}"; do
    set -- $c
    name=${1%%=*}
    pcap=$PCAPDIR/$2
    want="limit $name reached"
    "$WHY401" --limit "$1" --format json "$pcap" >"$TMP/out.json" 2>"$TMP/err"
    lines=$(grep -c -F -- "--limit $name=N" "$TMP/err")
    n=$((n + 1))
    if [ "$lines" = 1 ] && grep -q -F "$want" "$TMP/err"; then
        echo "ok $n - --limit $1: one stderr line"
    else
        echo "not ok $n - --limit $1: $lines stderr lines naming it"
        sed 's/^/# /' "$TMP/err"
    fi
    n=$((n + 1))
    if python3 -c 'import json,sys
w = json.load(open(sys.argv[1]))["summary"]["warnings"]
sys.exit(0 if any(("--limit %s=N" % sys.argv[2]) in x for x in w) else 1)' "$TMP/out.json" "$name"; then
        echo "ok $n - --limit $1: in summary.warnings"
    else
        echo "not ok $n - --limit $1: not in summary.warnings"
    fi
    n=$((n + 1))
    "$WHY401" -q --limit "$1" "$pcap" >"$TMP/quiet" 2>/dev/null
    if tr '\n' ' ' <"$TMP/quiet" | tr -s ' ' | grep -q -F -- "--limit $name=N"; then
        echo "ok $n - --limit $1: in -q output"
    else
        echo "not ok $n - --limit $1: not in -q output"
        sed 's/^/# /' "$TMP/quiet"
    fi
done
