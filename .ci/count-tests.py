"""Counts test cases from meson's testlog.json files: TAP tests by their ok/not
ok lines, other tests by their result. A log that is missing counts as one
failure. Prints 'N passed, N failed, N skipped'."""
import json
import re
import sys

TAP = re.compile(r"^(not ok|ok)\b(.*)$")


def main(paths):
    passed = failed = skipped = 0
    lines = []
    for path in paths:
        try:
            lines += open(path, encoding="utf-8", errors="replace").read().splitlines()
        except OSError:
            failed += 1  # a build whose tests never ran
    for line in lines:
        try:
            t = json.loads(line)
        except ValueError:
            continue
        out = t.get("stdout") or ""
        cases = [TAP.match(l.strip()) for l in out.splitlines()]
        cases = [m for m in cases if m]
        if cases:
            for m in cases:
                if "# SKIP" in m.group(2).upper() or "# TODO" in m.group(2).upper():
                    skipped += 1
                elif m.group(1) == "ok":
                    passed += 1
                else:
                    failed += 1
            # a TAP test that crashed after its last ok line still failed
            if t.get("result") in ("FAIL", "ERROR", "TIMEOUT") and \
                    not any(m.group(1) == "not ok" for m in cases):
                failed += 1
            continue
        result = t.get("result")
        if result in ("OK", "EXPECTEDFAIL"):
            passed += 1
        elif result == "SKIP":
            skipped += 1
        else:
            failed += 1
    print("%d passed, %d failed, %d skipped" % (passed, failed, skipped))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
