#!/usr/bin/env bash
# make run: runs Drover against the configured cluster, or, when none is configured (no KUBECONFIG and no
# ~/.kube/config), against the embedded dev cluster with the simulated kubelet: CRDs installed, config/samples
# applied, then the operator. Arguments go to `drover run` (e.g. --exit-when-ready). Ctrl-C or SIGTERM stops
# everything and exits 0.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
dotnet=${DOTNET:-dotnet}
configuration=${CONFIGURATION:-Debug}
kubectl="$root/.tools/bin/kubectl"

# Whether something accepts connections at a kubeconfig's server URL (http[s]://host:port).
answers() {
  local authority=${1#*://}
  authority=${authority%%/*}
  local host=${authority%:*} port=${authority##*:}
  [[ -n "$host" && "$port" =~ ^[0-9]+$ ]] && timeout 2 bash -c "exec 3<>/dev/tcp/${host#[}/$port" 2>/dev/null
}

# A shell that still exports the KUBECONFIG of an earlier make run names a dev cluster that stopped with it (every
# kubeconfig a dev cluster writes has the context drover-dev). Start a fresh one instead of running against a closed port.
if [[ -n "${KUBECONFIG:-}" ]]; then
  first=${KUBECONFIG%%:*}
  if [[ "$first" == "$root/.kube/dev-cluster.kubeconfig" ]] || grep -qs '^current-context: drover-dev$' "$first"; then
    server=$(grep -s -m1 'server:' "$first" | awk '{print $2}' || true)
    if ! answers "${server:-}"; then
      echo "make run: KUBECONFIG=$KUBECONFIG names a dev cluster that is no longer running (${server:-no server}), left from an earlier make run; starting a fresh one" >&2
      unset KUBECONFIG
    fi
  fi
fi

echo "make run: building the operator" >&2
"$dotnet" build src/Drover.Operator -c "$configuration" -v quiet -nologo >&2
drover=("$dotnet" "src/Drover.Operator/bin/$configuration/net10.0/drover.dll")

if [[ -n "${KUBECONFIG:-}" || -f "$HOME/.kube/config" ]]; then
  echo "make run: using the configured cluster (${KUBECONFIG:-$HOME/.kube/config})" >&2
  exec "${drover[@]}" run "$@"
fi

bash hack/tools.sh >&2 || { echo "make run: kubectl is needed to install the CRDs and samples (hack/tools.sh failed)" >&2; exit 1; }
"$dotnet" build src/Drover.DevCluster -c "$configuration" -v quiet -nologo >&2
"$dotnet" build src/Drover.Gateway -c "$configuration" -v quiet -nologo >&2

mkdir -p .kube
export KUBECONFIG="$root/.kube/dev-cluster.kubeconfig"
rm -f "$KUBECONFIG"
# Port 0 picks a free one; the kubeconfig the dev cluster writes names it.
port=${DEV_CLUSTER_PORT:-0}
"$dotnet" "src/Drover.DevCluster/bin/$configuration/net10.0/Drover.DevCluster.dll" \
  --port "$port" --simulate-kubelet --kubeconfig "$KUBECONFIG" >.kube/dev-cluster.log 2>&1 &
cluster=$!
operator=""
gateway=""
# SIGTERM, not SIGINT: a background job of a non-interactive shell ignores SIGINT. Both processes stop cleanly on it.
stop() {
  trap - INT TERM EXIT
  if [[ -n "$operator" ]]; then kill -TERM "$operator" 2>/dev/null && wait "$operator" 2>/dev/null || true; fi
  if [[ -n "$gateway" ]]; then kill -TERM "$gateway" 2>/dev/null && wait "$gateway" 2>/dev/null || true; fi
  kill -TERM "$cluster" 2>/dev/null || true
  # The dev cluster's own shutdown may wait on Ctrl-C alone; give it a moment, then end it.
  for _ in $(seq 50); do kill -0 "$cluster" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$cluster" 2>/dev/null || true
  wait "$cluster" 2>/dev/null || true
}
trap stop EXIT
# Stopping is what the user asked for, not a failure.
trap 'exit 0' INT TERM

deadline=$((SECONDS + 60))
until [[ -f "$KUBECONFIG" ]] && "$kubectl" get --raw /version >/dev/null 2>&1; do
  if ! kill -0 "$cluster" 2>/dev/null; then
    echo "make run: the dev cluster exited; its log:" >&2; cat .kube/dev-cluster.log >&2; exit 1
  fi
  (( SECONDS < deadline )) || { echo "make run: the dev cluster did not answer within 60s" >&2; exit 1; }
  sleep 0.2
done
echo "make run: dev cluster up at $(grep -m1 server: "$KUBECONFIG" | awk '{print $2}') (export KUBECONFIG=$KUBECONFIG to look around)" >&2

"$kubectl" apply --server-side -f crds/ >&2
"$kubectl" wait --for condition=established --timeout=60s crd/agents.drover.dev crd/modelproviders.drover.dev crd/schedules.drover.dev >&2
"$kubectl" apply --server-side -k config/samples >&2

# The model gateway beside the operator, as the chart runs it: agents get their own keys and reach models through it.
gateway_address=${GATEWAY_ADDRESS:-127.0.0.1:8090}
"$dotnet" "src/Drover.Gateway/bin/$configuration/net10.0/drover-gateway.dll" --kubeconfig "$KUBECONFIG" \
  --listen "$gateway_address" --metrics-address= --health-address= --log-format text --shutdown-delay 0s >.kube/gateway.log 2>&1 &
gateway=$!
echo "make run: model gateway at http://$gateway_address (log: .kube/gateway.log)" >&2

"${drover[@]}" run --metrics-address "${METRICS_ADDRESS:-127.0.0.1:8080}" --health-address "${HEALTH_ADDRESS:-127.0.0.1:8081}" --log-format text \
  --gateway-url "http://$gateway_address" "$@" &
operator=$!

show() {
  "$kubectl" get agents,schedules,modelproviders,deployments,cronjobs,services,networkpolicies -o wide || true
}

exit_when_ready=false
for arg in "$@"; do [[ "$arg" == --exit-when-ready ]] && exit_when_ready=true; done
if $exit_when_ready; then
  rc=0; wait "$operator" || rc=$?
  operator=""
  show
  exit "$rc"
fi

# Show the converged state once, then keep reconciling until Ctrl-C.
until "$kubectl" wait --for condition=Ready --timeout=2s agents --all >/dev/null 2>&1 \
   && "$kubectl" wait --for condition=Ready --timeout=2s schedules --all >/dev/null 2>&1; do
  kill -0 "$operator" 2>/dev/null || { wait "$operator"; exit $?; }
done
show
echo "make run: converged; the operator keeps reconciling. Ctrl-C stops the operator and the dev cluster." >&2
wait "$operator"
