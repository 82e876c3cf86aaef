/**
 * How event data is stored (doc/event-store.md, "Storage layout"): without its key names. The
 * registered zod schema of an event's (type, schema version) fixes the **key layout** of its
 * encoded data — every object's keys in the schema's shape order — so an object is stored as the
 * JSON array of its values in that order:
 *
 *   {"accountId":"a1","at":1767614400000,"trigger":undefined} → ["a1",1767614400000,null]
 *
 * - an optional key (one its schema lets be absent: `.optional()`, `.default()`, `z.unknown()`)
 *   absent is `null`; when `null` is also a value the key may hold (`.nullish()`), a present value
 *   is wrapped as `[value]`, so the two never meet;
 * - arrays hold their elements, records (dynamic keys) keep their keys, both with their values
 *   laid out the same way; a nullable value is `null` or its layout;
 * - whatever the walk does not lay out — unions, tuples, lazy, loose or catch-all objects, a
 *   codec's or pipe's output side — is stored as its encoded JSON, as before.
 *
 * The top-level data is always an object, so a stored text that starts with `[` is this compact
 * form and one that starts with `{` is a row written before it (or a type whose schema is not an
 * object): both read back to the same object. Nothing here reads the clock or allocates per call
 * beyond the values themselves: the encoder and decoder of a schema are built once and cached.
 *
 * The layout is a storage contract: reordering, removing or renaming a key of a registered
 * schema, or inserting one before others, would make older compact rows misread, so it needs a
 * new schema version. One change is safe without: an optional key added at the end of an
 * object's shape — an older, shorter array reads its missing trailing values as absent
 * (`extendsLayout` says which changes are safe). test/core/stored-data.test.ts pins every
 * registered layout (`test/fixtures/event-layouts.json`) and holds the code to this.
 */
import { z } from 'zod';

/** The stored shape of an encoded value, derived from its schema (plain data: a test pins it as JSON). */
export type Layout =
  | { readonly kind: 'value' }
  | { readonly kind: 'object'; readonly fields: readonly Field[] }
  | { readonly kind: 'array'; readonly element: Layout }
  | { readonly kind: 'record'; readonly value: Layout }
  | { readonly kind: 'nullable'; readonly inner: Layout };

export interface Field {
  readonly key: string;
  readonly layout: Layout;
  /** The key may be absent (stored as `null`). */
  readonly optional: boolean;
  /** `null` is also a value of the key: a present value is stored as `[value]`. */
  readonly wrapped: boolean;
}

const VALUE: Layout = { kind: 'value' };

/** The zod internals the walk reads (zod 4: `_zod.def`). */
interface Def {
  readonly type: string;
  readonly shape?: Record<string, z.ZodType>;
  readonly catchall?: z.ZodType;
  readonly innerType?: z.ZodType;
  readonly element?: z.ZodType;
  readonly valueType?: z.ZodType;
  readonly in?: z.ZodType;
}
const defOf = (schema: z.ZodType) => (schema as unknown as { _zod: { def: Def } })._zod.def;

const accepts = (schema: z.ZodType, value: null | undefined) => {
  try {
    return z.safeDecode(schema, value as never).success;
  } catch {
    return true;
  }
};

/** The schema of a key's value once it is present (optional and default wrappers removed). */
function presentSchema(schema: z.ZodType): z.ZodType {
  const def = defOf(schema);
  if ((def.type === 'optional' || def.type === 'default' || def.type === 'prefault') && def.innerType) return presentSchema(def.innerType);
  return schema;
}

/** The layout of the values `schema` encodes to (its input side). */
function layoutOf(schema: z.ZodType): Layout {
  const def = defOf(schema);
  switch (def.type) {
    case 'pipe':
      return def.in ? layoutOf(def.in) : VALUE;
    case 'readonly':
      return def.innerType ? layoutOf(def.innerType) : VALUE;
    case 'nullable': {
      const inner = def.innerType ? layoutOf(def.innerType) : VALUE;
      return inner.kind === 'value' ? VALUE : { kind: 'nullable', inner };
    }
    case 'array': {
      const element = def.element ? layoutOf(def.element) : VALUE;
      return element.kind === 'value' ? VALUE : { kind: 'array', element };
    }
    case 'record': {
      const value = def.valueType ? layoutOf(def.valueType) : VALUE;
      return value.kind === 'value' ? VALUE : { kind: 'record', value };
    }
    case 'object': {
      // A loose or catch-all object keeps keys the shape does not name: stored as it is.
      if (!def.shape || (def.catchall !== undefined && defOf(def.catchall).type !== 'never')) return VALUE;
      const fields = Object.entries(def.shape).map(([key, field]): Field => {
        const optional = accepts(field, undefined);
        const present = presentSchema(field);
        return { key, layout: layoutOf(present), optional, wrapped: optional && accepts(present, null) };
      });
      return { kind: 'object', fields };
    }
    default:
      return VALUE;
  }
}

type Codec = (value: unknown) => unknown;
const identity: Codec = (v) => v;

/** The function turning an encoded value into its stored form. */
function encoderOf(layout: Layout): Codec {
  switch (layout.kind) {
    case 'value':
      return identity;
    case 'nullable': {
      const inner = encoderOf(layout.inner);
      return (v) => (v === null ? null : inner(v));
    }
    case 'array': {
      const element = encoderOf(layout.element);
      return (v) => (v as unknown[]).map(element);
    }
    case 'record': {
      const value = encoderOf(layout.value);
      return (v) => Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, value(x)]));
    }
    case 'object': {
      const fields = layout.fields.map((f) => ({ key: f.key, wrapped: f.wrapped, encode: encoderOf(f.layout) }));
      return (v) => {
        const o = v as Record<string, unknown>;
        const out: unknown[] = new Array(fields.length);
        for (let i = 0; i < fields.length; i++) {
          const f = fields[i] as (typeof fields)[number];
          const x = o[f.key];
          out[i] = x === undefined ? null : f.wrapped ? [f.encode(x)] : f.encode(x);
        }
        return out;
      };
    }
  }
}

const fail = (message: string): never => {
  throw new TypeError(`stored data: ${message}`);
};
const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The function turning a stored value back into its encoded form. Throws TypeError on a value that does not fit the layout. */
function decoderOf(layout: Layout): Codec {
  switch (layout.kind) {
    case 'value':
      return identity;
    case 'nullable': {
      const inner = decoderOf(layout.inner);
      return (v) => (v === null ? null : inner(v));
    }
    case 'array': {
      const element = decoderOf(layout.element);
      return (v) => (Array.isArray(v) ? v.map(element) : fail('expected an array'));
    }
    case 'record': {
      const value = decoderOf(layout.value);
      // fromEntries defines own properties, so a key such as `__proto__` stays a key.
      return (v) => (isPlainObject(v) ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, value(x)])) : fail('expected an object'));
    }
    case 'object': {
      const fields = layout.fields.map((f) => ({ ...f, decode: decoderOf(f.layout), plain: f.layout.kind === 'value' }));
      // The shortest array a row may hold: optional keys added at the end of the shape later are absent from older rows.
      let shortest = fields.length;
      while (shortest > 0 && fields[shortest - 1]?.optional) shortest -= 1;
      // Keys are assigned (the fast path); a shape key `__proto__` would set the prototype, so it is defined instead.
      const put = fields.some((f) => f.key === '__proto__')
        ? (o: Record<string, unknown>, k: string, x: unknown) =>
            Object.defineProperty(o, k, { value: x, enumerable: true, writable: true, configurable: true })
        : (o: Record<string, unknown>, k: string, x: unknown) => {
            o[k] = x;
          };
      return (v) => {
        if (!Array.isArray(v) || v.length > fields.length || v.length < shortest) {
          return fail(`expected an array of ${shortest === fields.length ? '' : `${shortest} to `}${fields.length} values`);
        }
        const o: Record<string, unknown> = {};
        for (let i = 0; i < v.length; i++) {
          const f = fields[i] as (typeof fields)[number];
          const x: unknown = v[i];
          if (x === null && f.optional) continue;
          if (!f.wrapped) put(o, f.key, f.plain ? x : f.decode(x));
          else if (Array.isArray(x) && x.length === 1) put(o, f.key, f.decode(x[0]));
          else return fail(`${f.key}: expected [value]`);
        }
        return o;
      };
    }
  }
}

/**
 * Why rows stored under layout `older` would not read back under `newer`, or undefined when they
 * would: `newer` is `older` with optional keys appended at the end of objects (at any depth), and
 * nothing else changed. `at` names the place in messages.
 */
export function extendsLayout(older: Layout, newer: Layout, at = '$'): string | undefined {
  if (older.kind !== newer.kind) return `${at}: stored as ${older.kind}, now ${newer.kind}`;
  switch (older.kind) {
    case 'value':
      return undefined;
    case 'nullable':
      return extendsLayout(older.inner, (newer as typeof older).inner, at);
    case 'array':
      return extendsLayout(older.element, (newer as typeof older).element, `${at}[]`);
    case 'record':
      return extendsLayout(older.value, (newer as typeof older).value, `${at}.*`);
    case 'object': {
      const now = (newer as typeof older).fields;
      for (const [i, f] of older.fields.entries()) {
        const g = now[i];
        if (!g || g.key !== f.key) return `${at}: key ${i} was ${f.key}, now ${g?.key ?? 'none'}`;
        if (g.optional !== f.optional || g.wrapped !== f.wrapped) return `${at}.${f.key}: its optionality changed`;
        const inner = extendsLayout(f.layout, g.layout, `${at}.${f.key}`);
        if (inner) return inner;
      }
      const required = now.slice(older.fields.length).find((g) => !g.optional);
      return required ? `${at}.${required.key}: added, but not optional` : undefined;
    }
  }
}

/** The stored form of one schema's data: built once per schema (`storedDataOf`). */
export interface StoredData {
  /** True when the data is stored compact (the schema's top level is an object it lays out). */
  readonly compact: boolean;
  /** The layout (what a test pins, `extendsLayout`). */
  readonly layout: Layout;
  /** The stored text of data already encoded by the schema (`z.encode`). */
  text(encoded: unknown): string;
  /**
   * The encoded data of a stored text in either form: the compact array laid back out, any other
   * JSON (an object stored before the compact form, or data of a schema with no compact form) as
   * it is. Throws SyntaxError, or TypeError for an array that does not fit the layout.
   */
  parse(text: string): unknown;
  /** The SQLite JSON path of a top-level key's value in the compact form (`$[3]`, `$[3][0]` when wrapped), or undefined when the layout has no such key. */
  path(key: string): string | undefined;
}

const cache = new WeakMap<z.ZodType, StoredData>();

/** The stored form of data of `schema` (cached per schema object). */
export function storedDataOf(schema: z.ZodType): StoredData {
  const known = cache.get(schema);
  if (known) return known;
  const layout = layoutOf(schema);
  const encode = encoderOf(layout);
  const decode = decoderOf(layout);
  const compact = layout.kind === 'object';
  const fields = layout.kind === 'object' ? layout.fields : [];
  const made: StoredData = {
    compact,
    layout,
    text: compact ? (encoded) => JSON.stringify(encode(encoded)) : (encoded) => JSON.stringify(encoded),
    parse: (text) => {
      const parsed: unknown = JSON.parse(text);
      return compact && Array.isArray(parsed) ? decode(parsed) : parsed;
    },
    path: (key) => {
      const i = fields.findIndex((f) => f.key === key);
      return i < 0 ? undefined : `$[${i}]${fields[i]?.wrapped ? '[0]' : ''}`;
    },
  };
  cache.set(schema, made);
  return made;
}
