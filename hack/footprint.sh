#!/usr/bin/env bash
# make footprint: the on-disk cost of the operator, NativeAOT versus the JIT build of the same code, as a Markdown
# table — binary (AOT) or self-contained publish folder (JIT), and the amd64 image each makes on the same base — then
# the two NativeAOT binaries side by side, the operator and the model gateway: size on disk and idle RSS, each run
# against an empty dev cluster until ready and then left alone for a few seconds. The operator's startup and loaded
# figures come from `make bench` (bench/results/latest.md).
#
# Needs artifacts/publish/linux-x64/drover and drover-gateway (make publish). Publishes the JIT build (self-contained, so the image
# needs no .NET runtime underneath) into artifacts/publish-jit/linux-x64 when absent. Images are built with podman
# on the base hack/image.sh uses (BASE_IMAGE, default localhost/drover-base:bookworm-amd64); without podman or the
# base, the image column says why it is empty.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

aot=artifacts/publish/linux-x64/drover
gateway=artifacts/publish/linux-x64/drover-gateway
jit=artifacts/publish-jit/linux-x64
base=${BASE_IMAGE:-localhost/drover-base:bookworm-amd64}

for binary in "$aot" "$gateway"; do
  if [[ ! -x "$binary" ]]; then
    echo "footprint: $binary is missing; run make publish RIDS=linux-x64 first" >&2
    exit 1
  fi
done
if [[ ! -x "$jit/drover" ]]; then
  echo "footprint: publishing the JIT build into $jit" >&2
  dotnet publish src/Drover.Operator -c Release -r linux-x64 --self-contained -p:PublishAot=false \
    --artifacts-path artifacts/obj/publish-jit -o "$jit" -v quiet -nologo >&2
fi

mb() { awk -v b="$1" 'BEGIN { printf "%.1f MB", b / 1000000 }'; }

# image_size NAME CONTEXT: builds NAME from CONTEXT (app/ goes to /app, rootfs/ over /) on the base, checks that
# it starts, and prints its size.
image_size() {
  local name=$1 context=$2
  if ! command -v podman >/dev/null; then echo "n/a (no podman)"; return; fi
  if ! podman image exists "$base" 2>/dev/null; then echo "n/a ($base missing: run make image)"; return; fi
  mkdir -p "$context/rootfs"
  podman build -q --platform linux/amd64 -t "$name" -f - "$context" >/dev/null <<CONTAINERFILE
FROM $base
COPY --chown=0:0 rootfs/ /
COPY --chown=0:0 app/ /app/
USER 65532:65532
ENTRYPOINT ["/app/drover"]
CONTAINERFILE
  if ! podman run --rm --network none --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 "$name" version >/dev/null 2>&1; then
    echo "n/a ($name does not start)"; return
  fi
  mb "$(podman image inspect --format '{{.Size}}' "$name")"
}

staging=$(mktemp -d)
trap 'rm -rf "$staging"' EXIT
mkdir -p "$staging/aot/app" "$staging/jit/rootfs" "$staging/debs"
cp "$aot" "$staging/aot/app/drover"
cp -a "$jit" "$staging/jit/app"
# The JIT runtime links the C++ runtime, which the AOT binary does not need; the JIT image carries it.
chmod 0777 "$staging/debs"
if (cd "$staging/debs" && apt-get download -qq -o APT::Sandbox::User=root libstdc++6:amd64 libgcc-s1:amd64 >/dev/null 2>&1); then
  for deb in "$staging"/debs/*.deb; do dpkg-deb -x "$deb" "$staging/jit/rootfs"; done
  rm -rf "$staging/jit/rootfs/usr/share"
fi

aot_bytes=$(stat -c %s "$aot")
jit_bytes=$(du -sb "$jit" | cut -f1)
jit_files=$(find "$jit" -type f | wc -l)
aot_image=$(image_size localhost/drover-footprint:aot "$staging/aot")
jit_image=$(image_size localhost/drover-footprint:jit "$staging/jit")

echo "| Build | On disk | Image (amd64, same base) |"
echo "|---|---:|---:|"
echo "| NativeAOT | $(mb "$aot_bytes") (one file) | $aot_image |"
echo "| JIT, self-contained | $(mb "$jit_bytes") ($jit_files files) | $jit_image (with libstdc++) |"
echo
echo "Base image: $base ($(podman image inspect --format '{{.Size}}' "$base" 2>/dev/null | xargs -r -I{} awk -v b={} 'BEGIN { printf "%.1f MB", b / 1000000 }' || echo unknown))."

# Idle RSS of both binaries, each against its own empty dev cluster with the CRDs installed.
echo
echo "| NativeAOT binary | On disk | Idle RSS (ready, 5 s later) |"
echo "|---|---:|---:|"
dotnet build src/Drover.DevCluster -c Release -v quiet -nologo >&2
bash hack/tools.sh >&2 || true
idle_rss() {
  local name=$1; shift
  local dir; dir=$(mktemp -d)
  dotnet src/Drover.DevCluster/bin/Release/net10.0/Drover.DevCluster.dll --port 0 --kubeconfig "$dir/kubeconfig" >"$dir/cluster.log" 2>&1 &
  local cluster=$!
  for _ in $(seq 300); do [[ -s "$dir/kubeconfig" ]] && break; sleep 0.1; done
  if [[ -x .tools/bin/kubectl ]]; then KUBECONFIG="$dir/kubeconfig" .tools/bin/kubectl apply --server-side -f crds/ >/dev/null 2>&1 || true; fi
  "$@" --kubeconfig "$dir/kubeconfig" --health-address 127.0.0.1:0 --metrics-address 127.0.0.1:0 >"$dir/$name.log" 2>&1 &
  local process=$!
  local ready=""
  for _ in $(seq 300); do
    if grep -qE 'Application started|Now listening' "$dir/$name.log" 2>/dev/null; then ready=yes; break; fi
    kill -0 "$process" 2>/dev/null || break
    sleep 0.1
  done
  sleep 5
  local rss="n/a (did not start: $dir/$name.log)"
  if [[ -n "$ready" ]] && kill -0 "$process" 2>/dev/null; then
    rss=$(awk '/VmRSS/ { printf "%.1f MB", $2 * 1024 / 1000000 }' "/proc/$process/status")
  fi
  kill -TERM "$process" 2>/dev/null; wait "$process" 2>/dev/null || true
  kill -TERM "$cluster" 2>/dev/null; sleep 0.5; kill -KILL "$cluster" 2>/dev/null; wait "$cluster" 2>/dev/null || true
  echo "$rss"
}
operator_rss=$(idle_rss drover "$aot" run)
gateway_rss=$(idle_rss drover-gateway "$gateway" --listen 127.0.0.1:0)
echo "| drover (operator) | $(mb "$(stat -c %s "$aot")") | $operator_rss |"
echo "| drover-gateway | $(mb "$(stat -c %s "$gateway")") | $gateway_rss |"
