/**
 * The fuzz suite's view of the server's own OpenAPI document: one Operation per path + method,
 * with its auth, parameters and body schema resolved from components, so generators can derive
 * hostile input from the schemas alone (a new route or field is fuzzed without touching the suite).
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- walks a JSON document */

export type JsonSchema = Record<string, any>;

export interface OpenApiDoc {
  paths: Record<string, Record<string, any>>;
  components: { schemas: Record<string, JsonSchema> };
}

export type OperationAuth = 'merchant' | 'client' | 'none' | 'provider';

export interface Parameter {
  name: string;
  schema: JsonSchema;
  required: boolean;
}

export interface Operation {
  operationId: string;
  method: string;
  /** OpenAPI path template, e.g. `/v1/payments/{paymentId}`. */
  path: string;
  auth: OperationAuth;
  pathParams: Parameter[];
  queryParams: Parameter[];
  headerParams: Parameter[];
  /** JSON body schema (resolved), when the operation takes a JSON body. */
  body: JsonSchema | null;
  bodyRequired: boolean;
  /** The operation takes an opaque, provider-authenticated body (callbacks). */
  rawBody: boolean;
}

/** Inline `$ref`s (recursively, bounded) so every schema can be walked without the document. */
export function resolver(doc: OpenApiDoc): (schema: JsonSchema | undefined) => JsonSchema {
  const resolve = (schema: JsonSchema | undefined, depth = 0): JsonSchema => {
    if (!schema || depth > 20) return {};
    if (typeof schema.$ref === 'string') {
      const name = schema.$ref.split('/').pop()!;
      const { $ref: _ref, ...rest } = schema;
      return { ...resolve(doc.components.schemas[name], depth + 1), ...rest };
    }
    const out: JsonSchema = { ...schema };
    if (out.properties) {
      out.properties = Object.fromEntries(
        Object.entries(out.properties as Record<string, JsonSchema>).map(([k, v]) => [k, resolve(v, depth + 1)]),
      );
    }
    if (out.items) out.items = resolve(out.items, depth + 1);
    if (out.anyOf) out.anyOf = (out.anyOf as JsonSchema[]).map((s) => resolve(s, depth + 1));
    if (out.oneOf) out.oneOf = (out.oneOf as JsonSchema[]).map((s) => resolve(s, depth + 1));
    if (out.additionalProperties && typeof out.additionalProperties === 'object') {
      out.additionalProperties = resolve(out.additionalProperties, depth + 1);
    }
    return out;
  };
  return resolve;
}

export function operationsOf(doc: OpenApiDoc): Operation[] {
  const resolve = resolver(doc);
  const operations: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const params = (op.parameters ?? []) as any[];
      const pick = (where: string): Parameter[] =>
        params
          .filter((p) => p.in === where)
          .map((p) => ({ name: p.name as string, schema: resolve(p.schema), required: p.required === true }));
      const content = op.requestBody?.content ?? {};
      const rawBody = '*/*' in content;
      const security = (op.security ?? []) as Record<string, unknown>[];
      const auth: OperationAuth = security.some((s) => 'merchantApiKey' in s)
        ? 'merchant'
        : security.some((s) => 'clientToken' in s)
          ? 'client'
          : rawBody
            ? 'provider'
            : 'none';
      operations.push({
        operationId: op.operationId,
        method: method.toUpperCase(),
        path,
        auth,
        pathParams: pick('path'),
        queryParams: pick('query'),
        headerParams: pick('header'),
        body: content['application/json'] ? resolve(content['application/json'].schema) : null,
        bodyRequired: op.requestBody?.required === true,
        rawBody,
      });
    }
  }
  return operations;
}

/** JSON types a schema admits (`integer` counts as `number` for "wrong type" purposes). */
export function admittedTypes(schema: JsonSchema): Set<string> {
  const types = new Set<string>();
  const add = (s: JsonSchema) => {
    const t = s.type;
    if (Array.isArray(t)) t.forEach((x: string) => types.add(x === 'integer' ? 'number' : x));
    else if (typeof t === 'string') types.add(t === 'integer' ? 'number' : t);
    else if (s.enum) (s.enum as unknown[]).forEach((v) => types.add(v === null ? 'null' : typeof v));
    else if (s.const !== undefined) types.add(s.const === null ? 'null' : typeof s.const);
  };
  if (schema.anyOf || schema.oneOf) for (const s of (schema.anyOf ?? schema.oneOf) as JsonSchema[]) add(s);
  else add(schema);
  if (types.size === 0) ['string', 'number', 'boolean', 'object', 'array', 'null'].forEach((t) => types.add(t));
  return types;
}

/** The non-null branch of a nullable schema (`anyOf: [X, {type: null}]`), or the schema itself. */
export function nonNull(schema: JsonSchema): JsonSchema {
  const branches = (schema.anyOf ?? schema.oneOf) as JsonSchema[] | undefined;
  if (!branches) return schema;
  const real = branches.filter((b) => b.type !== 'null');
  return real.length === 1 ? real[0]! : schema;
}

/** A string schema whose values are constrained beyond length (so arbitrary text is invalid). */
export function isConstrainedString(schema: JsonSchema): boolean {
  const s = nonNull(schema);
  return s.type === 'string' && (s.pattern !== undefined || s.enum !== undefined || s.format !== undefined);
}
