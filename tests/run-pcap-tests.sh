#!/bin/bash
# End-to-end tests over the capture corpus, as TAP.
#
#   tests/run-pcap-tests.sh WHY401 PCAPDIR
#
# For every PCAPDIR/*.pcap* that has <name>.expected.ndjson beside it (name =
# the file name without its last extension), run
#     WHY401 --format ndjson <file>
# from inside PCAPDIR (so the "file" field is the bare file name, whatever
# the checkout's path) and compare its standard output with the expected file
# byte for byte; a difference is shown as diff -u on TAP comment lines.
# why401's exit status must be 0 (no failure) or 1 (failures found); anything
# else is a test failure too. A capture without an expected file is reported
# as skipped. Exit 0 only if every compared capture matches.
#
# Expected files are written by tests/regen-expected.sh, reviewed by a person.
set -u

if [ $# -ne 2 ]; then
    echo "usage: $0 WHY401 PCAPDIR" >&2
    exit 2
fi
WHY401=$1
PCAPDIR=$2
case $WHY401 in /*) ;; *) WHY401=$(cd "$(dirname "$WHY401")" && pwd)/$(basename "$WHY401") ;; esac
if [ ! -x "$WHY401" ]; then
    echo "1..0 # SKIP why401 binary not found: $WHY401"
    exit 0
fi
if [ ! -d "$PCAPDIR" ]; then
    echo "Bail out! no capture directory: $PCAPDIR"
    exit 1
fi
export LC_ALL=C TZ=UTC
PER_FILE_TIMEOUT=${WHY401_TEST_TIMEOUT:-120}

TMP=$(mktemp -d /tmp/why401-pcap-tests.XXXXXX)
trap 'rm -rf "$TMP"' EXIT

shopt -s nullglob
files=()
for f in "$PCAPDIR"/*.pcap*; do
    [ -f "$f" ] && files+=("$f")
done
# sorted by name, whatever the locale of the glob
mapfile -t files < <(printf '%s\n' "${files[@]}" | LC_ALL=C sort)
[ ${#files[@]} -gt 0 ] && [ -n "${files[0]}" ] || files=()

echo "1..${#files[@]}"
n=0 passed=0 failed=0 skipped=0
for f in "${files[@]}"; do
    n=$((n + 1))
    base=$(basename "$f")
    name=${base%.*}
    expected="$PCAPDIR/$name.expected.ndjson"
    if [ ! -f "$expected" ]; then
        echo "ok $n - $name # SKIP no expected file"
        skipped=$((skipped + 1))
        continue
    fi
    # a capture's key log beside it (NAME.keys) is read as a user would
    keys=()
    [ -f "$PCAPDIR/$name.keys" ] && keys=(--keylog "$name.keys")
    (cd "$PCAPDIR" && timeout "$PER_FILE_TIMEOUT" "$WHY401" "${keys[@]}" --format ndjson "$base") \
        > "$TMP/out" 2> "$TMP/err"
    rc=$?
    # What the run held at its peak (summary.budget.peak_bytes and
    # peak_by_kind) follows the sizes of the program's own records, not the
    # capture: it is compared as "(varies)", so that a smaller struct does not
    # rewrite every expected file. The rest of the budget account is compared.
    sed -E -i 's/"peak_bytes":[0-9]+/"peak_bytes":"(varies)"/; s/"peak_by_kind":\{[^}]*\}/"peak_by_kind":"(varies)"/' "$TMP/out"
    problem=
    if [ $rc -gt 1 ]; then
        problem="why401 exited with status $rc"
        [ $rc -eq 124 ] && problem="why401 timed out after ${PER_FILE_TIMEOUT}s"
    elif ! cmp -s "$expected" "$TMP/out"; then
        problem="output differs from $name.expected.ndjson"
    fi
    if [ -z "$problem" ]; then
        echo "ok $n - $name"
        passed=$((passed + 1))
    else
        echo "not ok $n - $name"
        failed=$((failed + 1))
        echo "# $problem"
        diff -u --label "$name.expected.ndjson" --label "why401 --format ndjson $base" \
            "$expected" "$TMP/out" | sed 's/^/# /'
        if [ -s "$TMP/err" ]; then
            echo "# stderr:"
            head -n 20 "$TMP/err" | sed 's/^/#   /'
        fi
    fi
done
echo "# $passed passed, $failed failed, $skipped skipped"
[ $failed -eq 0 ]
