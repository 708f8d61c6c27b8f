#!/usr/bin/env bash
# Publishes the sample operator with NativeAOT and fails on any trim/AOT warning (IL2xxx/IL3xxx).
# Usage: tests/Drover.ControllerRuntime.AotSample/check-aot.sh [output-dir]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:-$(mktemp -d)}"
log="$out/publish.log"
mkdir -p "$out"
dotnet publish "$here" -c Release -r linux-x64 -p:PublishAot=true -o "$out/bin" 2>&1 | tee "$log"
warnings=$(grep -cE "warning (IL[0-9]+|CS[0-9]+)" "$log" || true)
size=$(stat -c %s "$out/bin/Drover.ControllerRuntime.AotSample")
echo "AOT publish: $warnings trim/AOT warnings, binary $size bytes"
test "$warnings" -eq 0
