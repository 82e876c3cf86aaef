/**
 * The typed event registry. Each event type is declared once with a zod schema and a schema
 * version. Data is encoded (validated) on append and decoded (validated) on read; rows stored
 * under an older schema version are upcast step by step on read and never rewritten. Data is
 * stored without its key names, laid out by the schema of its version (core/stored-data.ts).
 */
import { z } from 'zod';
import { ClashError, type FieldIssue, ValidationError } from './errors.ts';
import { onlyJudges } from './pure-checks.ts';
import { storedDataOf } from './stored-data.ts';

/** zod's parse option to run no checks (`ParseContextInternal.skipChecks`); types and shapes are still enforced. */
const SKIP_CHECKS = { skipChecks: true } as z.core.ParseContext<z.core.$ZodIssue>;

/** Turns data of version k into data of version k + 1. */
export type Upcaster = (data: unknown) => unknown;

export interface EventDefinition<T extends string = string, S extends z.ZodType = z.ZodType> {
  readonly type: T;
  readonly version: number;
  readonly schema: S;
  /** upcasters[k] turns version k into version k + 1, for every k below `version`. */
  readonly upcasters: Readonly<Record<number, Upcaster>>;
  /**
   * The schemas of earlier versions whose rows may be stored compact (written after schema 4 of
   * the store, core/database.ts): their key layouts read those rows back. A version bump keeps
   * the previous schema here (test/core/stored-data.test.ts checks every pinned layout still reads).
   */
  readonly earlierSchemas: Readonly<Record<number, z.ZodType>>;
}

/** The in-memory shape of an event of definition D: `{ type, data }`. */
export type EventOf<D extends EventDefinition> = D extends EventDefinition<infer T, infer S> ? { type: T; data: z.output<S> } : never;

export function defineEvent<T extends string, S extends z.ZodType>(
  type: T,
  schema: S,
  options: { version?: number; upcasters?: Record<number, Upcaster>; earlierSchemas?: Record<number, z.ZodType> } = {},
): EventDefinition<T, S> {
  const version = options.version ?? 1;
  const upcasters = options.upcasters ?? {};
  for (let k = 1; k < version; k++) {
    if (!upcasters[k]) throw new Error(`event ${type}: missing upcaster from version ${k} to ${k + 1}`);
  }
  return Object.freeze({ type, version, schema, upcasters, earlierSchemas: options.earlierSchemas ?? {} });
}

/** The schema whose key layout data of `version` is stored under, if this code keeps it. */
export function storedSchema(definition: EventDefinition, version: number): z.ZodType | undefined {
  return version === definition.version ? definition.schema : definition.earlierSchemas[version];
}

/**
 * A stored row's data as the JSON it was encoded to under `version` (before upcasting and
 * codecs), whichever form it is stored in (core/stored-data.ts). Throws SyntaxError, or
 * TypeError for a compact row that does not fit the layout or whose version's schema is not kept.
 */
export function storedEventData(definition: EventDefinition, version: number, json: string): unknown {
  const schema = storedSchema(definition, version);
  if (schema) return storedDataOf(schema).parse(json);
  const parsed: unknown = JSON.parse(json);
  if (Array.isArray(parsed))
    throw new TypeError(`${definition.type} v${version} is stored compact, and this code keeps no schema of that version`);
  return parsed;
}

export function issuesOf(error: z.ZodError, prefix = ''): FieldIssue[] {
  return error.issues.map((i) => ({
    path: [prefix, ...i.path.map(String)].filter(Boolean).join('.'),
    message: i.message,
  }));
}

export class UnknownEventType extends ClashError {
  constructor(type: string) {
    super('unknown_event_type', 'invalid', `event type ${type} is not registered`, { type });
  }
}

export class EventRegistry {
  private readonly byType = new Map<string, EventDefinition>();
  /** Types whose schema only judges values (`core/pure-checks.ts`): their encode skips the checks the decode runs. */
  private readonly judgedOnce = new Set<string>();

  constructor(definitions: Iterable<EventDefinition> = []) {
    for (const d of definitions) this.register(d);
  }

  register(definition: EventDefinition): this {
    if (this.byType.has(definition.type)) throw new Error(`event type ${definition.type} is declared twice`);
    this.byType.set(definition.type, definition);
    if (onlyJudges(definition.schema)) this.judgedOnce.add(definition.type);
    return this;
  }

  has(type: string): boolean {
    return this.byType.has(type);
  }

  types(): string[] {
    return [...this.byType.keys()];
  }

  definition(type: string): EventDefinition {
    const d = this.byType.get(type);
    if (!d) throw new UnknownEventType(type);
    return d;
  }

  /**
   * Validates in-memory data and returns its stored text under the current version (compact,
   * core/stored-data.ts), and the data as a reader will see it (unknown keys stripped, codecs
   * applied both ways). The
   * checks run once: encoding runs them twice over (zod's backward pass tries every checked node
   * before checking it), and the decode that makes the reader's data runs them all again, on the
   * stored form. So for a schema that only judges values (`onlyJudges`) the encode skips them and
   * the decode is the validation — the same stored form and data in about half the time for a
   * decision run's events (doc/benchmarks.md, "Decision runs"). Errors: ValidationError naming
   * the field (`data.<path>`).
   */
  encode(type: string, data: unknown): { version: number; json: string; data: unknown } {
    const d = this.definition(type);
    const encoded = z.safeEncode(d.schema, data as never, this.judgedOnce.has(type) ? SKIP_CHECKS : undefined);
    if (!encoded.success) throw new ValidationError(`event ${type}`, issuesOf(encoded.error, 'data'));
    const decoded = z.safeDecode(d.schema, encoded.data as never);
    if (!decoded.success) throw new ValidationError(`event ${type}`, issuesOf(decoded.error, 'data'));
    return { version: d.version, json: storedDataOf(d.schema).text(encoded.data), data: decoded.data };
  }

  /** Parses a stored row's data, upcasting from `version` to the current one, and validates it. */
  decode(type: string, version: number, json: string): unknown {
    const d = this.definition(type);
    if (version > d.version) {
      throw new ClashError('unknown_schema_version', 'invalid', `event ${type} v${version} is newer than this code (v${d.version})`);
    }
    let data: unknown = storedEventData(d, version, json);
    for (let k = version; k < d.version; k++) data = (d.upcasters[k] as Upcaster)(data);
    const result = z.safeDecode(d.schema, data as never);
    if (!result.success) throw new ValidationError(`event ${type} v${version}`, issuesOf(result.error, 'data'));
    return result.data;
  }
}

/**
 * SQL for the top-level key `key` of the data of the events row aliased `alias` (a SQL value, as
 * `json_extract` gives it), in either stored form: the compact array's position of the key under
 * the row's (type, schema version) — for the versions of `definitions` this code keeps — or the
 * JSON object's key. NULL where the key is absent or the type is not among `definitions`.
 */
export function dataFieldSql(alias: string, definitions: readonly EventDefinition[], key: string): string {
  if (!/^\w+$/.test(alias) || !/^\w+$/.test(key)) throw new Error(`dataFieldSql: ${alias}.${key} is not a plain name`);
  const paths: string[] = [];
  for (const d of definitions) {
    const versions: [number, z.ZodType][] = [
      [d.version, d.schema],
      ...Object.entries(d.earlierSchemas).map(([v, s]) => [Number(v), s] as [number, z.ZodType]),
    ];
    for (const [version, schema] of versions) {
      const path = storedDataOf(schema).path(key);
      if (path) paths.push(`WHEN '${d.type.replaceAll("'", "''")} ${version}' THEN '${path}'`);
    }
  }
  const compact =
    paths.length === 0 ? 'NULL' : `${alias}.data ->> (CASE ${alias}.type || ' ' || ${alias}.schema_version ${paths.join(' ')} END)`;
  return `(CASE WHEN substr(${alias}.data, 1, 1) = '[' THEN ${compact} ELSE ${alias}.data ->> '$.${key}' END)`;
}
