#!/usr/bin/env bash
# make bench: builds what the benchmark runs — the dev cluster and the JIT operator (Release, framework-dependent) and
# the harness — makes sure the NativeAOT operator exists (hack/publish.sh linux-x64 when it does not), then runs the
# harness. Arguments go to the harness (--fleets 100,1000 --builds aot ...; --help lists them). Results:
# bench/results/latest.json and latest.md; the logs of every process under bench/results/logs.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
dotnet=${DOTNET:-dotnet}
# Intermediates apart from everyone else's obj/ (a plain Release build shares src/*/obj/Release).
build_root=artifacts/obj/bench

# wants_build aot|jit ARGS...: whether --builds in ARGS (default aot,jit) names it.
wants_build() {
  local want=$1 builds="aot,jit" next=""
  shift
  for arg in "$@"; do
    if [[ -n "$next" ]]; then builds=$arg; next=""; fi
    case "$arg" in --builds) next=1 ;; --builds=*) builds=${arg#--builds=} ;; esac
  done
  [[ ",$builds," == *",$want,"* ]]
}

build_args=(-c Release -v quiet -nologo --artifacts-path "$build_root")
echo "bench: building the dev cluster, the JIT operator and the harness (Release)" >&2
"$dotnet" publish src/Drover.DevCluster "${build_args[@]}" -o artifacts/bench/devcluster >&2
"$dotnet" build bench/Drover.Bench "${build_args[@]}" >&2

args=("$@")
if wants_build jit "${args[@]}"; then
  "$dotnet" publish src/Drover.Operator "${build_args[@]}" -p:PublishAot=false -o artifacts/bench/jit >&2
fi

aot=artifacts/publish/linux-x64/drover
if wants_build aot "${args[@]}" && [[ ! -x "$aot" ]]; then
  if pgrep -f "publish src/Drover.Operator -c Release -r linux-x64" >/dev/null; then
    echo "bench: a NativeAOT publish for linux-x64 is under way; waiting for $aot" >&2
    while pgrep -f "publish src/Drover.Operator -c Release -r linux-x64" >/dev/null; do sleep 5; done
  fi
  [[ -x "$aot" ]] || bash hack/publish.sh linux-x64 >&2
fi
if wants_build aot "${args[@]}"; then
  echo "bench: NativeAOT operator $aot from $(date -u -r "$aot" '+%Y-%m-%d %H:%M UTC') (make publish rebuilds it)" >&2
fi

exec "$dotnet" "$build_root/bin/Drover.Bench/release/Drover.Bench.dll" "${args[@]}"
