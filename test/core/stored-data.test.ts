/**
 * Event data stored without key names (core/stored-data.ts, doc/event-store.md "Storage layout"):
 *
 * - for every registered event type, arbitrary data of its schema's encoded shape — optional keys
 *   present, absent or null, records with any keys (`__proto__`, `1`), nested arrays and objects —
 *   reads back from its stored text exactly as a reader saw it before the compact form
 *   (`JSON.parse(JSON.stringify(data))`): the same values, keys and key order. The data is drawn
 *   from the zod schema by a walk of its own (below), not from the layout under test;
 * - every registered layout is pinned (`test/fixtures/event-layouts.json`): reordering, removing
 *   or inserting a key of a registered schema without a new schema version fails here (appending
 *   an optional key is safe: older rows read it as absent), and so does a version bump that drops
 *   the schema older compact rows were written under;
 * - a compact row of a version whose schema the code no longer keeps is a corrupt event, not
 *   data read under the wrong layout.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { z } from 'zod';
import { defineEvent, EventRegistry, storedSchema } from '../../core/event-registry.ts';
import { EventStore } from '../../core/event-store.ts';
import { extendsLayout, type Layout, storedDataOf } from '../../core/stored-data.ts';
import { productComposition } from '../../server/composition.ts';
import { fcRuns, fcSeed, tempDir } from '../support/store.ts';
import { walletEvents } from '../support/wallet/events.ts';

const options = { seed: fcSeed, numRuns: fcRuns };
const dir = tempDir('clash-stored-data-');
const definitions = [...productComposition.events, ...walletEvents];

interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  element?: z.ZodType;
  valueType?: z.ZodType;
  in?: z.ZodType;
  options?: z.ZodType[];
  entries?: Record<string, string | number>;
  values?: unknown[];
  items?: z.ZodType[];
}
const defOf = (s: z.ZodType) => (s as unknown as { _zod: { def: Def } })._zod.def;
const ABSENT = Symbol('absent');
const recordKey = fc.oneof(fc.string({ maxLength: 8 }), fc.constantFrom('__proto__', '1', '10', 'constructor'));

/** Values shaped like what `schema` encodes to (its input side), ignoring refinements: the shape is what storage lays out. */
function encodedOf(schema: z.ZodType, depth = 0): fc.Arbitrary<unknown> {
  const def = defOf(schema);
  const inner = (s: z.ZodType | undefined) => (s ? encodedOf(s, depth + 1) : fc.jsonValue({ maxDepth: 2 }));
  switch (def.type) {
    case 'pipe':
      return inner(def.in);
    case 'readonly':
      return inner(def.innerType);
    case 'nullable':
      return fc.option(inner(def.innerType), { nil: null });
    case 'optional':
    case 'default':
    case 'prefault':
      return fc.option(inner(def.innerType), { nil: ABSENT as unknown as undefined });
    case 'array':
      return fc.array(inner(def.element), { maxLength: depth > 2 ? 1 : 3 });
    case 'record':
      return fc.array(fc.tuple(recordKey, inner(def.valueType)), { maxLength: 3 }).map((entries) => Object.fromEntries(entries));
    case 'object': {
      const shape = def.shape ?? {};
      const keys = Object.keys(shape);
      return fc
        .tuple(...keys.map((k) => inner(shape[k])))
        .map((values) => Object.fromEntries(keys.flatMap((k, i) => (values[i] === ABSENT ? [] : [[k, values[i]]]))));
    }
    case 'union':
      return fc.oneof(...(def.options ?? []).map((o) => inner(o)));
    case 'tuple':
      return fc.tuple(...(def.items ?? []).map((o) => inner(o)));
    case 'enum':
      return fc.constantFrom(...Object.values(def.entries ?? { a: 'a' }));
    case 'literal':
      return fc.constantFrom(...(def.values ?? [null]));
    case 'string':
      return fc.string({ maxLength: 12 });
    case 'number':
      return fc.integer();
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    default:
      return fc.jsonValue({ maxDepth: 2 });
  }
}

test('property: for every registered event type, stored data reads back as the JSON a reader saw before, key order included', () => {
  assert.ok(definitions.length > 60, `${definitions.length} registered types`);
  let compact = 0;
  for (const d of definitions) {
    const stored = storedDataOf(d.schema);
    if (stored.compact) compact += 1;
    fc.assert(
      fc.property(encodedOf(d.schema), (data) => {
        const before = JSON.stringify(data);
        const text = stored.text(data);
        assert.is(text.startsWith('['), stored.compact, d.type);
        // JSON.stringify is order-sensitive: same keys, same order, same values.
        assert.is(JSON.stringify(stored.parse(text)), before, `${d.type}: ${text}`);
        // a row written before the compact form still reads as itself
        assert.is(JSON.stringify(stored.parse(before)), before);
      }),
      { ...options, numRuns: Math.max(10, Math.round(fcRuns / 3)) },
    );
  }
  assert.ok(compact >= definitions.length - 2, `${compact} of ${definitions.length} types stored compact`);
});

test('optional keys: absent, present and null stay apart; records keep every key', () => {
  const schema = z
    .object({
      a: z.string(),
      maybe: z.string().optional(),
      nullish: z.string().nullish(),
      nested: z.object({ x: z.number().optional() }).strict().optional(),
      map: z.record(z.string(), z.object({ y: z.number() }).strict()),
    })
    .strict();
  const stored = storedDataOf(schema);
  const cases: object[] = [
    { a: 'x', map: {} },
    { a: 'x', maybe: 'm', nullish: null, map: {} },
    { a: 'x', nullish: 'n', nested: {}, map: { ['__proto__']: { y: 1 }, 2: { y: 2 } } },
    { a: 'x', nested: { x: 1 }, map: JSON.parse('{"__proto__":{"y":3}}') },
  ];
  for (const c of cases) assert.is(JSON.stringify(stored.parse(stored.text(c))), JSON.stringify(c));
  assert.is(stored.text({ a: 'x', nullish: null, map: { k: { y: 1 } } }), '["x",null,[null],null,{"k":[1]}]');
  assert.throws(() => stored.parse('["x"]'), /array of 5 values/);
  assert.throws(() => stored.parse('["x",null,"n",null,{}]'), /nullish: expected \[value\]/);
});

/** `type@version` → the layout of every version the registered definitions keep a schema of. */
function layouts(): Record<string, Layout> {
  const out: Record<string, Layout> = {};
  for (const d of productComposition.events) {
    for (const v of [d.version, ...Object.keys(d.earlierSchemas).map(Number)]) {
      const schema = storedSchema(d, v);
      if (schema) out[`${d.type}@${v}`] = storedDataOf(schema).layout;
    }
  }
  return out;
}

const FIXTURE = new URL('../fixtures/event-layouts.json', import.meta.url);
const same = (a: Layout, b: Layout) => JSON.stringify(a) === JSON.stringify(b);

/**
 * The fixture keeps, per `type@version`, every layout compact rows may have been written under
 * (oldest first). With UPDATE_EVENT_LAYOUTS=1 the test appends current layouts that extend the
 * pinned ones, and pins new types; it never pins a change that would misread older rows.
 */
test('every registered key layout is pinned: a layout change that would misread older compact rows fails here', () => {
  const pinned = JSON.parse(readFileSync(FIXTURE, 'utf8')) as Record<string, Layout[]>;
  const now = layouts();
  const update = process.env.UPDATE_EVENT_LAYOUTS === '1';
  const stale: string[] = [];
  for (const [at, history] of Object.entries(pinned)) {
    const current = now[at];
    assert.ok(
      current !== undefined,
      `${at}: compact rows may exist under this layout, but no registered definition keeps its schema (a version bump keeps the older schema in earlierSchemas)`,
    );
    for (const older of history) {
      const why = extendsLayout(older, current);
      assert.is(why, undefined, `${at}: rows stored under a pinned layout would misread (${why}); this change needs a new schema version`);
    }
    if (!same(history[history.length - 1] as Layout, current)) {
      if (update) history.push(current);
      else stale.push(at);
    }
  }
  const fresh = Object.keys(now).filter((at) => !(at in pinned));
  if (update) {
    for (const at of fresh) pinned[at] = [now[at] as Layout];
    // one type and version per line, so a change reads as one line in a diff
    const lines = Object.entries(pinned)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([at, history]) => `  ${JSON.stringify(at)}: ${JSON.stringify(history)}`);
    writeFileSync(FIXTURE, `{\n${lines.join(',\n')}\n}\n`);
    return;
  }
  assert.equal(stale, [], 'layouts extended safely (optional keys appended): pin them with UPDATE_EVENT_LAYOUTS=1');
  assert.equal(fresh, [], 'new types or versions: pin them with UPDATE_EVENT_LAYOUTS=1');
});

test('extendsLayout: optional keys appended are safe, anything else is named', () => {
  const base = storedDataOf(z.object({ a: z.string(), b: z.object({ c: z.number() }).strict() }).strict());
  const layoutOf = (shape: Record<string, z.ZodType>) => storedDataOf(z.object(shape).strict()).layout;
  const c = z.object({ c: z.number() }).strict();
  assert.is(extendsLayout(base.layout, layoutOf({ a: z.string(), b: c, d: z.string().optional() })), undefined);
  assert.is(extendsLayout(base.layout, layoutOf({ a: z.string(), b: c.extend({ e: z.number().optional() }) })), undefined);
  assert.match(extendsLayout(base.layout, layoutOf({ b: c, a: z.string() })) ?? '', '$: key 0 was a, now b');
  assert.match(extendsLayout(base.layout, layoutOf({ a: z.string(), d: z.string().optional(), b: c })) ?? '', 'key 1 was b, now d');
  assert.match(extendsLayout(base.layout, layoutOf({ a: z.string(), b: c, d: z.string() })) ?? '', '$.d: added, but not optional');
  assert.match(extendsLayout(base.layout, layoutOf({ a: z.string().optional(), b: c })) ?? '', '$.a: its optionality changed');
  // and the decoder agrees: an older, shorter row reads under the extended layout, the new key absent
  const extended = storedDataOf(z.object({ a: z.string(), b: c.extend({ e: z.number().optional() }), d: z.string().optional() }).strict());
  assert.is(JSON.stringify(extended.parse(base.text({ a: 'x', b: { c: 1 } }))), '{"a":"x","b":{"c":1}}');
  assert.throws(() => extended.parse('["x"]'), /array of 2 to 3 values/);
});

test('a compact row of a version whose schema is no longer kept is a corrupt event, not data read under another layout', () => {
  const v1 = defineEvent('Noted', z.object({ id: z.string(), note: z.string() }).strict());
  const path = dir.file('dropped.db');
  const old = EventStore.open(path, { registry: new EventRegistry([v1]) });
  old.append('n', [{ type: 'Noted', data: { id: 'a', note: 'hello' } }]);
  old.close();
  const v2 = defineEvent('Noted', z.object({ note: z.string(), id: z.string() }).strict(), { version: 2, upcasters: { 1: (d) => d } });
  const store = EventStore.open(path, { registry: new EventRegistry([v2]) });
  assert.throws(() => store.readStream('n'), /Noted v1 is stored compact, and this code keeps no schema of that version/);
  store.close();
  const kept = defineEvent('Noted', v2.schema, { version: 2, upcasters: { 1: (d) => d }, earlierSchemas: { 1: v1.schema } });
  const again = EventStore.open(path, { registry: new EventRegistry([kept]) });
  assert.equal(again.readStream('n')[0]?.data, { note: 'hello', id: 'a' });
  again.close();
});

test.after(() => dir.remove());
test.run();
