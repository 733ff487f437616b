#!/usr/bin/env node
// Validates rendered Kubernetes manifests (multi-document YAML files, e.g. `helm
// template` or `kubectl kustomize` output) against the Kubernetes OpenAPI schemas
// shipped by the npm package `kubernetes-models`, plus a few Herald rules the schemas
// cannot express (probes on the ops port, non-root, no service links...).
//
// Usage: node scripts/validate-manifests.js FILE...
// Resolves `yaml` and `kubernetes-models` from HERALD_TOOLS_DIR (where
// scripts/validate-deploy.sh installs them), never from the workspace.
'use strict';

const fs = require('node:fs');
const path = require('node:path');

const toolsDir = process.env.HERALD_TOOLS_DIR;
if (!toolsDir) {
  process.stderr.write('HERALD_TOOLS_DIR is not set; run scripts/validate-deploy.sh\n');
  process.exit(2);
}
const fromTools = (id) => require(require.resolve(id, { paths: [toolsDir] }));
const YAML = fromTools('yaml');

/** Custom resources no built-in schema covers; checked by the Herald rules only. */
const SKIPPED_KINDS = new Set(['monitoring.coreos.com/v1/ServiceMonitor']);

/** `kubernetes-models/<group>/<version>/<Kind>`, or undefined when the package has none. */
function loadModel(apiVersion, kind) {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const dir = group === '' ? version : `${group}/${version}`;
  try {
    return fromTools(`kubernetes-models/${dir}/${kind}`)[kind];
  } catch {
    return undefined;
  }
}

function describe(doc) {
  return `${doc.kind}/${doc.metadata?.name ?? '?'}`;
}

/** Herald's own rules for pods; returns a list of problems. */
function podProblems(doc, podSpec) {
  const problems = [];
  const isHeraldNode =
    (doc.metadata?.labels?.['app.kubernetes.io/part-of'] ?? '') === 'herald' ||
    (podSpec.containers ?? []).some((c) => ['connection', 'endpoint'].includes(c.name));
  if (podSpec.enableServiceLinks !== false) problems.push('enableServiceLinks must be false');
  if (podSpec.automountServiceAccountToken !== false) {
    problems.push('automountServiceAccountToken must be false');
  }
  const podContext = podSpec.securityContext ?? {};
  for (const c of podSpec.containers ?? []) {
    const sc = c.securityContext ?? {};
    if (!(podContext.runAsNonRoot || sc.runAsNonRoot)) problems.push(`${c.name}: runAsNonRoot`);
    if (sc.readOnlyRootFilesystem !== true) problems.push(`${c.name}: readOnlyRootFilesystem`);
    if (sc.allowPrivilegeEscalation !== false) problems.push(`${c.name}: allowPrivilegeEscalation`);
    if (!c.resources?.limits?.memory) problems.push(`${c.name}: no memory limit`);
    if (!isHeraldNode || !['connection', 'endpoint'].includes(c.name)) continue;
    const env = new Map((c.env ?? []).map((e) => [e.name, e]));
    const nodeId = env.get('HERALD_NODE_ID')?.valueFrom?.fieldRef?.fieldPath;
    if (nodeId !== 'metadata.name')
      problems.push(`${c.name}: HERALD_NODE_ID not from metadata.name`);
    if (!env.get('HERALD_CRYPTO_KEYS')?.valueFrom?.secretKeyRef) {
      problems.push(`${c.name}: HERALD_CRYPTO_KEYS not from a Secret`);
    }
    const ops = (c.ports ?? []).find((p) => p.name === 'ops');
    if (!ops) problems.push(`${c.name}: no port named ops`);
    if (
      c.livenessProbe?.httpGet?.path !== '/__lbheartbeat__' ||
      c.livenessProbe?.httpGet?.port !== 'ops'
    ) {
      problems.push(`${c.name}: liveness must GET /__lbheartbeat__ on ops`);
    }
    if (
      c.readinessProbe?.httpGet?.path !== '/__heartbeat__' ||
      c.readinessProbe?.httpGet?.port !== 'ops'
    ) {
      problems.push(`${c.name}: readiness must GET /__heartbeat__ on ops`);
    }
    const drainMs = Number(env.get('HERALD_DRAIN_WINDOW_MS')?.value ?? 30000);
    const shutdownMs = Number(env.get('HERALD_SHUTDOWN_TIMEOUT_MS')?.value ?? drainMs + 10000);
    const graceMs = 1000 * (podSpec.terminationGracePeriodSeconds ?? 30);
    if (graceMs <= shutdownMs) {
      problems.push(
        `${c.name}: terminationGracePeriodSeconds ${graceMs / 1000} s does not exceed the shutdown deadline ${shutdownMs / 1000} s`,
      );
    }
  }
  return problems;
}

function heraldProblems(doc) {
  const spec = doc.spec ?? {};
  switch (doc.kind) {
    case 'Deployment':
      return podProblems(doc, spec.template?.spec ?? {});
    case 'Job':
      return podProblems(doc, spec.template?.spec ?? {});
    case 'Pod':
      return podProblems(doc, spec);
    case 'Service':
      if (/-ops$/.test(doc.metadata?.name ?? '') && spec.type && spec.type !== 'ClusterIP') {
        return ['the ops Service must stay ClusterIP'];
      }
      return [];
    default:
      return [];
  }
}

function validateFile(file) {
  let checked = 0;
  const failures = [];
  const skipped = [];
  const docs = YAML.parseAllDocuments(fs.readFileSync(file, 'utf8'));
  for (const parsed of docs) {
    if (parsed.errors.length > 0) {
      failures.push(`YAML: ${parsed.errors.map((e) => e.message).join('; ')}`);
      continue;
    }
    const doc = parsed.toJS();
    if (doc === null || doc === undefined) continue;
    if (!doc.apiVersion || !doc.kind) {
      failures.push('a document without apiVersion/kind');
      continue;
    }
    const where = describe(doc);
    const problems = heraldProblems(doc).map((p) => `${where}: ${p}`);
    if (SKIPPED_KINDS.has(`${doc.apiVersion}/${doc.kind}`)) {
      skipped.push(`${where} (${doc.apiVersion}: CRD, no built-in schema)`);
    } else {
      const Model = loadModel(doc.apiVersion, doc.kind);
      if (!Model) {
        problems.push(`${where}: unknown apiVersion/kind ${doc.apiVersion} ${doc.kind}`);
      } else {
        try {
          new Model(doc).validate();
        } catch (error) {
          problems.push(`${where}: ${error.message.split('\n').join('\n    ')}`);
        }
      }
      checked += 1;
    }
    failures.push(...problems);
  }
  return { checked, failures, skipped };
}

const files = process.argv.slice(2);
if (files.length === 0) {
  process.stderr.write('usage: validate-manifests.js FILE...\n');
  process.exit(2);
}
let failed = false;
for (const file of files) {
  const { checked, failures, skipped } = validateFile(file);
  const name = file.startsWith(process.cwd())
    ? path.relative(process.cwd(), file)
    : path.basename(file);
  for (const s of skipped) process.stdout.write(`  skip ${name}: ${s}\n`);
  if (failures.length > 0) {
    failed = true;
    process.stdout.write(`  FAIL ${name}: ${failures.length} problem(s)\n`);
    for (const f of failures) process.stdout.write(`    - ${f}\n`);
  } else {
    process.stdout.write(`  ok   ${name}: ${checked} object(s) valid\n`);
  }
}
process.exit(failed ? 1 : 0);
