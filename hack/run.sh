#!/usr/bin/env bash
# `make run`: runs the operator. With no cluster configured (no KUBECONFIG, no ~/.kube/config) it first
# starts the embedded dev cluster with the simulated kubelet, installs crds/ and applies config/samples/.
# Extra arguments go to `drover run` (e.g. --exit-when-ready). Ctrl-C stops everything.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

pids=()
stop() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap stop EXIT
trap 'exit 130' INT TERM

dotnet build src/Drover.Operator -v quiet -nologo

if [[ -z "${KUBECONFIG:-}" && ! -f "$HOME/.kube/config" ]]; then
  bash hack/tools.sh >/dev/null
  kubectl="$root/.tools/bin/kubectl"
  dotnet build src/Drover.DevCluster -v quiet -nologo
  mkdir -p .kube
  kubeconfig="$root/.kube/dev-cluster.kubeconfig"
  rm -f "$kubeconfig"
  port=${DEV_CLUSTER_PORT:-6443}
  echo "run: no cluster configured; starting the dev cluster on 127.0.0.1:$port (log: .kube/dev-cluster.log)"
  dotnet run --no-build --project src/Drover.DevCluster -- --port "$port" --simulate-kubelet --kubeconfig "$kubeconfig" \
    >.kube/dev-cluster.log 2>&1 &
  pids+=($!)
  deadline=$((SECONDS + 60))
  until [[ -f "$kubeconfig" ]] && "$kubectl" --kubeconfig "$kubeconfig" get --raw /readyz >/dev/null 2>&1; do
    if (( SECONDS > deadline )) || ! kill -0 "${pids[0]}" 2>/dev/null; then
      echo "run: the dev cluster did not come up; its log:" >&2; cat .kube/dev-cluster.log >&2; exit 1
    fi
    sleep 0.2
  done
  export KUBECONFIG="$kubeconfig"
  "$kubectl" apply -f crds/
  "$kubectl" wait --for condition=established --timeout=30s crd --all >/dev/null
  "$kubectl" apply -k config/samples/
else
  kubectl=$(command -v kubectl || echo "$root/.tools/bin/kubectl")
fi

show() {
  "$kubectl" get modelproviders,agents,schedules -A 2>/dev/null || true
  "$kubectl" get deployments,cronjobs,services,networkpolicies -A -l app.kubernetes.io/managed-by=drover 2>/dev/null || true
}

echo "run: starting the operator (drover run $*)"
dotnet run --no-build --project src/Drover.Operator -- run --log-format text \
  --metrics-address 127.0.0.1:8080 --health-address 127.0.0.1:8081 "$@" &
operator=$!
pids+=("$operator")

# Show the resources once the operator reports ready, then keep reconciling until Ctrl-C
# (or until the operator exits, as it does with --exit-when-ready).
deadline=$((SECONDS + 120))
until curl -fsS http://127.0.0.1:8081/readyz >/dev/null 2>&1 || ! kill -0 "$operator" 2>/dev/null || (( SECONDS > deadline )); do
  sleep 0.5
done
rc=0
if [[ " $* " == *" --exit-when-ready "* ]]; then
  wait "$operator" || rc=$?
  show
  exit "$rc"
fi
show
wait "$operator" || rc=$?
exit "$rc"
