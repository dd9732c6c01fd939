/**
 * Hostile values for the fuzz suite, derived from JSON Schemas: values of the wrong type, values
 * breaking a constraint, over-long and unicode-heavy strings, prototype-polluting objects, and
 * body mutations (one defect each) of a valid example body. Every generator here produces input
 * that the server MUST reject; where a schema admits arbitrary text, only text the server refuses
 * everywhere (lone surrogates, NUL and other control characters) is used.
 */
/* eslint-disable @typescript-eslint/no-explicit-any -- JSON values and schemas are walked loosely */
import fc from 'fast-check';
import { admittedTypes, isConstrainedString, nonNull, type JsonSchema } from './openapi-model.js';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Pieces of text that break naive handling: bidi overrides, zero-width, combining marks, emoji, surrogates, NUL. */
export const UNICODE_ATOMS = [
  '\u202e', // RIGHT-TO-LEFT OVERRIDE
  '\u202d',
  '\u2066',
  '\u200f', // RTL mark
  '\u200b', // zero-width space
  '\u200d', // zero-width joiner
  '\ufeff', // BOM
  'e\u0301\u0301\u0301', // stacked combining marks
  'Z\u0351\u0352\u0357\u0350\u0351',
  '😀',
  '👩‍👩‍👧‍👦',
  '🇳🇴',
  '\ud83d', // lone high surrogate
  '\ude00', // lone low surrogate
  '\u0000', // NUL
  '\u0007',
  '\u001b[31m',
  '\u2028',
  'ß',
  'İ',
  'Ａ', // fullwidth
  '𝒜',
  'שלום',
  'مرحبا',
  'ｐａｙ＿',
  '\u00a0',
  '%00',
  '../',
];

/** Characters the server refuses in any JSON text (see src/http/json-safety.ts). */
export const FORBIDDEN_TEXT = ['\u0000', '\ud800', '\udfff', '\u0007', '\u001b', '\u007f', '\u000b'];

export const unicodeHeavy: fc.Arbitrary<string> = fc
  .array(fc.oneof(fc.constantFrom(...UNICODE_ATOMS), fc.string({ unit: 'binary', minLength: 1, maxLength: 6 })), {
    minLength: 1,
    maxLength: 12,
  })
  .map((parts) => parts.join(''))
  // Some non-ASCII (or control) content is the point of this generator.
  .filter((s) => /[^\x20-\x7e]/.test(s));

/** Unicode-heavy text that also carries a character the server must refuse. */
export const forbiddenText: fc.Arbitrary<string> = fc
  .tuple(unicodeHeavy, fc.constantFrom(...FORBIDDEN_TEXT), fc.nat())
  .map(([text, bad, at]) => {
    // Split at a code point boundary and fence the bad character with ASCII, so an inserted lone
    // surrogate can never pair up with a neighbour into a valid character.
    const points = [...text];
    const i = at % (points.length + 1);
    return `${points.slice(0, i).join('')}x${bad}x${points.slice(i).join('')}`;
  });

function matches(schema: JsonSchema, value: string): boolean {
  const s = nonNull(schema);
  if (s.enum) return (s.enum as unknown[]).includes(value);
  if (s.pattern && !new RegExp(s.pattern).test(value)) return false;
  // zod measures string length in code points, not UTF-16 units.
  const length = [...value].length;
  if (s.maxLength !== undefined && length > s.maxLength) return false;
  if (s.minLength !== undefined && length < s.minLength) return false;
  if (s.format === 'uri') {
    try {
      new URL(value);
    } catch {
      return false;
    }
  }
  return true;
}

/** A string this (constrained) string schema refuses. */
export function invalidString(schema: JsonSchema): fc.Arbitrary<string> {
  const s = nonNull(schema);
  const options: fc.Arbitrary<string>[] = [
    fc.string({ maxLength: 80 }),
    unicodeHeavy,
    fc.constantFrom('', ' ', 'null', 'undefined', '0', 'true', '[]', '{}', '<script>', "' OR 1=1 --", '${7*7}'),
  ];
  if (s.maxLength !== undefined) {
    options.push(fc.integer({ min: s.maxLength + 1, max: s.maxLength + 400 }).map((n) => 'A'.repeat(n)));
  }
  if (s.pattern) options.push(fc.integer({ min: 65, max: 3000 }).map((n) => 'A'.repeat(n)));
  return fc.oneof(...options).filter((v) => !matches(s, v));
}

/** Any JSON value of a type the schema does not admit. */
export function wrongTypeValue(schema: JsonSchema): fc.Arbitrary<Json> {
  const admitted = admittedTypes(schema);
  const integerOnly = nonNull(schema).type === 'integer';
  const byType: Record<string, fc.Arbitrary<Json>> = {
    string: fc.oneof(fc.constantFrom('12', '100', 'true', 'null', '[]', '{}', '1e3'), fc.string({ maxLength: 20 })),
    number: fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true })),
    boolean: fc.boolean(),
    object: fc.oneof(
      fc.constant({}),
      fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 1 }) as fc.Arbitrary<Json>, {
        maxKeys: 3,
      }),
    ),
    array: fc.oneof(
      fc.constant<Json>([]),
      fc.array(fc.jsonValue({ maxDepth: 1 }) as fc.Arbitrary<Json>, { maxLength: 3 }),
    ),
    null: fc.constant(null),
  };
  const options = Object.entries(byType)
    .filter(([type]) => !admitted.has(type))
    .map(([, arb]) => arb);
  // numbers → non-integers for integer schemas ("wrong type" in the schema's own terms)
  if (integerOnly) options.push(fc.double({ min: -1e6, max: 1e6, noNaN: true }).filter((n) => !Number.isInteger(n)));
  return fc.oneof(...options);
}

/** A value of the right type that breaks the schema's constraints (range, length, pattern, enum, items). */
export function constraintBreaker(schema: JsonSchema): fc.Arbitrary<Json | RawNumber> | null {
  const s = nonNull(schema);
  const type = Array.isArray(s.type) ? s.type[0] : s.type;
  if (type === 'integer' || type === 'number') {
    const options: fc.Arbitrary<Json | RawNumber>[] = [
      // JSON numbers that parse to non-finite or absurd values
      fc.constantFrom(new RawNumber('1e400'), new RawNumber('-1e400'), new RawNumber('-0'), new RawNumber('1e-400')),
    ];
    if (s.minimum !== undefined) options.push(fc.integer({ min: -1e12, max: s.minimum - 1 }), fc.constant(-1e300));
    if (s.maximum !== undefined)
      options.push(fc.integer({ min: s.maximum + 1, max: Number.MAX_SAFE_INTEGER }), fc.constant(1e300));
    if (type === 'integer') options.push(fc.constant(new RawNumber('1.5')), fc.constant(Number.MAX_SAFE_INTEGER + 2));
    return fc.oneof(...options).filter((v) => !(v instanceof RawNumber) || !numberInRange(s, v.text));
  }
  if (type === 'string' && (isConstrainedString(s) || s.maxLength !== undefined || (s.minLength ?? 0) > 0)) {
    return invalidString(s);
  }
  if (type === 'array') {
    const item = s.items as JsonSchema | undefined;
    const validItem: Json | undefined = item?.enum ? (item.enum[0] as Json) : undefined;
    const options: fc.Arbitrary<Json>[] = [];
    if ((s.minItems ?? 0) > 0) options.push(fc.constant([]));
    if (s.maxItems !== undefined && validItem !== undefined) {
      options.push(fc.integer({ min: s.maxItems + 1, max: s.maxItems + 50 }).map((n) => Array(n).fill(validItem)));
    }
    if (item) {
      options.push(wrongTypeValue(item).map((bad) => (validItem === undefined ? [bad] : [validItem, bad])));
      if (isConstrainedString(item)) options.push(invalidString(item).map((bad) => [bad]));
    }
    return options.length ? fc.oneof(...options) : null;
  }
  if (type === 'object' && s.additionalProperties && typeof s.additionalProperties === 'object') {
    // A record (e.g. metadata): a hostile key, or a value its value schema refuses.
    const valueSchema = s.additionalProperties as JsonSchema;
    const keyMax = (s.propertyNames as JsonSchema | undefined)?.maxLength;
    const options: fc.Arbitrary<Json>[] = [
      forbiddenText.map((key) => ({ [key]: 'x' })),
      wrongTypeValue(valueSchema).map((v) => ({ key: v })),
    ];
    if (valueSchema.maxLength !== undefined) options.push(fc.constant({ key: 'v'.repeat(valueSchema.maxLength + 1) }));
    if (keyMax !== undefined) options.push(fc.constant({ ['k'.repeat(keyMax + 1)]: 'v' }));
    if (valueSchema.type === 'string') options.push(forbiddenText.map((v) => ({ key: v })));
    return fc.oneof(...options);
  }
  return null;
}

function numberInRange(schema: JsonSchema, text: string): boolean {
  const n = JSON.parse(text) as number;
  if (!Number.isFinite(n)) return false;
  if (schema.type === 'integer' && !Number.isInteger(n)) return false;
  if (Object.is(n, -0) && schema.minimum !== undefined && schema.minimum > 0) return false;
  if (schema.minimum !== undefined && n < schema.minimum) return false;
  if (schema.maximum !== undefined && n > schema.maximum) return false;
  return true;
}

/** A number written verbatim into the JSON text (`1e400`, `-0`, `1.5` survive only this way). */
export class RawNumber {
  constructor(readonly text: string) {}
}

/** Objects that try to reach Object.prototype (as own `__proto__` keys, as JSON.parse makes them). */
export const pollutingObject: fc.Arbitrary<Json> = fc
  .constantFrom<() => Json>(
    () => JSON.parse('{"__proto__":{"polluted":"yes"}}'),
    () => JSON.parse('{"__proto__":{"__proto__":{"polluted":"yes"}}}'),
    () => ({ constructor: { prototype: { polluted: 'yes' } } }),
    () => JSON.parse('{"constructor":{"prototype":{"polluted":"yes"}},"__proto__":null}'),
    () => ({ prototype: { polluted: 'yes' } }),
    () => JSON.parse('{"a":{"b":{"__proto__":{"polluted":"yes"}}}}'),
    () => JSON.parse('{"__proto__":[]}'),
    () => JSON.parse('{"__proto__":"polluted"}'),
  )
  .map((make) => make());

// ------------------------------------------------------------------ body mutations

export type PathSeg = string | number;

export interface Slot {
  path: PathSeg[];
  schema: JsonSchema;
}

/** Every property position of a body schema: nested object properties are walked where the example has them. */
export function slotsOf(schema: JsonSchema, example: Json | undefined, path: PathSeg[] = []): Slot[] {
  const s = nonNull(schema);
  const slots: Slot[] = [];
  const properties = (s.properties ?? {}) as Record<string, JsonSchema>;
  for (const [name, propSchema] of Object.entries(properties)) {
    slots.push({ path: [...path, name], schema: propSchema });
    const child =
      example && typeof example === 'object' && !Array.isArray(example)
        ? (example as Record<string, Json>)[name]
        : undefined;
    const childSchema = nonNull(propSchema);
    if (childSchema.type === 'object' && childSchema.properties && child && typeof child === 'object') {
      slots.push(...slotsOf(childSchema, child, [...path, name]));
    }
  }
  return slots;
}

/** Objects of the example (root included) with their schema: where fields can go missing or be added. */
export function objectsOf(schema: JsonSchema, example: Json, path: PathSeg[] = []): Slot[] {
  const s = nonNull(schema);
  if (s.type !== 'object' || !example || typeof example !== 'object' || Array.isArray(example)) return [];
  const found: Slot[] = [{ path, schema: s }];
  for (const [name, propSchema] of Object.entries((s.properties ?? {}) as Record<string, JsonSchema>)) {
    const child = (example as Record<string, Json>)[name];
    if (child !== undefined) found.push(...objectsOf(propSchema, child, [...path, name]));
  }
  return found;
}

function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** Set a property as an own data property (never through a `__proto__` setter). */
function define(target: Record<string, unknown>, key: string, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

export function setAt(root: Json, path: PathSeg[], value: unknown): Json {
  if (path.length === 0) return value as Json;
  const copy = clone(root) as Record<string, unknown>;
  let node = copy;
  for (const seg of path.slice(0, -1)) {
    const next = node[String(seg)];
    if (!next || typeof next !== 'object') define(node, String(seg), {});
    node = node[String(seg)] as Record<string, unknown>;
  }
  define(node, String(path[path.length - 1]), value);
  return copy as Json;
}

export function deleteAt(root: Json, path: PathSeg[]): Json {
  const copy = clone(root) as Record<string, unknown>;
  let node = copy;
  for (const seg of path.slice(0, -1)) node = node[String(seg)] as Record<string, unknown>;
  delete node[String(path[path.length - 1])];
  return copy as Json;
}

/** Serialise a mutated body, writing RawNumber placeholders verbatim. */
export function toJsonText(value: unknown): string {
  const raws: string[] = [];
  const text = JSON.stringify(value, (_key, v: unknown) => {
    if (v instanceof RawNumber) {
      raws.push(v.text);
      return `__RAW_NUMBER_${raws.length - 1}__`;
    }
    return v;
  });
  return text.replace(/"__RAW_NUMBER_(\d+)__"/g, (_m, i: string) => raws[Number(i)]!);
}

export interface BodyMutation {
  label: string;
  text: string;
}

const pathLabel = (path: PathSeg[]) => ['body', ...path].join('.');

/** Wrong JSON types per property (numbers→strings, strings→objects, arrays→scalars, null where not nullable…). */
export function wrongTypeMutations(schema: JsonSchema, example: Json): fc.Arbitrary<BodyMutation> {
  const slots = slotsOf(schema, example);
  return fc.constantFrom(...slots).chain((slot) =>
    wrongTypeValue(slot.schema).map((value) => ({
      label: `${pathLabel(slot.path)} wrong type ${JSON.stringify(value)?.slice(0, 40)}`,
      text: toJsonText(setAt(example, slot.path, value)),
    })),
  );
}

/** Right type, broken constraint (range, length, pattern, enum, item count, record entries). */
export function constraintMutations(schema: JsonSchema, example: Json): fc.Arbitrary<BodyMutation> | null {
  const breakers = slotsOf(schema, example)
    .map((slot) => ({ slot, arb: constraintBreaker(slot.schema) }))
    .filter((x): x is { slot: Slot; arb: fc.Arbitrary<Json | RawNumber> } => x.arb !== null);
  if (breakers.length === 0) return null;
  return fc.constantFrom(...breakers).chain(({ slot, arb }) =>
    arb.map((value) => ({
      label: `${pathLabel(slot.path)} breaks its constraints`,
      text: toJsonText(setAt(example, slot.path, value)),
    })),
  );
}

export function missingRequiredMutations(schema: JsonSchema, example: Json): fc.Arbitrary<BodyMutation> | null {
  const removable = objectsOf(schema, example).flatMap((obj) =>
    ((obj.schema.required ?? []) as string[]).map((name) => [...obj.path, name]),
  );
  if (removable.length === 0) return null;
  return fc.constantFrom(...removable).map((path) => ({
    label: `${pathLabel(path)} missing`,
    text: toJsonText(deleteAt(example, path)),
  }));
}

/** Unknown fields on strict objects; hostile keys on records. */
export function extraPropertyMutations(schema: JsonSchema, example: Json): fc.Arbitrary<BodyMutation> | null {
  const objects = objectsOf(schema, example);
  const strict = objects.filter((o) => o.schema.additionalProperties === false);
  if (strict.length === 0) return null;
  return fc
    .tuple(
      fc.constantFrom(...strict),
      fc.oneof(
        fc.string({ minLength: 1, maxLength: 30 }),
        unicodeHeavy,
        fc.constantFrom('admin', 'isAdmin', 'amount_override', 'payee', 'toString', 'hasOwnProperty', 'valueOf'),
      ),
      fc.jsonValue({ maxDepth: 2 }),
    )
    .filter(([obj, key]) => !Object.hasOwn((obj.schema.properties ?? {}) as object, key))
    .map(([obj, key, value]) => ({
      label: `${pathLabel(obj.path)} + unknown field ${JSON.stringify(key).slice(0, 30)}`,
      text: toJsonText(setAt(example, [...obj.path, key], value)),
    }));
}

/** Over-long strings (past maxLength or pattern bounds, some past the body limit). */
export function oversizedStringMutations(
  schema: JsonSchema,
  example: Json,
  bodyLimit: number,
): fc.Arbitrary<BodyMutation> | null {
  const slots = slotsOf(schema, example).filter((slot) => {
    const s = nonNull(slot.schema);
    return s.type === 'string' && (s.maxLength !== undefined || s.pattern !== undefined || s.enum !== undefined);
  });
  if (slots.length === 0) return null;
  return fc
    .tuple(
      fc.constantFrom(...slots),
      fc.oneof(fc.integer({ min: 1, max: 2000 }), fc.integer({ min: bodyLimit, max: bodyLimit * 4 })),
    )
    .map(([slot, extra]) => {
      const s = nonNull(slot.schema);
      const length = (s.maxLength ?? 64) + extra;
      return { length, slot };
    })
    .chain(({ length, slot }) =>
      fc.constantFrom('A', 'é', '😀', 'ﷺ').map((ch) => ({
        // Each of these is one code point (the unit zod's maxLength counts).
        label: `${pathLabel(slot.path)} ${length} × ${ch}`,
        text: toJsonText(setAt(example, slot.path, ch.repeat(length))),
      })),
    );
}

/** Unicode-heavy strings in every string position: constrained ones refuse any of it, free text refuses forbidden characters. */
export function unicodeMutations(schema: JsonSchema, example: Json): fc.Arbitrary<BodyMutation> | null {
  const slots = slotsOf(schema, example).filter((slot) => nonNull(slot.schema).type === 'string');
  if (slots.length === 0) return null;
  return fc.constantFrom(...slots).chain((slot) =>
    (isConstrainedString(slot.schema) ? unicodeHeavy.filter((v) => !matches(slot.schema, v)) : forbiddenText).map(
      (value) => ({
        label: `${pathLabel(slot.path)} = unicode ${JSON.stringify(value).slice(0, 40)}`,
        text: toJsonText(setAt(example, slot.path, value)),
      }),
    ),
  );
}

/** `__proto__` / `constructor.prototype` payloads at the root and inside every object position. */
export function pollutionMutations(schema: JsonSchema | null, example: Json): fc.Arbitrary<BodyMutation> {
  const positions: PathSeg[][] = schema
    ? [
        ...objectsOf(schema, example).map((o) => o.path),
        ...slotsOf(schema, example)
          .filter((slot) => nonNull(slot.schema).type === 'object')
          .map((slot) => slot.path),
      ]
    : [[]];
  const unique = [...new Map(positions.map((p) => [p.join('.'), p])).values()];
  const rawTexts = fc.constantFrom(
    '{"__proto__":{"polluted":"yes"}}',
    '{"constructor":{"prototype":{"polluted":"yes"}}}',
    '{"__proto__":{"polluted":"yes"},"__proto__":{"polluted":"again"}}',
    '[{"__proto__":{"polluted":"yes"}}]',
    '{"a":[{"b":{"__proto__":{"polluted":"yes"}}}]}',
  );
  return fc.oneof(
    rawTexts.map((text) => ({ label: `raw ${text.slice(0, 40)}`, text })),
    fc.tuple(fc.constantFrom(...unique), pollutingObject).map(([path, payload]) => {
      // Merge the payload's keys into the object at `path` (so siblings stay valid).
      let body = example;
      const target = path.length ? getAt(example, path) : example;
      if (target && typeof target === 'object' && !Array.isArray(target)) {
        for (const key of Object.keys(payload as object)) {
          body = setAt(body, [...path, key], (payload as Record<string, Json>)[key]);
        }
      } else {
        body = setAt(body, path, payload);
      }
      return { label: `${pathLabel(path)} ⊕ ${JSON.stringify(payload).slice(0, 40)}`, text: toJsonText(body) };
    }),
  );
}

function getAt(root: Json, path: PathSeg[]): Json | undefined {
  let node: any = root;
  for (const seg of path) node = node?.[seg];
  return node as Json | undefined;
}

/** Not JSON at all, or JSON cut short. */
export function malformedJson(): fc.Arbitrary<string> {
  return fc
    .oneof(
      fc.string({ minLength: 1, maxLength: 200 }),
      fc.string({ unit: 'binary', minLength: 1, maxLength: 100 }),
      fc.constantFrom(
        '{',
        '}',
        '{"a":}',
        "{'a':1}",
        '{"a":1,}',
        '[1,2,]',
        '{"a":NaN}',
        '{"a":Infinity}',
        '{"a":undefined}',
        '{a:1}',
        '// comment\n{}',
        '/* c */{}',
        '\ufeff\ufeff{}', // one BOM is allowed (RFC 8259) and stripped; two are not JSON
        '{"a":"\\x41"}',
        '{"a":"\\u12"}',
        '{"a":1}{"b":2}',
        '{"a":1} trailing',
        'nul',
        'tru',
        '"unterminated',
        '{"a":"\n"}',
        '\u0000',
        '{"a":01}',
        '{"a":.5}',
        '{"a":+1}',
        '0x10',
      ),
    )
    .filter((text) => text.trim() !== '' && !parses(text));
}

export function truncated(text: string): fc.Arbitrary<string> {
  return fc
    .integer({ min: 1, max: Math.max(1, text.length - 1) })
    .map((cut) => text.slice(0, cut))
    .filter((t) => t.trim() !== '' && !parses(t));
}

/**
 * Whether the server could read `text` as JSON once it is on the wire: lone surrogates become
 * U+FFFD in UTF-8, and one leading BOM is stripped by the server's UTF-8 decoder.
 */
export function parses(text: string): boolean {
  const wire = text
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\ufffd')
    .replace(/^\ufeff/, '');
  try {
    JSON.parse(wire);
    return true;
  } catch {
    return false;
  }
}
