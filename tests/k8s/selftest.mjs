// Shows that check_manifests.mjs can fail: breaks copies of deploy/k8s one way at a time and
// expects each to be refused with the right message (and the unbroken copy to pass).
import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { render } from "./prometheusrule.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, "../..");

const ALERTS = `groups:
  - name: selftest
    rules:
      - alert: SelfTestAlert
        expr: up == 0
        for: 5m
`;

// [what is broken, file under deploy/k8s, text, replacement, expected message part]
const BREAKS = [
  ["no readiness probe", "base/pod-defaults.yaml", "readinessProbe:", "readinessProbeX:", "no readinessProbe"],
  ["HTTP liveness probe", "base/pod-defaults.yaml", "livenessProbe:\n            grpc:\n              port: 8081",
   "livenessProbe:\n            httpGet:\n              port: 9090", "livenessProbe must be a gRPC probe"],
  ["exec preStop", "base/pod-defaults.yaml", "sleep:\n                seconds: 5", "exec:\n                command: [sleep, \"5\"]",
   "preStop hook that is not exec"],
  ["writable root filesystem", "base/pod-defaults.yaml", "readOnlyRootFilesystem: true", "readOnlyRootFilesystem: false",
   "readOnlyRootFilesystem must be true"],
  ["root user", "base/pod-defaults.yaml", "runAsUser: 10001\n        runAsGroup", "runAsUser: 0\n        runAsGroup",
   "pod securityContext needs runAsNonRoot"],
  ["no memory limit", "base/writer.yaml", "              memory: 512Mi\n", "", "needs resources.requests.memory and limits.memory"],
  ["Service selecting no pods", "base/mapper.yaml", "  selector:\n    app.kubernetes.io/name: hiresync-mapper\n  ports:",
   "  selector:\n    app.kubernetes.io/name: hiresync-mappr\n  ports:", "must match the pods of exactly one Deployment"],
  ["Service port not named in the pod", "base/notes.yaml", "targetPort: admin", "targetPort: metrics", "not a named port"],
  ["short grace period", "base/ingress.yaml", "terminationGracePeriodSeconds: 50", "terminationGracePeriodSeconds: 30",
   "must exceed preStop 5 s + shutdown 35 s"],
  ["wrong image", "base/kustomization.yaml", "  - name: hiresync-notes\n    newTag: 0.1.0", "  - name: hiresync-notes\n    newTag: latest",
   "expected <registry/>hiresync-notes:"],
  ["schema violation", "base/mapper.yaml", "cpu: 500m", "cpu: [500m]", "does not match the apps/v1 Deployment schema"],
  ["gRPC target in another namespace", "base/ingress.yaml", "hiresync-writer.hiresync.svc", "hiresync-writer.default.svc",
   "--writer_addr is dns:///hiresync-writer.default"],
  ["Ingress without TLS", "base/webhook-ingress.yaml", "      secretName: hiresync-webhook-tls\n", "", "needs tls with a secretName"],
  ["gRPC open to other namespaces", "base/network-policies.yaml",
   "    - from:\n        - podSelector:\n            matchLabels:\n              app.kubernetes.io/name: hiresync-ingress\n      ports:\n        - protocol: TCP\n          port: grpc",
   "    - from:\n        - namespaceSelector: {}\n      ports:\n        - protocol: TCP\n          port: grpc", "opens grpc to traffic from outside"],
  ["no default deny", "base/network-policies.yaml", "  policyTypes: [Ingress, Egress]\n", "  policyTypes: [Ingress]\n", "no default-deny NetworkPolicy"],
  ["one production replica", "overlays/production/kustomization.yaml", "  - name: hiresync-writer\n    count: 2",
   "  - name: hiresync-writer\n    count: 1", "production needs 2 or more replicas"],
  ["PDB selecting nothing", "overlays/production/availability.yaml", "      app.kubernetes.io/name: hiresync-notes\n---",
   "      app.kubernetes.io/name: notes\n---", "PodDisruptionBudget hiresync-notes: selector must match"],
  ["production without mTLS", "overlays/production/mtls.yaml", "HIRESYNC_TLS_CA_FILE", "HIRESYNC_TLS_CA", "mTLS needs"],
  ["inbox URL in plain text", "overlays/production/inbox-postgres.yaml",
   "              valueFrom:\n                secretKeyRef:\n                  name: hiresync-inbox\n                  key: url",
   "              value: postgresql://hiresync@db/hiresync", "inbox must come from a Secret"],
  ["dev rolling update on a SQLite claim", "overlays/dev/sqlite.yaml", "type: Recreate\n    rollingUpdate: null\n  template:\n    spec:\n      containers",
   "type: RollingUpdate\n  template:\n    spec:\n      containers", "needs strategy Recreate"],
  ["an undocumented Secret", "overlays/production/mtls.yaml", "secretName: hiresync-grpc-tls", "secretName: hiresync-grpc-certs",
   "Secret hiresync-grpc-certs is neither rendered nor one the operator is told to create"],
  ["a documented Secret nothing uses", "README.md", "| `hiresync-inbox` |", "| `hiresync-inbox` |\n| `hiresync-unused` | x | y |",
   "tells operators to create Secret hiresync-unused"],
  ["ServiceMonitor on the wrong port", "monitoring/servicemonitor.yaml", "- port: admin", "- port: grpc", "does not scrape"],
  ["misspelled field", "base/pod-defaults.yaml", "            readOnlyRootFilesystem: true\n",
   "            readOnlyRootFilesystem: true\n            readOnlyRootFilesytem: true\n", "readOnlyRootFilesytem\"' does not exist in type 'SecurityContext'"],
  ["PrometheusRule out of date", "monitoring/prometheusrule.yaml", "for: 5m", "for: 1m", "spec.groups differ"],
];

// The TypeScript field check runs only where it is what is tested (it takes seconds).
function run(root, withFieldCheck) {
  const args = [path.join(here, "check_manifests.mjs"), `--root=${root}`];
  if (!withFieldCheck) args.push("--skip-unknown-fields");
  return new Promise((resolve) => {
    execFile("node", args, { timeout: 120000 },
             (error, stdout, stderr) => resolve({ code: error ? error.code ?? 1 : 0, out: stdout + stderr }));
  });
}

function copy(tmp, name) {
  const root = path.join(tmp, name);
  mkdirSync(path.join(root, "deploy/observability"), { recursive: true });
  cpSync(path.join(repo, "CMakeLists.txt"), path.join(root, "CMakeLists.txt"));
  cpSync(path.join(repo, "deploy/k8s"), path.join(root, "deploy/k8s"), { recursive: true });
  writeFileSync(path.join(root, "deploy/observability/alerts.yaml"), ALERTS);
  writeFileSync(path.join(root, "deploy/k8s/monitoring/prometheusrule.yaml"), render([{ name: "selftest", rules: [{ alert: "SelfTestAlert", expr: "up == 0", for: "5m" }] }]));
  return root;
}

async function main() {
  const tmp = mkdtempSync(path.join(os.tmpdir(), "hiresync-k8s-selftest-"));
  const failures = [];
  try {
    const cases = [["nothing broken", null, null, null, null], ...BREAKS];
    const roots = cases.map(([what, file, from, to], i) => {
      const root = copy(tmp, `case${i}`);
      if (file) {
        const p = path.join(root, "deploy/k8s", file);
        const text = readFileSync(p, "utf8");
        if (!text.includes(from)) throw new Error(`"${what}": ${file} no longer contains the text to break; update selftest.mjs`);
        writeFileSync(p, text.replace(from, to));
      }
      return root;
    });
    const results = [];
    for (let i = 0; i < cases.length; i += 2) {  // two at a time: the CI machine has 2 cores
      results.push(...(await Promise.all(roots.slice(i, i + 2).map(
        (root, j) => run(root, !cases[i + j][1] || cases[i + j][0] === "misspelled field")))));
    }
    cases.forEach(([what, file, , , expected], i) => {
      const { code, out } = results[i];
      if (!file) {
        if (code !== 0) failures.push(`the unbroken copy fails:\n${out}`);
      } else if (code === 0) {
        failures.push(`"${what}" (${file}) was not detected`);
      } else if (!out.includes(expected)) {
        failures.push(`"${what}" (${file}) failed without the expected message "${expected}":\n${out}`);
      } else {
        console.log(`detected: ${what}: ${out.split("\n").find((l) => l.includes(expected)).trim()}`);
      }
    });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  for (const f of failures) console.log(`FAIL ${f}`);
  console.log(`k8s selftest: ${BREAKS.length} breakages, ${failures.length} problem(s)`);
  process.exit(failures.length ? 1 : 0);
}

main().catch((e) => {
  console.error(`selftest: ${e.message}`);
  process.exit(1);
});
