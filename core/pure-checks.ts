/**
 * Whether a zod schema only ever judges a value and never changes it: no `.default()`,
 * `.prefault()`, `.catch()`, one-way `.transform()`, nor an overwriting check (`.trim()`,
 * `.toLowerCase()` …); codecs (`z.codec`, both directions given) are allowed. For such a schema,
 * encoding without running its checks yields the same stored form as encoding with them, and
 * decoding that form runs every check — so an event is validated once, by the decode
 * (`EventRegistry.encode`). Any node this walk does not know counts as changing the value.
 */
import type { z } from 'zod';

/** Node types that carry no children and change nothing (their checks are judged separately). */
const LEAVES = new Set([
  'string',
  'number',
  'int',
  'boolean',
  'bigint',
  'null',
  'undefined',
  'void',
  'literal',
  'enum',
  'custom',
  'any',
  'unknown',
  'never',
  'nan',
  'date',
]);

/** The parts of a zod v4 node's definition the walk reads. */
interface NodeDef {
  readonly type: string;
  readonly checks?: readonly { readonly _zod: { readonly def: { readonly check: string } } }[];
  readonly shape?: Readonly<Record<string, z.ZodType>>;
  readonly catchall?: z.ZodType;
  readonly element?: z.ZodType;
  readonly keyType?: z.ZodType;
  readonly valueType?: z.ZodType;
  readonly options?: readonly z.ZodType[];
  readonly items?: readonly z.ZodType[];
  readonly rest?: z.ZodType | null;
  readonly left?: z.ZodType;
  readonly right?: z.ZodType;
  readonly innerType?: z.ZodType;
  readonly in?: z.ZodType;
  readonly out?: z.ZodType;
  readonly reverseTransform?: unknown;
  readonly getter?: () => z.ZodType;
}

/** True when `schema` (and everything inside it) only judges values; see the module comment. */
export function onlyJudges(schema: z.ZodType): boolean {
  return judges(schema, new Set());
}

function judges(schema: z.ZodType | null | undefined, seen: Set<z.ZodType>): boolean {
  if (!schema || seen.has(schema)) return true;
  seen.add(schema);
  const def = (schema as unknown as { _zod: { def: NodeDef } })._zod.def;
  if ((def.checks ?? []).some((c) => c._zod.def.check === 'overwrite')) return false;
  const all = (schemas: readonly (z.ZodType | null | undefined)[]) => schemas.every((s) => judges(s, seen));
  switch (def.type) {
    case 'object':
      return all([...Object.values(def.shape ?? {}), def.catchall]);
    case 'array':
      return all([def.element]);
    case 'record':
      return all([def.keyType, def.valueType]);
    case 'union':
      return all(def.options ?? []);
    case 'tuple':
      return all([...(def.items ?? []), def.rest]);
    case 'intersection':
      return all([def.left, def.right]);
    case 'optional':
    case 'nullable':
    case 'readonly':
    case 'nonoptional':
      return all([def.innerType]);
    case 'pipe':
      // A codec maps both ways; a one-way transform changes the value.
      return def.reverseTransform !== undefined && all([def.in, def.out]);
    case 'lazy':
      return all([def.getter?.()]);
    default:
      return LEAVES.has(def.type);
  }
}
