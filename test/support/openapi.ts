/**
 * Reading the request side of a served OpenAPI 3.1 document: its operations, the JSON schemas
 * of their parameters and bodies ($refs resolved), and which strings or collections in them
 * have no upper bound; fast-check arbitraries for those schemas.
 */
import fc from 'fast-check';

/** A JSON Schema node as zod-openapi emits it (only the keywords the tests read). */
export interface JsonSchema {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: JsonSchema | boolean;
  propertyNames?: JsonSchema;
  maxProperties?: number;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  default?: unknown;
}

export interface ParameterObject {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema: JsonSchema;
}

export interface OperationObject {
  parameters?: ParameterObject[];
  requestBody?: { content?: Record<string, { schema: JsonSchema }> };
  responses?: Record<string, unknown>;
  security?: Record<string, string[]>[];
}

export interface ServedDocument {
  paths: Record<string, Record<string, OperationObject>>;
  components?: { schemas?: Record<string, JsonSchema> };
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

/** Every operation of the document, in document order. */
export function operationsOf(doc: ServedDocument): { method: string; path: string; operation: OperationObject }[] {
  return Object.entries(doc.paths).flatMap(([path, ops]) =>
    METHODS.filter((m) => ops[m]).map((method) => ({ method, path, operation: ops[method] as OperationObject })),
  );
}

/** The schema a `$ref` points at (`#/components/schemas/Name`), or the schema itself. */
export function resolve(doc: ServedDocument, schema: JsonSchema): JsonSchema {
  if (!schema.$ref) return schema;
  const name = schema.$ref.replace('#/components/schemas/', '');
  const target = doc.components?.schemas?.[name];
  if (!target) throw new Error(`unresolved ${schema.$ref}`);
  return resolve(doc, target);
}

/** `[where, schema]` for each parameter and the JSON body of an operation. */
export function requestSchemasOf(op: OperationObject): [string, JsonSchema][] {
  const params = (op.parameters ?? []).map((p): [string, JsonSchema] => [`${p.in}.${p.name}`, p.schema]);
  const body = op.requestBody?.content?.['application/json']?.schema;
  return body ? [...params, ['json', body]] : params;
}

/**
 * What `check` finds at every schema inside `root` (alternatives, items, properties, map keys and
 * values), each visited once, with its path (`.a.b[]`, `{key}`, `{}`).
 */
function findIn(doc: ServedDocument, root: JsonSchema, check: (s: JsonSchema, at: string) => string[]): string[] {
  const found: string[] = [];
  const seen = new Set<JsonSchema>();
  const walk = (node: JsonSchema, at: string) => {
    const s = resolve(doc, node);
    if (seen.has(s)) return;
    seen.add(s);
    found.push(...check(s, at));
    for (const alt of [...(s.anyOf ?? []), ...(s.oneOf ?? []), ...(s.allOf ?? [])]) walk(alt, at);
    if (s.items) walk(s.items, `${at}[]`);
    for (const [k, v] of Object.entries(s.properties ?? {})) walk(v, `${at}.${k}`);
    if (s.propertyNames) walk(s.propertyNames, `${at}{key}`);
    if (typeof s.additionalProperties === 'object') walk(s.additionalProperties, `${at}{}`);
  };
  walk(root, '');
  return found;
}

/** Paths (`.a.b[]`) inside a schema where a string, array or map has no upper bound. */
export function unboundedIn(doc: ServedDocument, root: JsonSchema): string[] {
  return findIn(doc, root, (s, at) => {
    const types = Array.isArray(s.type) ? s.type : s.type ? [s.type] : [];
    return [
      ...(types.includes('string') && s.enum === undefined && s.const === undefined && s.maxLength === undefined
        ? [`${at}: string without maxLength`]
        : []),
      ...(types.includes('array') && s.maxItems === undefined ? [`${at}: array without maxItems`] : []),
      ...(typeof s.additionalProperties === 'object' && s.maxProperties === undefined ? [`${at}: map without maxProperties`] : []),
    ];
  });
}

/** Paths inside a schema of objects with named properties that do not refuse other ones (`additionalProperties: false`). */
export function openObjectsIn(doc: ServedDocument, root: JsonSchema): string[] {
  return findIn(doc, root, (s, at) => (s.properties && s.additionalProperties !== false ? [at || '(the body)'] : []));
}

/**
 * Values for a schema: mostly what it describes (enums, patterns, bounds, required and
 * optional properties; collections kept short), sometimes just outside it (one past a bound,
 * a wrong type), so a fuzzer reaches both the handlers and the validators.
 */
export function arbitraryOf(doc: ServedDocument, schema: JsonSchema, depth = 0): fc.Arbitrary<unknown> {
  const s = resolve(doc, schema);
  const alternatives = [...(s.anyOf ?? []), ...(s.oneOf ?? [])];
  if (alternatives.length > 0) return fc.oneof(...alternatives.map((a) => arbitraryOf(doc, a, depth + 1)));
  if (s.allOf?.[0]) return arbitraryOf(doc, s.allOf[0], depth + 1);
  if (s.enum) return fc.constantFrom(...s.enum);
  if (s.const !== undefined) return fc.constant(s.const);
  const types = Array.isArray(s.type) ? s.type : s.type ? [s.type] : ['object'];
  return fc.oneof(...types.map((t) => arbitraryOfType(doc, s, t, depth)));
}

function arbitraryOfType(doc: ServedDocument, s: JsonSchema, type: string, depth: number): fc.Arbitrary<unknown> {
  switch (type) {
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'integer':
    case 'number': {
      const min = s.minimum ?? (s.exclusiveMinimum === undefined ? -1e6 : s.exclusiveMinimum + 1);
      const max = s.maximum ?? (s.exclusiveMaximum === undefined ? 1e6 : s.exclusiveMaximum - 1);
      const inside = type === 'integer' ? fc.integer({ min: Math.ceil(min), max: Math.floor(max) }) : fc.double({ min, max, noNaN: true });
      return fc.oneof({ weight: 4, arbitrary: inside }, fc.constantFrom(min - 1, max + 1, 0.5));
    }
    case 'string': {
      const maxLength = Math.min(s.maxLength ?? 40, 300);
      const matching = s.pattern ? fc.stringMatching(new RegExp(s.pattern)) : undefined;
      // A pattern's strings are cut to the declared maxLength only (an undeclared one would filter forever).
      const inside = matching
        ? s.maxLength === undefined
          ? matching
          : matching.filter((v) => v.length <= maxLength)
        : fc.string({ minLength: s.minLength ?? 0, maxLength, unit: 'binary' });
      const outside = fc.constantFrom('', 'x'.repeat(maxLength + 1), '__proto__', '\u0000\u202e', '-1', '1e400');
      return fc.oneof({ weight: 4, arbitrary: inside }, outside);
    }
    case 'array': {
      if (depth > 6 || !s.items) return fc.constant([]);
      return fc.array(arbitraryOf(doc, s.items, depth + 1), { maxLength: Math.min(s.maxItems ?? 3, 3) });
    }
    default: {
      if (depth > 6) return fc.constant({});
      const required = new Set(s.required ?? []);
      const shape: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [k, v] of Object.entries(s.properties ?? {})) shape[k] = arbitraryOf(doc, v, depth + 1);
      const requiredKeys = Object.keys(shape).filter((k) => required.has(k));
      const extra =
        typeof s.additionalProperties === 'object'
          ? fc.dictionary(fc.string({ maxLength: 8 }), arbitraryOf(doc, s.additionalProperties, depth + 1), { maxKeys: 3 })
          : fc.constant({});
      return fc.tuple(fc.record(shape, { requiredKeys }), extra).map(([known, more]) => ({ ...more, ...known }));
    }
  }
}
