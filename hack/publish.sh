#!/usr/bin/env bash
# NativeAOT-publishes the operator (binary `drover`) for each runtime identifier given (default:
# linux-x64 linux-arm64) into artifacts/publish/<rid>/drover, failing on any build, trim or AOT
# warning. The arm64 binary is smoke-run under qemu when qemu-aarch64-static is present.
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

for rid in "${rids[@]}"; do
  out="artifacts/publish/$rid"
  staging="artifacts/obj/publish/$rid"
  log="artifacts/obj/publish/$rid.log"
  rm -rf "$out" "$staging"
  mkdir -p "$out" "$staging"
  echo "publish: $rid (NativeAOT, $compiler)"
  start=$SECONDS
  # --artifacts-path keeps intermediates apart from everyone else's obj/ (a plain publish shares
  # src/*/obj/Release with any other build of the same configuration running at the same time).
  if ! dotnet publish src/Drover.Operator -c Release -r "$rid" -o "$staging" \
      --artifacts-path "artifacts/obj/publish/build" \
      -p:CppCompilerAndLinker="$compiler" -p:TreatWarningsAsErrors=true >"$log" 2>&1; then
    cat "$log" >&2
    echo "publish: $rid failed (log: $log)" >&2
    exit 1
  fi
  if grep -iE '(^|[^a-z])warning([^a-z]|$)' "$log" >&2; then
    echo "publish: $rid produced warnings (log: $log)" >&2
    exit 1
  fi
  install -m 0755 "$staging/drover" "$out/drover"
  if [[ -f "$staging/drover.dbg" ]]; then cp "$staging/drover.dbg" "$out/drover.dbg"; fi
  echo "publish: $out/drover $(stat -c %s "$out/drover") bytes ($(file -b "$out/drover" | cut -d, -f1-2)), $((SECONDS - start)) s"

  case "$rid" in
    linux-x64)
      if [[ $(uname -m) == x86_64 ]]; then "$out/drover" version; fi ;;
    linux-arm64)
      if [[ $(uname -m) == aarch64 ]]; then
        "$out/drover" version
      elif command -v qemu-aarch64-static >/dev/null; then
        # The loader and libc must come from the same sysroot: a multiarch libc6:arm64 under /lib would
        # otherwise be mixed with the cross loader, and that mix hangs at start.
        timeout 120 qemu-aarch64-static -L /usr/aarch64-linux-gnu -E LD_LIBRARY_PATH=/usr/aarch64-linux-gnu/lib \
          "$out/drover" version
      else
        echo "publish: qemu-aarch64-static not installed; arm64 binary not smoke-run" >&2
      fi ;;
  esac
done
