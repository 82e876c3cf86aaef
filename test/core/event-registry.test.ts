/**
 * The registry validates an event once (core/event-registry.ts `encode`): for a schema that only
 * judges values (core/pure-checks.ts) the encode skips its checks and the decode runs them all.
 * The invariant: the outcome is the one of encoding with every check — the same stored text and
 * the same reader's data for valid data, a ValidationError for invalid data.
 */
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { z } from 'zod';
import { ValidationError } from '../../core/errors.ts';
import { defineEvent, EventRegistry } from '../../core/event-registry.ts';
import { zAmount, zNonNegativeAmount } from '../../core/money.ts';
import { onlyJudges } from '../../core/pure-checks.ts';
import { storedDataOf } from '../../core/stored-data.ts';
import { productComposition } from '../../server/composition.ts';
import { fcRuns, fcSeed } from '../support/store.ts';

const zLine = z.object({ asset: z.string().min(1).max(8), size: zAmount, tag: z.enum(['a', 'b']).nullable() }).strict();
const Judged = defineEvent(
  'Judged',
  z
    .object({
      name: z.string().min(1).max(20),
      count: z.number().int().min(0),
      amount: zNonNegativeAmount,
      lines: z.array(zLine).max(3),
      extra: z.record(z.string().max(4), z.number().int()).optional(),
    })
    .strict()
    .refine((d) => d.lines.length <= d.count, { message: 'more lines than count', path: ['lines'] }),
);

/** What encoding with every check gives: the stored text (core/stored-data.ts) and the reader's data, or 'invalid'. */
function checkedEverywhere(data: unknown): { json: string; data: unknown } | 'invalid' {
  const encoded = z.safeEncode(Judged.schema, data as never);
  if (!encoded.success) return 'invalid';
  return { json: storedDataOf(Judged.schema).text(encoded.data), data: z.decode(Judged.schema, encoded.data as never) };
}

test('Given schemas, When asked whether they only judge values, Then defaults, one-way transforms and overwriting checks do not', () => {
  assert.ok(onlyJudges(Judged.schema));
  assert.ok(onlyJudges(z.lazy(() => z.union([z.literal(1), z.array(zAmount)]))));
  assert.not.ok(onlyJudges(z.object({ n: z.string().trim() })));
  assert.not.ok(onlyJudges(z.object({ n: z.number().default(1) })));
  assert.not.ok(onlyJudges(z.object({ n: z.string().transform((s) => s.length) })));
  assert.not.ok(onlyJudges(z.object({ n: z.number().catch(0) })));
  const changing = productComposition.events.filter((d) => !onlyJudges(d.schema)).map((d) => d.type);
  assert.equal(changing.sort(), ['CloneCreated', 'CloneDraftSaved', 'CloneProfileUpdated', 'StrategyVersionPublished']);
});

test('Given arbitrary data, When the registry encodes it, Then the outcome is the one of encoding with every check', () => {
  const registry = new EventRegistry([Judged]);
  // Mostly valid values, with every bound crossed now and then.
  const mostly = <T>(valid: fc.Arbitrary<T>, any: fc.Arbitrary<T>) =>
    fc.oneof({ arbitrary: valid, weight: 5 }, { arbitrary: any, weight: 1 });
  const text = (max: number) => mostly(fc.string({ minLength: 1, maxLength: max }), fc.string({ maxLength: max + 4 }));
  const amount = mostly(fc.bigInt(0n, 10n ** 20n), fc.bigInt(-(10n ** 20n), 10n ** 20n));
  const line = fc.record({ asset: text(8), size: amount, tag: mostly(fc.constantFrom('a', 'b', null), fc.constant('c')) });
  const data = fc.record(
    {
      name: text(20),
      count: mostly(fc.integer({ min: 3, max: 9 }), fc.oneof(fc.integer({ min: -3, max: 3 }), fc.double({ noNaN: true }))),
      amount,
      lines: fc.array(line, { maxLength: 4 }),
      extra: fc.dictionary(text(4), mostly(fc.integer(), fc.double({ noNaN: true }))),
    },
    { requiredKeys: ['name', 'count', 'amount', 'lines'] },
  );
  let valid = 0;
  fc.assert(
    fc.property(data, (d) => {
      const expected = checkedEverywhere(d);
      let actual: { json: string; data: unknown } | 'invalid';
      try {
        const { json, data: read } = registry.encode('Judged', d);
        actual = { json, data: read };
      } catch (error) {
        if (!(error instanceof ValidationError)) throw error;
        actual = 'invalid';
      }
      assert.equal(actual, expected);
      if (expected !== 'invalid') valid += 1;
    }),
    { seed: fcSeed, numRuns: fcRuns * 10 },
  );
  assert.ok(valid > fcRuns / 2, `enough valid samples (${valid})`);
});

test('Given invalid data, When encoded, Then the ValidationError names the field the decode refused', () => {
  const registry = new EventRegistry([Judged]);
  try {
    registry.encode('Judged', { name: 'x', count: 1, amount: -5n, lines: [] });
    assert.unreachable('a negative amount is refused');
  } catch (error) {
    assert.instance(error, ValidationError);
    assert.ok(
      (error as ValidationError).issues.some((i) => i.path === 'data.amount'),
      JSON.stringify((error as ValidationError).issues),
    );
  }
});

test.run();
