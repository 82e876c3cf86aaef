/**
 * Every response checked against the served OpenAPI document: the route's response schema for
 * that status (JSON Schema 2020-12, by ajv with formats). A status the document does not list
 * for the route, or a body that does not match its schema, throws naming the route and the
 * mismatches, so a route whose answer drifts from its contract fails the test that called it.
 * Objects are checked closed: a field the document does not declare (a stray snake_case
 * column, say) is a mismatch too.
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

interface Operation {
  responses?: Record<string, { content?: Record<string, { schema?: unknown }> }>;
}
export interface ContractDocument {
  paths: Record<string, Record<string, Operation>>;
}

const DOC_ID = 'openapi.json';
const OPENAPI_PATH = '/api/v1/openapi.json';
const pointer = (...parts: string[]) => parts.map((p) => p.replaceAll('~', '~0').replaceAll('/', '~1')).join('/');

type Node = Record<string, unknown>;
const isNode = (v: unknown): v is Node => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Every object schema that declares its properties and says nothing of others refuses others.
 * A composition (`allOf`, what zod-openapi makes of `.extend`) is closed as a whole with
 * `unevaluatedProperties: false`; its branches, and the components they reference, stay open
 * there, since each branch sees only its own properties.
 */
function closed(doc: Node): Node {
  const branches = new Set<string>();
  const collect = (v: unknown): void => {
    if (Array.isArray(v)) for (const n of v) collect(n);
    else if (isNode(v)) {
      if (Array.isArray(v.allOf)) for (const b of v.allOf) if (isNode(b) && typeof b.$ref === 'string') branches.add(b.$ref);
      for (const n of Object.values(v)) collect(n);
    }
  };
  const close = (v: unknown, open: boolean): void => {
    if (Array.isArray(v)) for (const n of v) close(n, false);
    else if (isNode(v)) {
      if (Array.isArray(v.allOf) && !('unevaluatedProperties' in v)) v.unevaluatedProperties = false;
      if (!open && isNode(v.properties) && !('additionalProperties' in v)) v.additionalProperties = false;
      for (const [key, n] of Object.entries(v)) {
        if (key === 'allOf' && Array.isArray(n)) for (const b of n) close(b, true);
        else close(n, false);
      }
    }
  };
  collect(doc);
  const schemas = (isNode(doc.components) && isNode(doc.components.schemas) ? doc.components.schemas : {}) as Node;
  for (const [name, schema] of Object.entries(schemas)) close(schema, branches.has(`#/components/schemas/${name}`));
  close(doc.paths, false);
  return doc;
}

export class Contract {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true });
  private readonly validators = new Map<string, ValidateFunction>();
  /** Templates with fewer parameters first, so `/races/current` wins over `/races/{id}`. */
  private readonly routes: { template: string; pattern: RegExp }[];

  constructor(private readonly doc: ContractDocument) {
    (addFormats as unknown as (ajv: Ajv2020) => void)(this.ajv);
    this.ajv.addSchema(closed(structuredClone(doc) as unknown as Node), DOC_ID);
    this.routes = Object.keys(doc.paths)
      .map((template) => ({
        template,
        params: (template.match(/\{/g) ?? []).length,
        pattern: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`),
      }))
      .sort((a, b) => a.params - b.params);
  }

  /** The document's template for a concrete path (query string ignored), or undefined. */
  templateOf(path: string): string | undefined {
    const bare = path.split('?')[0] ?? path;
    return this.routes.find((r) => r.pattern.test(bare))?.template;
  }

  /** Throws unless the document lists `status` for this route and `body` matches its schema. */
  check(method: string, path: string, status: number, body: unknown): void {
    if (path === OPENAPI_PATH) return; // the document itself
    const template = this.templateOf(path);
    const operation = template ? this.doc.paths[template]?.[method.toLowerCase()] : undefined;
    if (!template || !operation) {
      if (status === 404 || status === 405) return; // no such route: the app's own not-found answer
      throw new Error(`contract: ${method} ${path} answered ${status} but the document has no such operation`);
    }
    const response = operation.responses?.[String(status)];
    if (!response) {
      const listed = Object.keys(operation.responses ?? {}).join(', ');
      throw new Error(`contract: ${method} ${template} answered ${status}, which the document does not list (${listed})`);
    }
    const schema = response.content?.['application/json']?.schema;
    if (schema === undefined) {
      if (typeof body === 'string' && response.content?.['text/plain']) return; // a text answer the document lists (/metrics)
      if (body !== null) throw new Error(`contract: ${method} ${template} ${status} has no body in the document but answered one`);
      return;
    }
    const ref = `${DOC_ID}#/${pointer('paths', template, method.toLowerCase(), 'responses', String(status), 'content', 'application/json', 'schema')}`;
    let validate = this.validators.get(ref);
    if (!validate) {
      validate = this.ajv.compile({ $ref: ref });
      this.validators.set(ref, validate);
    }
    if (!validate(body)) {
      const problems = (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''}`).join('; ');
      throw new Error(
        `contract: ${method} ${template} ${status} does not match its schema: ${problems}\n${JSON.stringify(body).slice(0, 2000)}`,
      );
    }
  }
}

/** The contract a server serves at /api/v1/openapi.json. */
export async function contractOf(url: string): Promise<Contract> {
  const res = await fetch(url + OPENAPI_PATH);
  return new Contract((await res.json()) as ContractDocument);
}
