/**
 * Reading the request side of a served OpenAPI 3.1 document: its operations, the JSON schemas
 * of their parameters and bodies ($refs resolved), and which strings or collections in them
 * have no upper bound.
 */

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
export function requestSchemasOf(doc: ServedDocument, op: OperationObject): [string, JsonSchema][] {
  const params = (op.parameters ?? []).map((p): [string, JsonSchema] => [`${p.in}.${p.name}`, p.schema]);
  const body = op.requestBody?.content?.['application/json']?.schema;
  return body ? [...params, ['json', body]] : params;
}

/** Paths (`.a.b[]`) inside a schema where a string, array or map has no upper bound. */
export function unboundedIn(doc: ServedDocument, root: JsonSchema): string[] {
  const found: string[] = [];
  const seen = new Set<JsonSchema>();
  const walk = (node: JsonSchema, at: string) => {
    const s = resolve(doc, node);
    if (seen.has(s)) return;
    seen.add(s);
    for (const alt of [...(s.anyOf ?? []), ...(s.oneOf ?? []), ...(s.allOf ?? [])]) walk(alt, at);
    const types = Array.isArray(s.type) ? s.type : s.type ? [s.type] : [];
    if (types.includes('string') && s.enum === undefined && s.const === undefined && s.maxLength === undefined) {
      found.push(`${at}: string without maxLength`);
    }
    if (types.includes('array')) {
      if (s.maxItems === undefined) found.push(`${at}: array without maxItems`);
      if (s.items) walk(s.items, `${at}[]`);
    }
    for (const [k, v] of Object.entries(s.properties ?? {})) walk(v, `${at}.${k}`);
    if (typeof s.additionalProperties === 'object') {
      if (s.maxProperties === undefined) found.push(`${at}: map without maxProperties`);
      if (s.propertyNames) walk(s.propertyNames, `${at}{key}`);
      walk(s.additionalProperties, `${at}{}`);
    }
  };
  walk(root, '');
  return found;
}
