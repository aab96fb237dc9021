// Renders every kustomization under deploy/k8s with `kubectl kustomize`, validates every
// object against the Kubernetes (and Prometheus operator) OpenAPI schemas, and checks the
// invariants the deployment relies on. Prints one line per problem and exits 1 if any.
import { execFileSync, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import YAML from "yaml";
import { drift as prometheusRuleDrift } from "./prometheusrule.mjs";
import { unknownFields } from "./strict_fields.mjs";

// --root=DIR checks another copy of the repository (the self-test breaks copies).
const rootArg = process.argv.find((a) => a.startsWith("--root="));
const repo = rootArg ? path.resolve(rootArg.slice(7)) : path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const k8sDir = path.join(repo, "deploy/k8s");
const NAMESPACE = "hiresync";
const SERVICES = ["ingress", "mapper", "writer", "notes"];
const PORTS = { grpc: 50051, admin: 9090, "grpc-health": 8081, webhook: 8080 };
// The Secrets the operator creates: the first column of deploy/k8s/README.md's Secrets table.
const OPERATOR_SECRETS = new Set(
  [...readFileSync(path.join(k8sDir, "README.md"), "utf8").matchAll(/^\| `(hiresync-[a-z-]+)` \|/gm)].map((m) => m[1]));
// Seconds a service may take after SIGTERM, from its flags (see services/*/main.cc).
const SHUTDOWN_SECONDS = {
  // the dispatcher finishes the call in flight, then the gRPC server gets 5 s
  ingress: (flags) => Number(flags.call_deadline_ms ?? 30000) / 1000 + 5,
  mapper: () => 10,  // fixed drain of the gRPC server
  writer: (flags) => Number(flags.shutdown_grace_seconds ?? 20),
  notes: (flags) => Number(flags.shutdown_grace_seconds ?? 20),
};

const problems = [];
let where = "";
function fail(message) {
  problems.push(`${where}: ${message}`);
}
function check(ok, message) {
  if (!ok) fail(message);
  return ok;
}

function projectVersion() {
  const cmake = readFileSync(path.join(repo, "CMakeLists.txt"), "utf8");
  const m = cmake.match(/project\(hiresync VERSION ([0-9.]+)/);
  if (!m) throw new Error("CMakeLists.txt: no 'project(hiresync VERSION x.y.z' line");
  return m[1];
}

function render(dir) {
  try {
    const out = execFileSync("kubectl", ["kustomize", path.join(k8sDir, dir)], {
      encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 60000,
    });
    return YAML.parseAllDocuments(out).map((d) => d.toJS()).filter(Boolean);
  } catch (e) {
    if (e.code === "ENOENT") {
      throw new Error("kubectl is not installed (it renders the kustomizations); install kubectl 1.27 or later");
    }
    fail(`kubectl kustomize failed: ${(e.stderr || e.message).trim()}`);
    return [];
  }
}

// The model class of an object, from its apiVersion and kind.
async function modelFor(obj) {
  const [group, version] = obj.apiVersion.includes("/") ? obj.apiVersion.split("/") : ["", obj.apiVersion];
  const module = group === "monitoring.coreos.com"
    ? `@kubernetes-models/prometheus-operator/${group}/${version}`
    : `kubernetes-models/${group ? `${group}/` : ""}${version}`;
  try {
    return (await import(module))[obj.kind];
  } catch {
    return undefined;
  }
}

// kustomize wraps long base64 values over lines; the API server's decoder skips the line
// breaks, the schema's "byte" format does not.
function unwrapSecret(obj) {
  const data = Object.fromEntries(Object.entries(obj.data ?? {}).map(([k, v]) => [k, String(v).replace(/\s+/g, "")]));
  return { ...obj, data };
}

async function validateSchemas(objects) {
  for (const obj of objects) {
    const name = `${obj.kind}/${obj.metadata?.name}`;
    const Model = await modelFor(obj);
    if (!check(Model, `${name}: no schema for apiVersion ${obj.apiVersion} kind ${obj.kind}`)) continue;
    try {
      new Model(obj.kind === "Secret" ? unwrapSecret(obj) : obj).validate();
    } catch (e) {
      fail(`${name} does not match the ${obj.apiVersion} ${obj.kind} schema: ${e.message}`);
    }
    check(obj.metadata?.namespace === NAMESPACE || obj.kind === "Namespace",
          `${name}: namespace is ${obj.metadata?.namespace}, expected ${NAMESPACE}`);
  }
}

const byKind = (objects, kind) => objects.filter((o) => o.kind === kind);
const matches = (selector, labels) =>
  Object.entries(selector?.matchLabels ?? {}).every(([k, v]) => labels?.[k] === v) &&
  (selector?.matchExpressions ?? []).every((e) => {
    const has = labels?.[e.key] !== undefined;
    if (e.operator === "In") return has && e.values.includes(labels[e.key]);
    if (e.operator === "NotIn") return !has || !e.values.includes(labels[e.key]);
    if (e.operator === "Exists") return has;
    if (e.operator === "DoesNotExist") return !has;
    return false;
  });
const podLabels = (d) => d.spec.template.metadata?.labels ?? {};
const selected = (deployments, selector) => deployments.filter((d) => matches(selector, podLabels(d)));
const component = (d) => d.metadata.name.replace(/^hiresync-/, "");
const ports = (d) => d.spec.template.spec.containers.flatMap((c) => c.ports ?? []);

// "--name=value" args plus HIRESYNC_<NAME> environment variables (args win, as in the code).
function flagsOf(container) {
  const flags = {};
  for (const e of container.env ?? []) {
    if (e.name.startsWith("HIRESYNC_")) flags[e.name.slice(9).toLowerCase()] = e.value ?? e.valueFrom;
  }
  for (const a of container.args ?? []) {
    const m = a.match(/^--([a-z_]+)=(.*)$/);
    if (m) flags[m[1]] = m[2];
  }
  return flags;
}

function cpu(q) {
  const s = String(q);
  return s.endsWith("m") ? Number(s.slice(0, -1)) / 1000 : Number(s);
}
function bytes(q) {
  const units = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, k: 1e3, M: 1e6, G: 1e9 };
  const m = String(q).match(/^([0-9.]+)([A-Za-z]*)$/);
  return m ? Number(m[1]) * (units[m[2]] ?? 1) : NaN;
}

function checkDeployment(d, objects, version) {
  const name = d.metadata.name;
  const svc = component(d);
  const pod = d.spec.template.spec;
  check(SERVICES.includes(svc), `Deployment ${name}: not one of hiresync-{${SERVICES.join(",")}}`);
  check(matches(d.spec.selector, podLabels(d)), `Deployment ${name}: selector does not match its pod labels`);
  const psc = pod.securityContext ?? {};
  check(psc.runAsNonRoot === true && psc.runAsUser === 10001,
        `Deployment ${name}: pod securityContext needs runAsNonRoot: true and runAsUser: 10001`);
  check(psc.seccompProfile?.type === "RuntimeDefault", `Deployment ${name}: pod seccompProfile must be RuntimeDefault`);
  check(pod.automountServiceAccountToken === false, `Deployment ${name}: automountServiceAccountToken must be false`);
  const sa = byKind(objects, "ServiceAccount").find((s) => s.metadata.name === pod.serviceAccountName);
  check(sa, `Deployment ${name}: serviceAccountName ${pod.serviceAccountName} has no ServiceAccount`);
  check(!sa || sa.automountServiceAccountToken === false,
        `ServiceAccount ${pod.serviceAccountName}: automountServiceAccountToken must be false`);

  const volumes = new Map((pod.volumes ?? []).map((v) => [v.name, v]));
  for (const c of pod.containers) {
    const cn = `Deployment ${name} container ${c.name}`;
    const flags = flagsOf(c);
    const [image, tag] = c.image.split(":");
    check(image.split("/").pop() === `hiresync-${svc}` && tag === version,
          `${cn}: image ${c.image}, expected <registry/>hiresync-${svc}:${version}`);
    const named = new Map((c.ports ?? []).map((p) => [p.name, p.containerPort]));
    for (const port of ["grpc", "admin", "grpc-health", ...(svc === "ingress" ? ["webhook"] : [])]) {
      check(named.get(port) === PORTS[port], `${cn}: needs port "${port}" = ${PORTS[port]} (has ${named.get(port)})`);
    }
    const listens = {
      grpc: flags.grpc_listen?.split(":").pop(), admin: flags.admin_listen_port,
      "grpc-health": flags.grpc_health_listen?.split(":").pop(),
      ...(svc === "ingress" ? { webhook: flags.webhook_port } : {}),
    };
    for (const [port, value] of Object.entries(listens)) {
      check(Number(value) === named.get(port), `${cn}: port "${port}" is ${named.get(port)} but the service listens on ${value} (flags)`);
    }
    for (const host of [flags.admin_host, flags.grpc_listen?.split(":")[0], flags.grpc_health_listen?.split(":")[0]]) {
      check(host === "0.0.0.0", `${cn}: listeners must bind 0.0.0.0 (--admin_host, --grpc_listen, --grpc_health_listen)`);
    }
    if (svc === "ingress") check(flags.webhook_host === "0.0.0.0", `${cn}: --webhook_host must be 0.0.0.0`);

    for (const probe of ["startupProbe", "readinessProbe", "livenessProbe"]) {
      const p = c[probe];
      if (!check(p, `${cn}: no ${probe}`)) continue;
      check(p.grpc?.port === named.get("grpc-health"),
            `${cn}: ${probe} must be a gRPC probe on the grpc-health port ${named.get("grpc-health")} (kubelet cannot speak TLS to the main port)`);
      check(!p.exec, `${cn}: ${probe} uses exec, but the images have no shell`);
    }
    const r = c.resources ?? {};
    for (const res of ["cpu", "memory"]) {
      if (!check(r.requests?.[res] && r.limits?.[res], `${cn}: needs resources.requests.${res} and limits.${res}`)) continue;
      const q = res === "cpu" ? cpu : bytes;
      check(q(r.requests[res]) <= q(r.limits[res]), `${cn}: ${res} request ${r.requests[res]} is above its limit ${r.limits[res]}`);
    }
    const sc = c.securityContext ?? {};
    check(sc.runAsNonRoot === true, `${cn}: securityContext.runAsNonRoot must be true`);
    check(sc.runAsUser === 10001, `${cn}: securityContext.runAsUser must be 10001 (the images' hiresync user)`);
    check(sc.readOnlyRootFilesystem === true, `${cn}: securityContext.readOnlyRootFilesystem must be true`);
    check(sc.allowPrivilegeEscalation === false, `${cn}: securityContext.allowPrivilegeEscalation must be false`);
    check((sc.capabilities?.drop ?? []).includes("ALL"), `${cn}: securityContext.capabilities.drop must include ALL`);
    check((sc.seccompProfile ?? psc.seccompProfile)?.type === "RuntimeDefault", `${cn}: seccompProfile must be RuntimeDefault`);

    const preStop = c.lifecycle?.preStop;
    check(preStop && !preStop.exec, `${cn}: needs a preStop hook that is not exec (no shell in the images): use sleep`);
    const sleep = Number(preStop?.sleep?.seconds ?? 0);
    const drain = SHUTDOWN_SECONDS[svc]?.(flags) ?? 0;
    check(pod.terminationGracePeriodSeconds > sleep + drain,
          `${cn}: terminationGracePeriodSeconds ${pod.terminationGracePeriodSeconds} must exceed preStop ${sleep} s + shutdown ${drain} s`);

    const mounts = c.volumeMounts ?? [];
    for (const m of mounts) check(volumes.has(m.name), `${cn}: volumeMount ${m.name} has no volume`);
    const writable = mounts.filter((m) => !m.readOnly).map((m) => m.mountPath);
    check(writable.includes("/tmp"), `${cn}: /tmp must be a writable volume (read-only root filesystem)`);
    for (const file of [flags.ledger, flags.inbox].filter((f) => typeof f === "string" && f.startsWith("/"))) {
      check(writable.some((p) => file.startsWith(`${p}/`)), `${cn}: ${file} is not on a writable volume`);
    }
    if (svc !== "mapper") checkConfig(cn, flags, mounts, volumes, objects);
  }
  for (const [vname, v] of volumes) {
    if (v.configMap) {
      check(byKind(objects, "ConfigMap").some((m) => m.metadata.name === v.configMap.name),
            `Deployment ${name}: volume ${vname} uses ConfigMap ${v.configMap.name}, which is not rendered`);
    }
    if (v.secret) checkSecretRef(`Deployment ${name} volume ${vname}`, v.secret.secretName, objects);
  }
  for (const c of pod.containers) {
    for (const e of c.env ?? []) {
      if (e.valueFrom?.secretKeyRef) checkSecretRef(`Deployment ${name} env ${e.name}`, e.valueFrom.secretKeyRef.name, objects, e.valueFrom.secretKeyRef.key);
    }
  }
}

function checkSecretRef(what, secretName, objects, key) {
  const secret = byKind(objects, "Secret").find((s) => s.metadata.name === secretName);
  if (secret) {
    if (key) check(key in (secret.data ?? {}), `${what}: Secret ${secretName} has no key ${key}`);
  } else {
    check(OPERATOR_SECRETS.has(secretName),
          `${what}: Secret ${secretName} is neither rendered nor one the operator is told to create (${[...OPERATOR_SECRETS].join(", ")})`);
  }
}

// --config is a mounted ConfigMap's config.json, and every secret file it names is in a
// Secret volume of the same container (with that key, when the Secret is rendered).
function checkConfig(cn, flags, mounts, volumes, objects) {
  const mount = mounts.find((m) => m.mountPath === flags.config || (!m.subPath && flags.config?.startsWith(`${m.mountPath}/`)));
  if (!check(flags.config && mount && volumes.get(mount.name)?.configMap, `${cn}: --config ${flags.config} is not a mounted ConfigMap`)) return;
  const key = mount.subPath ?? path.basename(flags.config);
  const cm = byKind(objects, "ConfigMap").find((m) => m.metadata.name === volumes.get(mount.name).configMap.name);
  if (!check(cm?.data?.[key], `${cn}: ConfigMap has no ${key}`)) return;
  let config;
  try {
    config = JSON.parse(cm.data[key]);
  } catch (e) {
    fail(`${cn}: ${key} in the ConfigMap is not JSON: ${e.message}`);
    return;
  }
  const files = [];
  const walk = (v) => {
    if (v && typeof v === "object") {
      if (typeof v.file === "string") files.push(v.file);
      Object.values(v).forEach(walk);
    }
  };
  walk(config);
  for (const file of files) {
    const m = mounts.find((mm) => file.startsWith(`${mm.mountPath}/`) && volumes.get(mm.name)?.secret);
    if (!check(m, `${cn}: config secret ${file} is not under a mounted Secret`)) continue;
    const secret = byKind(objects, "Secret").find((s) => s.metadata.name === volumes.get(m.name).secret.secretName);
    const secretKey = file.slice(m.mountPath.length + 1);
    if (secret) check(secretKey in (secret.data ?? {}), `${cn}: config names ${file} but Secret ${secret.metadata.name} has no key ${secretKey}`);
  }
}

function checkServices(objects, deployments) {
  for (const s of byKind(objects, "Service")) {
    const name = `Service ${s.metadata.name}`;
    const targets = selected(deployments, { matchLabels: s.spec.selector });
    if (!check(Object.keys(s.spec.selector ?? {}).length && targets.length === 1,
               `${name}: selector ${JSON.stringify(s.spec.selector)} must match the pods of exactly one Deployment (matches ${targets.length})`)) continue;
    const named = new Set(ports(targets[0]).map((p) => p.name));
    for (const p of s.spec.ports) {
      check(typeof p.targetPort === "string" && named.has(p.targetPort),
            `${name}: port ${p.name} targets ${p.targetPort}, not a named port of ${targets[0].metadata.name}`);
    }
    if (s.spec.ports.some((p) => p.name === "grpc")) {
      check(s.spec.clusterIP === "None", `${name}: a gRPC Service must be headless (clusterIP: None) so round_robin sees every pod`);
    }
  }
  for (const d of deployments) {
    check(byKind(objects, "Service").some((s) => s.spec.clusterIP === "None" && matches({ matchLabels: s.spec.selector }, podLabels(d)) &&
                                                  s.metadata.name === d.metadata.name && s.spec.ports.some((p) => p.name === "grpc")),
          `Deployment ${d.metadata.name}: no headless Service ${d.metadata.name} with port grpc`);
  }
  const ingress = deployments.find((d) => component(d) === "ingress");
  if (!ingress) return;
  const flags = flagsOf(ingress.spec.template.spec.containers[0]);
  for (const callee of ["mapper", "writer", "notes"]) {
    const target = flags[`${callee}_addr`];
    const svc = byKind(objects, "Service").find((s) => s.metadata.name === `hiresync-${callee}`);
    const port = svc?.spec.ports.find((p) => p.name === "grpc")?.port;
    const want = `dns:///hiresync-${callee}.${NAMESPACE}.svc.cluster.local:${port}`;
    check(target === want, `ingress --${callee}_addr is ${target}, expected ${want} (the headless Service, every pod resolved)`);
  }
}

function checkIngress(objects) {
  const ingresses = byKind(objects, "Ingress");
  check(ingresses.length === 1, `expected one Ingress for the webhooks, found ${ingresses.length}`);
  for (const ing of ingresses) {
    const name = `Ingress ${ing.metadata.name}`;
    const tlsHosts = new Set((ing.spec.tls ?? []).flatMap((t) => (t.secretName ? t.hosts ?? [] : [])));
    check(tlsHosts.size > 0, `${name}: needs tls with a secretName (Greenhouse only calls HTTPS)`);
    for (const rule of ing.spec.rules ?? []) {
      check(rule.host && tlsHosts.has(rule.host), `${name}: host ${rule.host} is not covered by its tls section`);
      for (const p of rule.http?.paths ?? []) {
        check(p.path === "/v1/webhooks/greenhouse/" && p.pathType === "Prefix",
              `${name}: path ${p.path} (${p.pathType}); expose only Prefix /v1/webhooks/greenhouse/`);
        const svc = byKind(objects, "Service").find((s) => s.metadata.name === p.backend.service?.name);
        const port = svc?.spec.ports.find((sp) => sp.name === p.backend.service.port.name || sp.port === p.backend.service.port.number);
        check(port?.targetPort === "webhook", `${name}: backend ${p.backend.service?.name} must be a Service port targeting ingress's webhook port`);
      }
    }
  }
}

function checkNetworkPolicies(objects, deployments) {
  const policies = byKind(objects, "NetworkPolicy");
  check(policies.some((p) => Object.keys(p.spec.podSelector ?? {}).length === 0 && p.spec.policyTypes?.includes("Ingress") &&
                              p.spec.policyTypes?.includes("Egress") && !p.spec.ingress && !p.spec.egress),
        "no default-deny NetworkPolicy (podSelector {}, policyTypes Ingress and Egress, no rules)");
  const allowed = (d, direction, predicate) => policies.some((p) =>
    matches(p.spec.podSelector, podLabels(d)) && (p.spec[direction] ?? []).some(predicate));
  const portIn = (rule, d, want) => (rule.ports ?? [{}]).some((rp) =>
    rp.port === undefined || rp.port === want || ports(d).some((cp) => cp.name === rp.port && cp.containerPort === want));
  for (const p of policies) {
    const name = `NetworkPolicy ${p.metadata.name}`;
    const pods = selected(deployments, p.spec.podSelector);
    check(pods.length > 0, `${name}: podSelector matches no pods`);
    for (const rule of p.spec.ingress ?? []) {
      for (const rp of rule.ports ?? []) {
        if (typeof rp.port === "string") {
          check(pods.every((d) => ports(d).some((cp) => cp.name === rp.port)), `${name}: named port ${rp.port} is missing on some selected pods`);
        }
      }
      const peers = rule.from ?? [];
      const outside = peers.length === 0 || peers.some((f) => f.namespaceSelector || f.ipBlock);
      if (!outside) {
        for (const f of peers) check(selected(deployments, f.podSelector).length > 0, `${name}: a from.podSelector matches no pods`);
        continue;
      }
      const opened = (rule.ports ?? [{ port: "<all>" }]).map((rp) => rp.port);
      const prometheus = peers.length > 0 && peers.every((f) => f.namespaceSelector && f.podSelector);
      check(opened.every((port) => port === "webhook" || (prometheus && port === "admin")) &&
            (opened.includes("webhook") ? pods.every((d) => component(d) === "ingress") : true),
            `${name}: opens ${opened.join(",")} to traffic from outside the namespace; only ingress's webhook port (and admin ports to Prometheus) may be`);
    }
  }
  for (const d of deployments) {
    const svc = component(d);
    const fromOutside = (r) => !r.from || r.from.some((f) => f.namespaceSelector || f.ipBlock);
    check(allowed(d, "ingress", (r) => r.from?.some((f) => f.namespaceSelector && f.podSelector) && portIn(r, d, PORTS.admin)),
          `${d.metadata.name}: no NetworkPolicy lets Prometheus reach the admin port`);
    check(allowed(d, "egress", (r) => (r.ports ?? []).some((rp) => rp.port === 53)), `${d.metadata.name}: no NetworkPolicy allows DNS egress`);
    if (svc === "ingress") {
      check(allowed(d, "ingress", (r) => fromOutside(r) && portIn(r, d, PORTS.webhook)),
            "hiresync-ingress: no NetworkPolicy lets the ingress controller reach the webhook port");
      for (const callee of deployments.filter((x) => component(x) !== "ingress")) {
        check(allowed(d, "egress", (r) => r.to?.some((t) => !t.namespaceSelector && matches(t.podSelector, podLabels(callee))) && portIn(r, callee, PORTS.grpc)),
              `hiresync-ingress: no NetworkPolicy allows egress to ${callee.metadata.name}'s grpc port`);
      }
    } else {
      const grpcRules = policies.filter((p) => matches(p.spec.podSelector, podLabels(d)))
        .flatMap((p) => p.spec.ingress ?? []).filter((r) => portIn(r, d, PORTS.grpc));
      check(grpcRules.length > 0, `${d.metadata.name}: no NetworkPolicy lets ingress reach the grpc port`);
      for (const r of grpcRules) {
        check(r.from?.length && r.from.every((f) => !f.namespaceSelector && !f.ipBlock &&
              selected(deployments, f.podSelector).every((x) => component(x) === "ingress")),
              `${d.metadata.name}: its grpc port is open to more than ingress's pods`);
      }
    }
    if (svc === "writer" || svc === "notes") {
      check(allowed(d, "egress", (r) => (r.ports ?? []).some((rp) => rp.port === 443)), `${d.metadata.name}: no NetworkPolicy allows HTTPS (443) egress`);
    }
  }
}

function checkScaling(objects, deployments, { production }) {
  for (const p of byKind(objects, "PodDisruptionBudget")) {
    check(selected(deployments, p.spec.selector).length === 1, `PodDisruptionBudget ${p.metadata.name}: selector must match one Deployment's pods`);
  }
  for (const h of byKind(objects, "HorizontalPodAutoscaler")) {
    const target = deployments.find((d) => h.spec.scaleTargetRef.kind === "Deployment" && d.metadata.name === h.spec.scaleTargetRef.name);
    check(target, `HorizontalPodAutoscaler ${h.metadata.name}: scaleTargetRef ${h.spec.scaleTargetRef.name} is not a Deployment here`);
    check(h.apiVersion === "autoscaling/v2", `HorizontalPodAutoscaler ${h.metadata.name}: use autoscaling/v2`);
    if (production) check(h.spec.minReplicas >= 2, `HorizontalPodAutoscaler ${h.metadata.name}: minReplicas must be at least 2`);
  }
  if (!production) return;
  for (const d of deployments) {
    check(d.spec.replicas >= 2, `Deployment ${d.metadata.name}: production needs 2 or more replicas (has ${d.spec.replicas})`);
    check(byKind(objects, "PodDisruptionBudget").some((p) => matches(p.spec.selector, podLabels(d))), `Deployment ${d.metadata.name}: no PodDisruptionBudget`);
    check(byKind(objects, "HorizontalPodAutoscaler").some((h) => h.spec.scaleTargetRef.name === d.metadata.name), `Deployment ${d.metadata.name}: no HorizontalPodAutoscaler`);
  }
}

function checkProduction(objects, deployments) {
  check(byKind(objects, "Secret").length === 0, "production must not render Secrets (the operator creates them; the repo holds no secrets)");
  const used = new Set(JSON.stringify(objects).match(/"(?:secretName|name)":"hiresync-[a-z-]+"/g)?.map((m) => m.split(":")[1].slice(1, -1)));
  check(OPERATOR_SECRETS.size > 0, "deploy/k8s/README.md lists no Secrets (table rows starting | `hiresync-...` |)");
  for (const secret of OPERATOR_SECRETS) check(used.has(secret), `deploy/k8s/README.md tells operators to create Secret ${secret}, which production does not use`);
  for (const d of deployments) {
    const c = d.spec.template.spec.containers[0];
    const flags = flagsOf(c);
    const volumes = d.spec.template.spec.volumes ?? [];
    check(flags.tls_cert_file === "/etc/hiresync/tls/tls.crt" && flags.tls_key_file === "/etc/hiresync/tls/tls.key" &&
          flags.tls_ca_file === "/etc/hiresync/tls/ca.crt", `Deployment ${d.metadata.name}: mTLS needs --tls_cert_file, --tls_key_file, --tls_ca_file under /etc/hiresync/tls`);
    const tlsMount = (c.volumeMounts ?? []).find((m) => m.mountPath === "/etc/hiresync/tls");
    check(tlsMount && !tlsMount.subPath && volumes.find((v) => v.name === tlsMount.name)?.secret,
          `Deployment ${d.metadata.name}: /etc/hiresync/tls must be a whole Secret volume (subPath mounts do not see a renewed certificate)`);
    if (component(d) === "ingress") {
      check(flags.inbox?.secretKeyRef?.name, "hiresync-ingress: production's inbox must come from a Secret (HIRESYNC_INBOX from secretKeyRef)");
      check(!(c.args ?? []).some((a) => a.startsWith("--inbox")), "hiresync-ingress: --inbox in args would override HIRESYNC_INBOX");
    }
  }
}

function checkDev(objects, deployments) {
  const claims = new Set(byKind(objects, "PersistentVolumeClaim").map((p) => p.metadata.name));
  check(claims.size > 0, "dev needs a PersistentVolumeClaim for ingress's SQLite inbox");
  for (const d of deployments) {
    check(d.spec.replicas === 1, `Deployment ${d.metadata.name}: dev runs 1 replica (has ${d.spec.replicas})`);
    const pod = d.spec.template.spec;
    const pvcs = (pod.volumes ?? []).filter((v) => v.persistentVolumeClaim);
    for (const v of pvcs) check(claims.has(v.persistentVolumeClaim.claimName), `Deployment ${d.metadata.name}: claim ${v.persistentVolumeClaim.claimName} is not rendered`);
    if (pvcs.length) check(d.spec.strategy?.type === "Recreate", `Deployment ${d.metadata.name}: a SQLite file on a ReadWriteOnce claim needs strategy Recreate`);
    const c = pod.containers[0];
    const flags = flagsOf(c);
    for (const file of [flags.inbox, flags.ledger].filter(Boolean)) {
      const m = (c.volumeMounts ?? []).find((mm) => typeof file === "string" && file.startsWith(`${mm.mountPath}/`));
      check(m && pvcs.some((v) => v.name === m.name), `Deployment ${d.metadata.name}: ${file} must be on a PersistentVolumeClaim`);
    }
    if (component(d) === "ingress") check(typeof flags.inbox === "string" && flags.inbox.endsWith(".db"), "hiresync-ingress: dev's inbox is a SQLite file");
    check(!flags.tls_cert_file, `Deployment ${d.metadata.name}: dev runs plaintext gRPC`);
  }
}

function checkServiceMonitors(monitoring, overlays) {
  for (const sm of byKind(monitoring, "ServiceMonitor")) {
    for (const [overlay, objects] of Object.entries(overlays)) {
      const services = byKind(objects, "Service").filter((s) => matches(sm.spec.selector, s.metadata.labels));
      const deployments = byKind(objects, "Deployment");
      const scraped = new Set();
      for (const s of services) {
        for (const ep of sm.spec.endpoints) {
          const port = s.spec.ports.find((p) => p.name === ep.port);
          if (port?.targetPort === "admin") selected(deployments, { matchLabels: s.spec.selector }).forEach((d) => scraped.add(d.metadata.name));
        }
      }
      for (const s of services) {
        check(deployments.some((d) => d.metadata.name === s.metadata.name),
              `ServiceMonitor ${sm.metadata.name}: selects Service ${s.metadata.name} in ${overlay}; the alerts and dashboard expect service="hiresync-<name>" (the Service's name, as the operator labels it)`);
      }
      for (const d of deployments) {
        check(scraped.has(d.metadata.name), `ServiceMonitor ${sm.metadata.name}: does not scrape ${d.metadata.name}'s admin port in ${overlay}`);
      }
      check(scraped.size === deployments.length && services.length === deployments.length,
            `ServiceMonitor ${sm.metadata.name}: selects ${services.length} Services in ${overlay}, expected one per Deployment (no double scrapes)`);
    }
  }
  check(byKind(monitoring, "ServiceMonitor").length === 1, "monitoring: expected one ServiceMonitor");
  check(byKind(monitoring, "PrometheusRule").length === 1, "monitoring: expected one PrometheusRule");
}

// With --bin-dir=DIR (the build's bin/), every flag a Deployment passes, as an argument or
// as HIRESYNC_<FLAG>, must be one its binary defines: an unknown flag stops the pod at start.
const binArg = process.argv.find((a) => a.startsWith("--bin-dir="));
const definedFlags = {};
function checkFlagsExist(deployments) {
  if (!binArg) return;
  for (const d of deployments) {
    const binary = d.metadata.name;
    if (!definedFlags[binary]) {
      const help = spawnSync(path.join(binArg.slice(10), binary), ["--helpfull"], { encoding: "utf8" });
      if (help.error) return fail(`${binary} --helpfull could not run (${help.error.message}): build it first`);
      definedFlags[binary] = new Set([...`${help.stdout}${help.stderr}`.matchAll(/^\s+--([a-z0-9_]+) /gm)].map((m) => m[1]));
    }
    for (const c of d.spec.template.spec.containers) {
      for (const flag of Object.keys(flagsOf(c))) {
        check(definedFlags[binary].has(flag), `${binary}: --${flag} (or HIRESYNC_${flag.toUpperCase()}) is not a flag of ${binary}; the pod would not start`);
      }
    }
  }
}

async function main() {
  const version = projectVersion();
  const rendered = {};
  for (const dir of ["base", "overlays/dev", "overlays/production", "monitoring"]) {
    where = `deploy/k8s/${dir}`;
    const start = Date.now();
    rendered[dir] = render(dir);
    await validateSchemas(rendered[dir]);
    console.log(`${where}: ${rendered[dir].length} objects rendered and schema-checked in ${Date.now() - start} ms`);
  }
  if (!process.argv.includes("--skip-unknown-fields")) {
    where = "deploy/k8s";
    const start = Date.now();
    const found = unknownFields(rendered);
    for (const p of found) fail(p);
    console.log(`deploy/k8s: every field of the built-in objects known to Kubernetes 1.30 (TypeScript, ${Date.now() - start} ms)`);
  }
  for (const overlay of ["overlays/dev", "overlays/production"]) {
    where = `deploy/k8s/${overlay}`;
    const objects = rendered[overlay];
    const deployments = byKind(objects, "Deployment");
    check(SERVICES.every((s) => deployments.some((d) => d.metadata.name === `hiresync-${s}`)) && deployments.length === SERVICES.length,
          `expected Deployments hiresync-{${SERVICES.join(",")}}, found ${deployments.map((d) => d.metadata.name).join(",")}`);
    for (const d of deployments) checkDeployment(d, objects, version);
    checkFlagsExist(deployments);
    checkServices(objects, deployments);
    checkIngress(objects);
    checkNetworkPolicies(objects, deployments);
    checkScaling(objects, deployments, { production: overlay.endsWith("production") });
    if (overlay.endsWith("production")) checkProduction(objects, deployments);
    else checkDev(objects, deployments);
  }
  where = "deploy/k8s/monitoring";
  checkServiceMonitors(rendered.monitoring, { dev: rendered["overlays/dev"], production: rendered["overlays/production"] });
  try {
    for (const p of prometheusRuleDrift(repo)) fail(`${p}; run: node tests/k8s/prometheusrule.mjs --write`);
  } catch (e) {
    fail(e.message);
  }

  for (const p of problems) console.log(`FAIL ${p}`);
  console.log(`k8s manifests: ${problems.length} problem(s)`);
  process.exit(problems.length ? 1 : 0);
}

main().catch((e) => {
  console.error(`check_manifests: ${e.message}`);
  process.exit(1);
});
