# Drover — the commands a developer and CI use. `make help` lists them.
SHELL := /usr/bin/env bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

DOTNET ?= dotnet
CONFIGURATION ?= Debug
RESULTS := artifacts/test-results
export DOTNET_CLI_TELEMETRY_OPTOUT := 1
export DOTNET_NOLOGO := 1

.PHONY: help
help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

.PHONY: tools
tools: ## Install kubectl and helm (the real clients the tests use) into .tools/bin
	bash hack/tools.sh

.PHONY: build
build: ## Build the whole solution (warnings are errors)
	$(DOTNET) build Operator.sln -c $(CONFIGURATION)

.PHONY: test
test: ## Run every test project; prints "N passed, N failed, N skipped"
	@bash hack/tools.sh || echo "make test: kubectl/helm could not be installed; tests that need them will skip and say so"
	@rm -rf $(RESULTS)
	@rc=0; $(DOTNET) test Operator.sln -c $(CONFIGURATION) --logger "trx" --logger "console;verbosity=normal" \
	    --results-directory $(RESULTS) || rc=$$?; \
	  bash hack/test-summary.sh $(RESULTS); exit $$rc

.PHONY: manifests
manifests: ## Regenerate crds/ from the C# API types and config/rbac from what the operator's code uses, with their copies
	$(DOTNET) run --project src/Drover.CrdGen -- --output crds
	cp crds/*.yaml charts/drover/crds/ && cp crds/*.yaml config/crd/bases/
	$(DOTNET) run --project src/Drover.Operator -- rbac --output $(CURDIR)/config/rbac
	cp config/rbac/role.yaml config/rbac/leader_election_role.yaml charts/drover/files/rbac/

.PHONY: lint
lint: ## Check formatting and that crds/ matches the API types
	$(DOTNET) format Operator.sln --verify-no-changes --severity warn
	$(DOTNET) run --project src/Drover.CrdGen -- --check crds

.PHONY: run
run: ## Run Drover (on the embedded dev cluster when no cluster is configured)
	bash hack/run.sh $(ARGS)

.PHONY: bench
bench: ## Measure fleet convergence, API writes and footprint (ARGS="--fleets 100 --builds aot" narrows it)
	bash hack/bench.sh $(ARGS)

.PHONY: bench-gateway
bench-gateway: ## drover-gateway beside Portkey and direct: added latency, max req/s, CPU, RSS, budget overshoot (ARGS="--rates 100,1000 --duration 5s")
	bash hack/bench-gateway.sh $(ARGS)

.PHONY: footprint
footprint: ## Size of the NativeAOT binary and image versus the JIT build; size and idle RSS of drover and drover-gateway
	bash hack/footprint.sh

.PHONY: clean
clean: ## Remove build outputs
	$(DOTNET) clean Operator.sln
	rm -rf artifacts

.PHONY: publish
publish: ## NativeAOT-publish drover and drover-gateway for linux-x64 and linux-arm64 into artifacts/publish (fails on any warning)
	bash hack/publish.sh $(RIDS)

.PHONY: image
image: ## Build the multi-arch container image (docker buildx, else podman/buildah) and report its sizes
	bash hack/image.sh

.PHONY: chart-lint
chart-lint: ## Lint the Helm chart strictly and validate the chart and config/default renders against the schemas
	@bash hack/tools.sh
	.tools/bin/helm lint --strict charts/drover
	.tools/bin/helm template drover charts/drover -n drover-system --include-crds | node hack/validate-manifests.mjs >/dev/null
	.tools/bin/kubectl kustomize config/default | node hack/validate-manifests.mjs >/dev/null
	diff -r crds charts/drover/crds
	diff -r crds config/crd/bases
	diff -r config/rbac/role.yaml charts/drover/files/rbac/role.yaml
	diff -r config/rbac/leader_election_role.yaml charts/drover/files/rbac/leader_election_role.yaml
