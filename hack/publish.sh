#!/usr/bin/env bash
# NativeAOT-publishes the operator (binary `drover`) and the model gateway (binary `drover-gateway`) for
# each runtime identifier given (default: linux-x64 linux-arm64) into artifacts/publish/<rid>/, failing
# on any build, trim or AOT warning. Each is published on its own, so neither binary carries the other's
# code. The arm64 binaries are smoke-run under qemu when qemu-aarch64-static is present.
# Cross-compiling needs hack/cross-deps.sh.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
rids=("$@")
if [[ ${#rids[@]} -eq 0 ]]; then rids=(linux-x64 linux-arm64); fi

# The ILCompiler calls `clang`; Debian often ships only a versioned clang-NN.
compiler=$(compgen -c clang | grep -E '^clang(-[0-9]+)?$' | sort -t- -k2 -n | tail -n 1 || true)
if [[ -z "$compiler" ]]; then
  echo "publish: no clang found; run hack/cross-deps.sh" >&2
  exit 1
fi

# publish_one RID PROJECT BINARY: publishes one executable into artifacts/publish/RID/BINARY and smoke-runs it.
publish_one() {
  local rid=$1 project=$2 binary=$3
  local out="artifacts/publish/$rid"
  local staging="artifacts/obj/publish/$rid/$binary"
  local log="artifacts/obj/publish/$rid-$binary.log"
  rm -rf "$staging"
  mkdir -p "$out" "$staging"
  echo "publish: $rid $binary (NativeAOT, $compiler)"
  local start=$SECONDS
  # --artifacts-path keeps intermediates apart from everyone else's obj/ (a plain publish shares
  # src/*/obj/Release with any other build of the same configuration running at the same time).
  if ! dotnet publish "$project" -c Release -r "$rid" -o "$staging" \
      --artifacts-path "artifacts/obj/publish/build" \
      -p:CppCompilerAndLinker="$compiler" -p:TreatWarningsAsErrors=true >"$log" 2>&1; then
    cat "$log" >&2
    echo "publish: $rid $binary failed (log: $log)" >&2
    exit 1
  fi
  if grep -iE '(^|[^a-z])warning([^a-z]|$)' "$log" >&2; then
    echo "publish: $rid $binary produced warnings (log: $log)" >&2
    exit 1
  fi
  install -m 0755 "$staging/$binary" "$out/$binary"
  if [[ -f "$staging/$binary.dbg" ]]; then cp "$staging/$binary.dbg" "$out/$binary.dbg"; fi
  echo "publish: $out/$binary $(stat -c %s "$out/$binary") bytes ($(file -b "$out/$binary" | cut -d, -f1-2)), $((SECONDS - start)) s"

  case "$rid" in
    linux-x64)
      if [[ $(uname -m) == x86_64 ]]; then "$out/$binary" version; fi ;;
    linux-arm64)
      if [[ $(uname -m) == aarch64 ]]; then
        "$out/$binary" version
      elif command -v qemu-aarch64-static >/dev/null; then
        # The loader and libc must come from the same sysroot: a multiarch libc6:arm64 under /lib would
        # otherwise be mixed with the cross loader, and that mix hangs at start.
        timeout 120 qemu-aarch64-static -L /usr/aarch64-linux-gnu -E LD_LIBRARY_PATH=/usr/aarch64-linux-gnu/lib \
          "$out/$binary" version
      else
        echo "publish: qemu-aarch64-static not installed; arm64 binary not smoke-run" >&2
      fi ;;
  esac
}

for rid in "${rids[@]}"; do
  rm -rf "artifacts/publish/$rid"
  publish_one "$rid" src/Drover.Operator drover
  publish_one "$rid" src/Drover.Gateway drover-gateway
done
