/**
 * Validation against Vipps' own OpenAPI files (packages/sandbox/specs/vipps, copied verbatim from the providers).
 * The documents are OpenAPI 3.0: this adapter resolves `$ref`s (also across files), turns the
 * OpenAPI dialect into JSON Schema (nullable → type union, OpenAPI-only keywords dropped) and
 * compiles with Ajv 8 + ajv-formats. Shapes are never copied by hand.
 *
 * Spec defects are corrected here, and recorded in `specErrata` so a test can pin them:
 * - a `required` name that is not among the schema's `properties` is dropped (ePayment PaymentEvent
 *   requires `paymentAction`, but the property is `name`; eCom AddressExpress requires `postCode`,
 *   but the property is `zipCode`);
 * - a `pattern` that is not a valid (unicode) regular expression (`^\\[A-Z]$` of express checkout's
 *   addressType) is ignored;
 * - a oneOf whose object alternatives have only optional properties can never be satisfied (every
 *   alternative matches any object): each alternative is made to require its properties (ePayment's
 *   Customer = phoneNumber | personalQr | customerToken);
 * - a `$ref` to another host (ePayment's `receipt` → the Order Management API on GitHub) cannot be
 *   resolved offline and accepts anything.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsImport from 'ajv-formats';
import YAML from 'yaml';

const addFormats = addFormatsImport as unknown as (ajv: Ajv) => Ajv;

export const SPEC_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../specs/vipps');

export const SPEC_FILES = {
  accessToken: 'access-token.openapi.yaml',
  ecom: 'ecom-v2/swagger.yaml',
  ecomMerchant: 'ecom-v2/ms_import.yaml',
  epayment: 'epayment-v1.openapi.yaml',
  webhooks: 'webhooks-v1.openapi.yaml',
} as const;
export type SpecName = keyof typeof SPEC_FILES;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

const documents = new Map<string, JsonObject>();

export function loadDocument(file: string): JsonObject {
  let doc = documents.get(file);
  if (!doc) {
    doc = YAML.parse(readFileSync(path.join(SPEC_DIR, file), 'utf8')) as JsonObject;
    documents.set(file, doc);
  }
  return doc;
}

/** Spec defects the adapter had to correct (see the file header). */
export const specErrata = new Set<string>();

/** Formats Ajv + ajv-formats know; others (e.g. "guid", "IATA 3-digit accounting code (PAX)") are descriptions, not formats. */
const KNOWN_FORMATS = new Set([
  'date-time',
  'date',
  'uri',
  'uuid',
  'byte',
  'int32',
  'int64',
  'float',
  'double',
  'email',
]);
/** OpenAPI-only keywords with no validation meaning. */
const DROPPED_KEYWORDS = new Set([
  'example',
  'examples',
  'discriminator',
  'xml',
  'externalDocs',
  'deprecated',
  'readOnly',
  'writeOnly',
  'nullable',
  'title',
  'description',
]);

function decodePointer(pointer: string): string[] {
  return pointer
    .split('/')
    .slice(1)
    .map((part) => decodeURIComponent(part).replace(/~1/g, '/').replace(/~0/g, '~'));
}

function resolveRef(fromFile: string, ref: string): { file: string; node: Json } | null {
  const [target = '', pointer = ''] = ref.split('#');
  if (/^[a-z]+:\/\//i.test(target)) return null;
  const file = target === '' ? fromFile : path.posix.normalize(path.posix.join(path.posix.dirname(fromFile), target));
  let node: Json = loadDocument(file);
  for (const key of decodePointer(pointer)) {
    if (node === null || typeof node !== 'object' || Array.isArray(node) || !(key in node)) {
      throw new Error(`Cannot resolve ${ref} from ${fromFile}`);
    }
    node = node[key] as Json;
  }
  return { file, node };
}

/** Follows `$ref`s of non-schema objects (path items, responses, request bodies). */
export function deref(file: string, node: Json): { file: string; node: JsonObject } {
  let current = { file, node };
  for (let depth = 0; depth < 20; depth++) {
    const value = current.node;
    if (value && typeof value === 'object' && !Array.isArray(value) && typeof value.$ref === 'string') {
      const next = resolveRef(current.file, value.$ref);
      if (!next) throw new Error(`External reference ${value.$ref} in ${current.file}`);
      current = next;
      continue;
    }
    return current as { file: string; node: JsonObject };
  }
  throw new Error('Reference chain too long');
}

function isUnicodeRegExp(pattern: string): boolean {
  try {
    new RegExp(pattern, 'u');
    return true;
  } catch {
    return false;
  }
}

/**
 * An object alternative of a oneOf with only optional properties matches every object, so the
 * oneOf can never hold (ePayment's Customer: phoneNumber | personalQr | customerToken). The intent
 * is "this one property": require it.
 */
function requireOneOfAlternative(file: string, alternative: Json): Json {
  if (alternative === null || typeof alternative !== 'object' || Array.isArray(alternative)) return alternative;
  const properties = alternative.properties;
  if (alternative.type !== 'object' || !properties || typeof properties !== 'object' || alternative.required)
    return alternative;
  const names = Object.keys(properties);
  specErrata.add(`${file}: oneOf alternative with no required property (${names.join(', ')}) now requires it`);
  return { ...alternative, required: names };
}

/** OpenAPI 3.0 schema → JSON Schema (draft-07), references inlined. */
export function toJsonSchema(file: string, schema: Json, trail: string[] = []): Json {
  if (Array.isArray(schema)) return schema.map((item) => toJsonSchema(file, item, trail));
  if (schema === null || typeof schema !== 'object') return schema;

  if (typeof schema.$ref === 'string') {
    const key = `${file}${schema.$ref.startsWith('#') ? '' : ' → '}${schema.$ref}`;
    if (trail.includes(key)) throw new Error(`Recursive schema at ${key}: not supported by this adapter`);
    const target = resolveRef(file, schema.$ref);
    if (!target) {
      specErrata.add(`${file}: external $ref ${schema.$ref} accepts anything`);
      return {};
    }
    return toJsonSchema(target.file, target.node, [...trail, key]);
  }

  const out: JsonObject = {};
  for (const [key, value] of Object.entries(schema)) {
    if (DROPPED_KEYWORDS.has(key) || key.startsWith('x-')) continue;
    if (key === 'format') {
      if (typeof value === 'string' && KNOWN_FORMATS.has(value)) out.format = value;
      continue;
    }
    if (key === 'pattern' && typeof value === 'string' && !isUnicodeRegExp(value)) {
      specErrata.add(`${file}: invalid pattern ${value} ignored`);
      continue;
    }
    if (key === 'properties' || key === 'patternProperties') {
      out[key] = Object.fromEntries(
        Object.entries(value as JsonObject).map(([name, property]) => [name, toJsonSchema(file, property, trail)]),
      );
      continue;
    }
    if (key === 'oneOf' && Array.isArray(value)) {
      out.oneOf = value.map((alternative) => requireOneOfAlternative(file, toJsonSchema(file, alternative, trail)));
      continue;
    }
    if (['items', 'additionalProperties', 'not', 'anyOf', 'allOf'].includes(key)) {
      out[key] = toJsonSchema(file, value, trail);
      continue;
    }
    out[key] = value;
  }

  if (Array.isArray(out.required) && out.properties && typeof out.properties === 'object') {
    const properties = out.properties as JsonObject;
    const missing = out.required.filter((name) => typeof name === 'string' && !(name in properties));
    if (missing.length > 0) {
      specErrata.add(
        `${file}: required ${missing.join(', ')} not among properties (${Object.keys(properties).join(', ')})`,
      );
      out.required = out.required.filter((name) => !missing.includes(name));
    }
  }

  if (schema.nullable === true) {
    if (typeof out.type === 'string') out.type = [out.type, 'null'];
    if (Array.isArray(out.enum)) out.enum = [...out.enum, null];
    if (out.type === undefined) return { anyOf: [out, { type: 'null' }] };
  }
  return out;
}

const ajv = addFormats(
  new Ajv({ allErrors: true, strict: true, strictTypes: false, strictRequired: false, allowUnionTypes: true }),
);
const compiled = new Map<string, ValidateFunction>();

function compile(key: string, file: string, schema: Json): ValidateFunction {
  let validate = compiled.get(key);
  if (!validate) {
    validate = ajv.compile(toJsonSchema(file, schema) as object);
    compiled.set(key, validate);
  }
  return validate;
}

function operation(spec: SpecName, method: string, specPath: string): { file: string; node: JsonObject } {
  const file = SPEC_FILES[spec];
  const paths = loadDocument(file).paths as JsonObject;
  if (!(specPath in paths)) throw new Error(`${spec}: no path ${specPath}`);
  const item = deref(file, paths[specPath] as Json);
  const op = item.node[method.toLowerCase()];
  if (!op) throw new Error(`${spec}: no ${method} ${specPath}`);
  return { file: item.file, node: op as JsonObject };
}

function mediaSchema(file: string, holder: JsonObject, what: string): { file: string; schema: Json } {
  const content = holder.content as JsonObject | undefined;
  const media = content ? Object.values(content)[0] : undefined;
  if (!media || typeof media !== 'object' || Array.isArray(media) || media === null || !('schema' in media)) {
    throw new Error(`${what} has no schema`);
  }
  return { file, schema: media.schema as Json };
}

/** The response schema of an operation for a status (falls back to `default`). */
export function responseValidator(spec: SpecName, method: string, specPath: string, status: number): ValidateFunction {
  const op = operation(spec, method, specPath);
  const responses = op.node.responses as JsonObject;
  const response = responses[String(status)] ?? responses.default;
  if (!response) throw new Error(`${spec} ${method} ${specPath}: no response ${status}`);
  const resolved = deref(op.file, response);
  const { file, schema } = mediaSchema(resolved.file, resolved.node, `${method} ${specPath} ${status}`);
  return compile(`${spec} ${method} ${specPath} ${status}`, file, schema);
}

/** The request body schema of an operation. */
export function requestValidator(spec: SpecName, method: string, specPath: string): ValidateFunction {
  const op = operation(spec, method, specPath);
  if (!op.node.requestBody) throw new Error(`${spec} ${method} ${specPath}: no request body`);
  const resolved = deref(op.file, op.node.requestBody);
  const { file, schema } = mediaSchema(resolved.file, resolved.node, `${method} ${specPath} request`);
  return compile(`${spec} ${method} ${specPath} request`, file, schema);
}

/** A named schema of `components.schemas`. */
export function schemaValidator(spec: SpecName, name: string): ValidateFunction {
  const file = SPEC_FILES[spec];
  const schemas = (loadDocument(file).components as JsonObject).schemas as JsonObject;
  if (!(name in schemas)) throw new Error(`${spec}: no schema ${name}`);
  return compile(`${spec} #${name}`, file, schemas[name] as Json);
}

/** Throws with Ajv's explanation when `data` does not match. */
export function assertValid(validate: ValidateFunction, data: unknown, label: string): void {
  if (!validate(data)) {
    throw new Error(
      `${label} does not match the spec: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(data, null, 2)}`,
    );
  }
}

/** The parameters an operation declares (for headers such as Idempotency-Key). */
export function parameterNames(spec: SpecName, method: string, specPath: string): string[] {
  const file = SPEC_FILES[spec];
  const paths = loadDocument(file).paths as JsonObject;
  const item = deref(file, paths[specPath] as Json);
  const op = item.node[method.toLowerCase()] as JsonObject;
  const params = [...((item.node.parameters as Json[]) ?? []), ...((op.parameters as Json[]) ?? [])];
  return params.map((param) => String(deref(item.file, param).node.name));
}
