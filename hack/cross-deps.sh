#!/usr/bin/env bash
# Installs what `make publish` needs on a Debian/Ubuntu x64 machine to NativeAOT-compile drover for
# linux-x64 and cross-compile it for linux-arm64, and to smoke-run the arm64 binary under emulation.
#   clang                      the NativeAOT linker driver
#   gcc-aarch64-linux-gnu      arm64 crt files, libgcc and (through libc6-dev-arm64-cross) an arm64 glibc
#                              sysroot in /usr/aarch64-linux-gnu that clang finds by itself
#   binutils-aarch64-linux-gnu the arm64 linker clang calls
#   qemu-user-static           runs the arm64 binary here (qemu-aarch64-static -L /usr/aarch64-linux-gnu)
# The build needs no dpkg multiarch. hack/image.sh does: it downloads libc6:arm64 and libssl3:arm64 (never
# installs them) to make an arm64 base image, so the arm64 architecture is added to apt's lists here.
# Idempotent; needs root (or sudo).
set -euo pipefail

packages=(gcc-aarch64-linux-gnu binutils-aarch64-linux-gnu qemu-user-static)
if ! compgen -c clang | grep -qE '^clang(-[0-9]+)?$'; then
  packages+=(clang)
fi

sudo=""
if [[ $(id -u) -ne 0 ]]; then sudo="sudo"; fi

update=0
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
  $sudo dpkg --add-architecture arm64
  update=1
fi

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [[ ${#missing[@]} -eq 0 && $update -eq 0 ]]; then
  exit 0
fi

$sudo apt-get update -qq
if [[ ${#missing[@]} -gt 0 ]]; then
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
