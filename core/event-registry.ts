/**
 * The typed event registry. Each event type is declared once with a zod schema and a schema
 * version. Data is encoded (validated) on append and decoded (validated) on read; rows stored
 * under an older schema version are upcast step by step on read and never rewritten.
 */
import { z } from 'zod';
import { ClashError, type FieldIssue, ValidationError } from './errors.ts';
import { onlyJudges } from './pure-checks.ts';

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
}

/** The in-memory shape of an event of definition D: `{ type, data }`. */
export type EventOf<D extends EventDefinition> = D extends EventDefinition<infer T, infer S> ? { type: T; data: z.output<S> } : never;

export function defineEvent<T extends string, S extends z.ZodType>(
  type: T,
  schema: S,
  options: { version?: number; upcasters?: Record<number, Upcaster> } = {},
): EventDefinition<T, S> {
  const version = options.version ?? 1;
  const upcasters = options.upcasters ?? {};
  for (let k = 1; k < version; k++) {
    if (!upcasters[k]) throw new Error(`event ${type}: missing upcaster from version ${k} to ${k + 1}`);
  }
  return Object.freeze({ type, version, schema, upcasters });
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
   * Validates in-memory data and returns its stored JSON form under the current version, and
   * the data as a reader will see it (unknown keys stripped, codecs applied both ways). The
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
    return { version: d.version, json: JSON.stringify(encoded.data), data: decoded.data };
  }

  /** Parses a stored row's data, upcasting from `version` to the current one, and validates it. */
  decode(type: string, version: number, json: string): unknown {
    const d = this.definition(type);
    if (version > d.version) {
      throw new ClashError('unknown_schema_version', 'invalid', `event ${type} v${version} is newer than this code (v${d.version})`);
    }
    let data: unknown = JSON.parse(json);
    for (let k = version; k < d.version; k++) data = (d.upcasters[k] as Upcaster)(data);
    const result = z.safeDecode(d.schema, data as never);
    if (!result.success) throw new ValidationError(`event ${type} v${version}`, issuesOf(result.error, 'data'));
    return result.data;
  }
}
