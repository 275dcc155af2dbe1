#!/bin/bash
# (Re)write every pcaps/<name>.expected.ndjson from the current why401 binary.
#
#   tests/regen-expected.sh WHY401 [PCAPDIR]      (PCAPDIR defaults to pcaps/)
#
# For a person to run after a deliberate change, then review with `git diff
# pcaps/` before committing: the expected files are the contract the
# end-to-end tests (tests/run-pcap-tests.sh) hold the binary to. Never run
# this from a test. It runs why401 exactly as run-pcap-tests.sh does (from
# inside PCAPDIR, on the bare file name, LC_ALL=C, TZ=UTC).
set -u

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
    echo "usage: $0 WHY401 [PCAPDIR]" >&2
    exit 2
fi
WHY401=$1
PCAPDIR=${2:-$(cd "$(dirname "$0")/.." && pwd)/pcaps}
case $WHY401 in /*) ;; *) WHY401=$(cd "$(dirname "$WHY401")" && pwd)/$(basename "$WHY401") ;; esac
[ -x "$WHY401" ] || { echo "$0: not an executable: $WHY401" >&2; exit 2; }
[ -d "$PCAPDIR" ] || { echo "$0: no directory: $PCAPDIR" >&2; exit 2; }
export LC_ALL=C TZ=UTC

status=0
shopt -s nullglob
for f in "$PCAPDIR"/*.pcap*; do
    [ -f "$f" ] || continue
    base=$(basename "$f")
    name=${base%.*}
    expected="$PCAPDIR/$name.expected.ndjson"
    # a capture's key log beside it (NAME.keys) is read as a user would
    keys=()
    [ -f "$PCAPDIR/$name.keys" ] && keys=(--keylog "$name.keys")
    (cd "$PCAPDIR" && timeout 120 "$WHY401" "${keys[@]}" --format ndjson "$base") \
        > "$expected.tmp" 2> "$expected.err"
    rc=$?
    # What the run held at its peak (summary.budget.peak_bytes and
    # peak_by_kind) follows the sizes of the program's own records, not the
    # capture: it is compared as "(varies)", so that a smaller struct does not
    # rewrite every expected file. The rest of the budget account is compared.
    sed -E -i 's/"peak_bytes":[0-9]+/"peak_bytes":"(varies)"/; s/"peak_by_kind":\{[^}]*\}/"peak_by_kind":"(varies)"/' "$expected.tmp"
    if [ $rc -gt 1 ]; then
        echo "$name: why401 exited with status $rc; $name.expected.ndjson left unchanged:" >&2
        head -n 20 "$expected.err" >&2
        rm -f "$expected.tmp" "$expected.err"
        status=1
        continue
    fi
    if [ -s "$expected.err" ]; then
        echo "$name: why401 said on stderr:" >&2
        sed 's/^/  /' "$expected.err" >&2
    fi
    mv "$expected.tmp" "$expected"
    rm -f "$expected.err"
    echo "$name: $(grep -c '"type": *"finding"' "$expected") findings"
done
echo "review with: git diff -- '$PCAPDIR/*.expected.ndjson'" >&2
exit $status
