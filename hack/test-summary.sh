#!/usr/bin/env bash
# Sums the TRX results of every test project into one closing line:
#   N passed, N failed, N skipped
# and lists failed and skipped tests with their reasons, so a skip is never mistaken for a pass.
set -euo pipefail
dir=${1:?usage: test-summary.sh <results-dir>}
shopt -s nullglob
files=("$dir"/*.trx)
passed=0 failed=0 skipped=0
for f in "${files[@]}"; do
  counters=$(grep -o '<Counters [^>]*' "$f" | head -n 1)
  get() { sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p" <<<"$counters"; }
  total=$(get total); executed=$(get executed); p=$(get passed); fl=$(get failed); err=$(get error); to=$(get timeout); ab=$(get aborted)
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${fl:-0} + ${err:-0} + ${to:-0} + ${ab:-0}))
  skipped=$((skipped + ${total:-0} - ${executed:-0}))
done
if (( ${#files[@]} > 0 )); then
  # Name every skipped and failed test; skipped ones carry their reason in the TRX output.
  python3 - "${files[@]}" <<'PY' || true
import sys, xml.etree.ElementTree as ET
ns = {"t": "http://microsoft.com/schemas/VisualStudio/TeamTest/2010"}
for path in sys.argv[1:]:
    root = ET.parse(path).getroot()
    for r in root.iterfind(".//t:UnitTestResult", ns):
        outcome = r.get("outcome")
        if outcome in ("Passed",):
            continue
        msg = r.find(".//t:Output/t:ErrorInfo/t:Message", ns)
        text = (msg.text or "").strip().splitlines()[0] if msg is not None and msg.text else ""
        if outcome == "NotExecuted":
            print(f"  skipped: {r.get('testName')} -- {text}")
        else:
            print(f"  {outcome.lower()}: {r.get('testName')} -- {text}")
PY
fi
echo "${passed} passed, ${failed} failed, ${skipped} skipped"
