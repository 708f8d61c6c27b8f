#!/usr/bin/env bash
# make bench-gateway: builds what the gateway benchmark runs — the dev cluster and the harness (Release) — makes sure
# the NativeAOT drover-gateway exists (hack/publish.sh linux-x64 when it does not) and that the Portkey gateway is
# installed (npm, into .tools/portkey), then runs the harness. Arguments go to the harness (--rates 100,1000
# --duration 5s ...; --help lists them). Results: bench/results/gateway.json and gateway.md; the logs of every
# process under bench/results/logs/gateway.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
dotnet=${DOTNET:-dotnet}
node=${NODE:-node}
portkey_version=1.15.2
portkey_dir=.tools/portkey
# Intermediates apart from everyone else's obj/ (a plain Release build shares src/*/obj/Release).
build_root=artifacts/obj/bench
harness="$build_root/bin/Drover.GatewayBench/release/Drover.GatewayBench.dll"
build_args=(-c Release -v quiet -nologo --artifacts-path "$build_root")

for arg in "$@"; do
  if [[ "$arg" == "-h" || "$arg" == "--help" ]]; then
    "$dotnet" build bench/Drover.GatewayBench "${build_args[@]}" >&2
    exec "$dotnet" "$harness" --help
  fi
done

echo "bench-gateway: building the dev cluster and the harness (Release)" >&2
"$dotnet" publish src/Drover.DevCluster "${build_args[@]}" -o artifacts/bench/devcluster >&2
"$dotnet" build bench/Drover.GatewayBench "${build_args[@]}" >&2

gateway=artifacts/publish/linux-x64/drover-gateway
if [[ ! -x "$gateway" ]]; then
  if pgrep -f "publish src/Drover.Gateway -c Release -r linux-x64" >/dev/null; then
    echo "bench-gateway: a NativeAOT publish for linux-x64 is under way; waiting for $gateway" >&2
    while pgrep -f "publish src/Drover.Gateway -c Release -r linux-x64" >/dev/null; do sleep 5; done
  fi
  [[ -x "$gateway" ]] || bash hack/publish.sh linux-x64 >&2
fi
echo "bench-gateway: NativeAOT gateway $gateway from $(date -u -r "$gateway" '+%Y-%m-%d %H:%M UTC') (make publish rebuilds it)" >&2

# Portkey, pinned, in a directory of its own (git-ignored). Its dependency range lets npm pick an @hono/node-server
# (1.14.2 and later) whose Response keeps fetch's immutable headers, and then every streamed answer fails with 500
# "TypeError: immutable" (Portkey-AI/gateway issues 1389 and 1550); 1.14.1 is the newest that streams. Its install
# script (patch-package) has no patches to apply in the published package, so scripts are not run.
hono_version=1.14.1
versions() {
  (cd "$portkey_dir" 2>/dev/null && "$node" -p "require('./node_modules/@portkey-ai/gateway/package.json').version + ' ' + require('./node_modules/@hono/node-server/package.json').version" 2>/dev/null) || true
}
if [[ "$(versions)" != "$portkey_version $hono_version" ]]; then
  if ! command -v npm >/dev/null; then
    echo "bench-gateway: npm is needed to install @portkey-ai/gateway@$portkey_version (Node.js 18 or newer)" >&2
    exit 1
  fi
  echo "bench-gateway: installing @portkey-ai/gateway@$portkey_version (with @hono/node-server@$hono_version) into $portkey_dir" >&2
  rm -rf "$portkey_dir"
  mkdir -p "$portkey_dir"
  printf '{"private": true, "overrides": {"@hono/node-server": "%s"}}\n' "$hono_version" >"$portkey_dir/package.json"
  npm install --prefix "$portkey_dir" --no-audit --no-fund --ignore-scripts --save-exact --omit=dev \
    "@portkey-ai/gateway@$portkey_version" >&2
fi

exec "$dotnet" "$harness" --node "$node" "$@"
