// Unknown fields: the schema validators accept keys they do not know, and the API server
// would drop or refuse them ("readOnlyRootFilesytem" silently means a writable root). Each
// built-in object is type-checked by TypeScript against kubernetes-types (Kubernetes 1.30's
// API as types), whose excess-property check names any field the API does not have.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));

// "apps/v1" -> "kubernetes-types/apps/v1"; "v1" -> ".../core/v1"; CRDs (monitoring.coreos.com)
// have no types here: their schema validation stays with @kubernetes-models.
function typesModule(apiVersion) {
  const [group, version] = apiVersion.includes("/") ? apiVersion.split("/") : ["core", apiVersion];
  if (group.includes(".") && !group.endsWith(".k8s.io")) return undefined;
  return `kubernetes-types/${group.replace(/\.k8s\.io$/, "")}/${version}`;
}

// `rendered` maps a kustomization's name to its objects; one TypeScript run checks them all.
// Returns one message per unknown or mistyped field, naming the kustomization and object.
export function unknownFields(rendered) {
  const lines = [];
  const owners = [];  // [first line, last line, "dir: Kind/name"]
  Object.entries(rendered).flatMap(([dir, objects]) => objects.map((o) => [dir, o])).forEach(([dir, o], i) => {
    const module = typesModule(o.apiVersion);
    if (!module) return;
    const body = JSON.stringify(o, null, 1).split("\n");
    const first = lines.length + 1;
    lines.push(`export const o${i}: import("${module}").${o.kind} = ${body[0]}`, ...body.slice(1));
    lines[lines.length - 1] += ";";
    owners.push([first, lines.length, `${dir}: ${o.kind}/${o.metadata?.name}`]);
  });
  if (!lines.length) return [];
  const dir = mkdtempSync(path.join(os.tmpdir(), "hiresync-k8s-types-"));
  try {
    symlinkSync(path.join(here, "node_modules"), path.join(dir, "node_modules"));
    writeFileSync(path.join(dir, "manifests.ts"), lines.join("\n") + "\n");
    const tsc = path.join(here, "node_modules/typescript/bin/tsc");
    try {
      execFileSync(process.execPath, [tsc, "--noEmit", "--strict", "--pretty", "false", "manifests.ts"],
                   { cwd: dir, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 120000 });
      return [];
    } catch (e) {
      const out = `${e.stdout ?? ""}${e.stderr ?? ""}`;
      const found = [...out.matchAll(/^manifests\.ts\((\d+),\d+\): error TS\d+: (.*)$/gm)].map(([, line, text]) => {
        const owner = owners.find(([a, b]) => a <= +line && +line <= b);
        return `${owner ? owner[2] : `line ${line}`}: unknown or mistyped field: ${text}`;
      });
      return found.length ? found : [`TypeScript could not check the manifests: ${out.trim() || e.message}`];
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
