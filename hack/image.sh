#!/usr/bin/env bash
# Builds the operator image for linux/amd64 and linux/arm64 from the binaries `make publish` left in
# artifacts/publish, and reports the image sizes.
#
#   hack/image.sh                 IMAGE=drover VERSION=0.1.0 by default
#
# With docker buildx: one multi-platform build on BASE_IMAGE (default: the Dockerfile's chiseled
# runtime-deps). Without it: podman (or buildah) builds each architecture and joins them in a manifest
# list. When LOCAL_BASE=1, or when the default base cannot be pulled, the base is made here from Debian
# packages (glibc, OpenSSL 3, CA certificates, a passwd entry for 65532) so no registry is needed.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

image=${IMAGE:-drover}
version=${VERSION:-0.1.0}
revision=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
created=$(date -u +%Y-%m-%dT%H:%M:%SZ)
arches=(amd64 arm64)
declare -A rid=([amd64]=linux-x64 [arm64]=linux-arm64)
declare -A debian_triplet=([amd64]=x86_64-linux-gnu [arm64]=aarch64-linux-gnu)

for arch in "${arches[@]}"; do
  for binary in drover drover-gateway; do
    if [[ ! -x "artifacts/publish/${rid[$arch]}/$binary" ]]; then
      echo "image: artifacts/publish/${rid[$arch]}/$binary is missing; run make publish first" >&2
      exit 1
    fi
  done
done

build_args=(--build-arg "VERSION=$version" --build-arg "REVISION=$revision" --build-arg "CREATED=$created")

# A FROM-scratch base from Debian packages: what the AOT binary links (libc, libm) or loads at run time
# (libssl/libcrypto for TLS to the API server), the CA bundle, and a non-root user.
make_local_base() {
  local arch=$1 tool=$2
  local tag="localhost/drover-base:bookworm-$arch"
  local work
  work=$(mktemp -d)
  chmod 0755 "$work" # apt's download user must be able to write there
  mkdir -p "$work/debs" "$work/rootfs"
  (cd "$work/debs" && apt-get download -qq -o APT::Sandbox::User=root "libc6:$arch" "libssl3:$arch" >/dev/null) || {
    echo "image: cannot download libc6:$arch/libssl3:$arch (for arm64 run: dpkg --add-architecture arm64 && apt-get update)" >&2
    rm -rf "$work"; return 1
  }
  for deb in "$work"/debs/*.deb; do dpkg-deb -x "$deb" "$work/rootfs"; done
  local fs="$work/rootfs"
  # Only the shared objects and the loader; no docs, locales, gconv or helper binaries.
  rm -rf "$fs/usr/share" "$fs/usr/bin" "$fs/usr/sbin" "$fs/sbin" "$fs/usr/libexec" "$fs/etc/ld.so.conf.d" \
    "$fs/usr/lib/${debian_triplet[$arch]}/gconv" "$fs/usr/lib/${debian_triplet[$arch]}/engines-3" \
    "$fs/usr/lib/${debian_triplet[$arch]}/ossl-modules"
  mkdir -p "$fs/etc/ssl/certs" "$fs/tmp" "$fs/app" "$fs/home/nonroot"
  chmod 1777 "$fs/tmp"
  cp /etc/ssl/certs/ca-certificates.crt "$fs/etc/ssl/certs/ca-certificates.crt"
  printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' >"$fs/etc/passwd"
  printf 'root:x:0:\nnonroot:x:65532:\n' >"$fs/etc/group"
  chown 65532:65532 "$fs/home/nonroot"
  tar --numeric-owner -C "$fs" -cf "$work/rootfs.tar" .
  "$tool" import -q --arch "$arch" --os linux "$work/rootfs.tar" "$tag" >/dev/null
  rm -rf "$work"
  echo "$tag"
}

human() { numfmt --to=iec --suffix=B "$1" 2>/dev/null || echo "$1 bytes"; }

if command -v docker >/dev/null && docker buildx version >/dev/null 2>&1; then
  platforms=$(printf 'linux/%s,' "${arches[@]}")
  docker buildx build --platform "${platforms%,}" "${build_args[@]}" \
    ${BASE_IMAGE:+--build-arg "BASE_IMAGE=$BASE_IMAGE"} -t "$image:$version" ${PUSH:+--push} .
  docker buildx imagetools inspect "$image:$version" 2>/dev/null || true
  exit 0
fi

tool=""
for candidate in podman buildah; do
  if command -v "$candidate" >/dev/null; then tool=$candidate; break; fi
done
if [[ -z "$tool" ]]; then
  echo "image: need docker buildx, podman or buildah (apt-get install podman)" >&2
  exit 1
fi

"$tool" manifest rm "$image:$version" >/dev/null 2>&1 || true
"$tool" manifest create "$image:$version" >/dev/null
for arch in "${arches[@]}"; do
  base=${BASE_IMAGE:-}
  if [[ -z "$base" && "${LOCAL_BASE:-0}" != 1 ]]; then
    default_base=$(sed -n 's/^ARG BASE_IMAGE=//p' Dockerfile)
    if "$tool" pull -q --arch "$arch" "$default_base" >/dev/null 2>&1; then base=$default_base; fi
  fi
  if [[ -z "$base" ]]; then
    base=$(make_local_base "$arch" "$tool")
  fi
  tag="$image:$version-$arch"
  echo "image: building $tag on $base"
  if [[ $tool == podman ]]; then
    podman build --platform "linux/$arch" --build-arg "BASE_IMAGE=$base" "${build_args[@]}" -t "$tag" . >/dev/null
  else
    buildah bud --platform "linux/$arch" --build-arg "BASE_IMAGE=$base" "${build_args[@]}" -t "$tag" . >/dev/null
  fi
  "$tool" manifest add "$image:$version" "containers-storage:localhost/$tag" >/dev/null
  size=$("$tool" image inspect --format '{{.Size}}' "$tag")
  # Smoke-run: the binary starts on its base as the non-root user. Low ulimits because nested container
  # runtimes may not raise them; a foreign architecture needs qemu registered with binfmt_misc.
  host_arch=$(dpkg --print-architecture 2>/dev/null || echo amd64)
  if [[ $tool == podman && ( $arch == "$host_arch" || -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ) ]]; then
    echo "image: $tag says: $(podman run --rm --network none --platform "linux/$arch" \
      --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 "$tag" version)"
  else
    echo "image: $tag not smoke-run (no way to run $arch here)"
  fi
  echo "image: $tag $(human "$size") ($("$tool" image inspect --format '{{.Architecture}} user={{.Config.User}} entrypoint={{.Config.Entrypoint}}' "$tag"))"
done
echo "image: manifest list $image:$version ($("$tool" manifest inspect "$image:$version" | grep -c '"architecture"') platforms)"
