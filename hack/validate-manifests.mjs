#!/usr/bin/env node
// Validates rendered Kubernetes manifests (multi-document YAML or JSON, a List, on stdin) against the
// official schemas, so a chart or kustomize change that produces an object the API server would reject
// fails here rather than at install time.
//
//   helm template charts/drover | node hack/validate-manifests.mjs [--crds DIR]
//
// - Built-in kinds: kubernetes-models (the official OpenAPI schemas).
// - monitoring.coreos.com kinds: @kubernetes-models/prometheus-operator.
// - drover.dev kinds: the openAPIV3Schema of our own CRDs (from --crds DIR, default crds/, plus any
//   CustomResourceDefinition in the input), checked with Ajv the way a structural schema is.
// Also rejects objects without apiVersion/kind/metadata.name and duplicate kind/namespace/name.
// Prints one line per object; exits 1 with the object and its errors when any is invalid.
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const toolsDir = process.env.DROVER_TOOLS_DIR ?? join(repoRoot, ".tools");
const modulesDir = join(toolsDir, "node_modules");

const args = process.argv.slice(2);
const crdDirIndex = args.indexOf("--crds");
const crdDir = crdDirIndex >= 0 ? resolve(args[crdDirIndex + 1]) : join(repoRoot, "crds");

if (!existsSync(join(modulesDir, "kubernetes-models"))) {
  console.error(`validate-manifests: ${modulesDir} has no kubernetes-models; run hack/tools.sh`);
  process.exit(2);
}

const load = (path) => import(pathToFileURL(join(modulesDir, path)).href);
const YAML = await load("yaml/dist/index.js");
const { default: Ajv } = await load("ajv/dist/ajv.js");

function readInput() {
  const text = readFileSync(0, "utf8");
  const objects = [];
  for (const doc of YAML.parseAllDocuments(text)) {
    if (doc.errors.length > 0) {
      throw new Error(`YAML: ${doc.errors.map((e) => e.message).join("; ")}`);
    }
    const value = doc.toJS();
    if (value === null || value === undefined) continue;
    if (typeof value === "object" && value.kind === "List" && Array.isArray(value.items)) {
      objects.push(...value.items);
    } else {
      objects.push(value);
    }
  }
  return objects;
}

// "apps/v1" -> ["apps", "v1"]; "v1" -> ["", "v1"].
function splitApiVersion(apiVersion) {
  const slash = apiVersion.indexOf("/");
  return slash < 0 ? ["", apiVersion] : [apiVersion.slice(0, slash), apiVersion.slice(slash + 1)];
}

const builtInModuleCache = new Map();
async function builtInModel(apiVersion, kind) {
  const [group, version] = splitApiVersion(apiVersion);
  const candidates = group === "monitoring.coreos.com"
    ? [`@kubernetes-models/prometheus-operator/${group}/${version}/${kind}.js`]
    : [`kubernetes-models/${group === "" ? "" : group + "/"}${version}/${kind}.js`];
  for (const path of candidates) {
    if (builtInModuleCache.has(path)) return builtInModuleCache.get(path);
    if (!existsSync(join(modulesDir, path))) continue;
    const module = await load(path);
    const model = module[kind];
    builtInModuleCache.set(path, model);
    return model;
  }
  return undefined;
}

// Keywords that structural schemas may carry and Ajv does not know.
const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
const crdValidators = new Map(); // "group/version/Kind" -> { validate, namespaced }

function addCrd(crd) {
  const spec = crd?.spec;
  if (!spec?.group || !spec?.names?.kind || !Array.isArray(spec.versions)) return;
  for (const version of spec.versions) {
    const schema = version?.schema?.openAPIV3Schema;
    if (!schema) continue;
    const key = `${spec.group}/${version.name}/${spec.names.kind}`;
    crdValidators.set(key, { validate: ajv.compile(stripNullable(schema)), namespaced: spec.scope === "Namespaced" });
  }
}

// OpenAPI's "nullable: true" means null is allowed as well as the declared type.
function stripNullable(schema) {
  if (Array.isArray(schema)) return schema.map(stripNullable);
  if (schema === null || typeof schema !== "object") return schema;
  const out = {};
  for (const [key, value] of Object.entries(schema)) {
    if (key === "nullable") continue;
    out[key] = stripNullable(value);
  }
  if (schema.nullable === true && typeof schema.type === "string") out.type = [schema.type, "null"];
  return out;
}

if (existsSync(crdDir)) {
  for (const file of readdirSync(crdDir).filter((f) => /\.ya?ml$/.test(f)).sort()) {
    for (const doc of YAML.parseAllDocuments(readFileSync(join(crdDir, file), "utf8"))) {
      const crd = doc.toJS();
      if (crd?.kind === "CustomResourceDefinition") addCrd(crd);
    }
  }
}

const describe = (o) => `${o?.kind ?? "?"} ${o?.metadata?.namespace ? o.metadata.namespace + "/" : ""}${o?.metadata?.name ?? "?"} (${o?.apiVersion ?? "?"})`;

async function validate(object) {
  const problems = [];
  if (object === null || typeof object !== "object" || Array.isArray(object)) return ["not an object"];
  if (typeof object.apiVersion !== "string" || object.apiVersion === "") problems.push("apiVersion is missing");
  if (typeof object.kind !== "string" || object.kind === "") problems.push("kind is missing");
  if (typeof object?.metadata?.name !== "string" || object.metadata.name === "") problems.push("metadata.name is missing");
  if (problems.length > 0) return problems;

  const [group, version] = splitApiVersion(object.apiVersion);
  const crd = crdValidators.get(`${group}/${version}/${object.kind}`);
  if (crd) {
    if (!crd.validate(object)) {
      for (const e of crd.validate.errors) problems.push(`${e.instancePath || "/"} ${e.message}`);
    }
    return problems;
  }
  const model = await builtInModel(object.apiVersion, object.kind);
  if (!model) return [`no schema known for ${object.apiVersion} ${object.kind}`];
  try {
    new model(object).validate();
  } catch (error) {
    problems.push(error.message);
  }
  return problems;
}

let objects;
try {
  objects = readInput();
} catch (error) {
  console.error(`validate-manifests: ${error.message}`);
  process.exit(1);
}
for (const object of objects) {
  if (object?.kind === "CustomResourceDefinition") addCrd(object);
}

const seen = new Set();
let failed = 0;
for (const object of objects) {
  const problems = await validate(object);
  const identity = `${object?.apiVersion}/${object?.kind}/${object?.metadata?.namespace ?? ""}/${object?.metadata?.name}`;
  if (seen.has(identity)) problems.push("duplicate object (same apiVersion, kind, namespace and name)");
  seen.add(identity);
  if (problems.length === 0) {
    console.log(`ok      ${describe(object)}`);
  } else {
    failed++;
    console.log(`INVALID ${describe(object)}`);
    for (const p of problems) console.log(`        ${p}`);
    console.log(JSON.stringify(object, null, 2).replace(/^/gm, "        | "));
  }
}
console.log(`${objects.length} objects, ${failed} invalid`);
process.exit(failed > 0 || objects.length === 0 ? 1 : 0);
