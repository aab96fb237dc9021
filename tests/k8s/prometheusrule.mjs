// Keeps deploy/k8s/monitoring/prometheusrule.yaml equal to deploy/observability/alerts.yaml:
// its spec.groups are that file's groups. `node prometheusrule.mjs --write` regenerates it;
// without --write it exits 1 if the two differ (the k8s test runs this).
import { readFileSync, writeFileSync, existsSync } from "node:fs";
import { isDeepStrictEqual } from "node:util";
import { fileURLToPath } from "node:url";
import path from "node:path";
import YAML from "yaml";

const ALERTS = "deploy/observability/alerts.yaml";
const RULE = "deploy/k8s/monitoring/prometheusrule.yaml";

export function alertGroups(root) {
  const alertsPath = path.join(root, ALERTS);
  if (!existsSync(alertsPath)) {
    throw new Error(`${ALERTS} is missing: the PrometheusRule is generated from it`);
  }
  const groups = YAML.parse(readFileSync(alertsPath, "utf8"))?.groups;
  if (!Array.isArray(groups) || groups.length === 0) {
    throw new Error(`${ALERTS} has no "groups:" list`);
  }
  return groups;
}

export function render(groups) {
  const rule = {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "PrometheusRule",
    metadata: {
      name: "hiresync",
      labels: { "app.kubernetes.io/part-of": "hiresync" },
    },
    spec: { groups },
  };
  return (
    `# Generated from ${ALERTS} by tests/k8s/prometheusrule.mjs --write; do not edit.\n` +
    YAML.stringify(rule, { lineWidth: 0 })
  );
}

// Empty when the committed PrometheusRule carries exactly the groups of alerts.yaml.
export function drift(root) {
  const groups = alertGroups(root);
  const rulePath = path.join(root, RULE);
  if (!existsSync(rulePath)) return [`${RULE} is missing`];
  const committed = YAML.parse(readFileSync(rulePath, "utf8"));
  if (!isDeepStrictEqual(committed?.spec?.groups, groups)) {
    return [`${RULE}: spec.groups differ from the groups of ${ALERTS}`];
  }
  return [];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
  try {
    if (process.argv.includes("--write")) {
      writeFileSync(path.join(root, RULE), render(alertGroups(root)));
      console.log(`wrote ${RULE}`);
    } else {
      const problems = drift(root);
      for (const p of problems) {
        console.error(`${p}; run: node tests/k8s/prometheusrule.mjs --write`);
      }
      process.exit(problems.length ? 1 : 0);
    }
  } catch (e) {
    console.error(`prometheusrule: ${e.message}`);
    process.exit(1);
  }
}
