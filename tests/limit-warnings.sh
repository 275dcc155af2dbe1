#!/bin/bash
# Every limit that is hit is named on stderr (one line, with its --limit
# name), in summary.warnings, in -q output, and by one `limit` info that
# counts its drops, whichever stage enforces it. The limits no capture in
# pcaps/ reaches at 1 (gap-connections, tls-servers, h2-servers,
# bare-fragments, body-waits, request-credentials: each capture has one
# such connection or server; cookies, cookies-per-host: each cookie capture
# keeps one cookie at a time; proxy-legs: each proxy capture has one request
# to the proxy pending at a time) are covered by correlate's unit tests.
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
    "servers=1 demo.pcapng"
    "principals=1 demo.pcapng"
    "server-principals=1 nginx-basic-wrong-password.pcap"
    "credentials=1 python-apikey-rejected.pcap"
    "risk-groups=1 demo.pcapng"
    "retry-groups=1 tcp-port-reuse.pcap"
    "undecided=1 apache-digest-wrong-password.pcap"
    "date-servers=1 jwt-not-yet-valid-curl.pcap"
    "tls-keys=1 tls-keys-injected.pcapng"
)
echo "1..$(( ${#CASES[@]} * 4 ))"
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
    # the findings limit cannot add a finding past itself: the report's
    # summary.warnings line carries its count instead
    if python3 -c 'import json,re,sys
name, value = sys.argv[2].split("=")
out = json.load(open(sys.argv[1]))
if name == "findings":
    sys.exit(0 if any(re.match(r"[1-9][0-9]* findings beyond the findings limit \(%s\)" % value, w)
                      for w in out["summary"]["warnings"]) else 1)
infos = [f for f in out["findings"]
         if f["cause"] == "limit" and f["summary"].startswith("The %s limit (%s) " % (name, value))]
sys.exit(0 if len(infos) == 1 and infos[0]["count"] >= 1 else 1)' "$TMP/out.json" "$1"; then
        echo "ok $n - --limit $1: one limit info with its count"
    else
        echo "not ok $n - --limit $1: no limit info counting it"
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
