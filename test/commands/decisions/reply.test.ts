/** The action contract and the reply parser: valid, fenced (extracted), prose and unknown fields (refused) — examples and properties. */
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ACTION_LIMITS, type TradingAction } from '../../../commands/ai-trading/action.ts';
import { MAX_REPLY_CHARS, parseReply } from '../../../commands/decisions/reply.ts';
import { fcRuns, fcSeed } from '../../support/store.ts';

const decimal = (maxInt: number, decimals: number) =>
  fc
    .tuple(fc.integer({ min: 1, max: maxInt }), fc.integer({ min: 0, max: 10 ** decimals - 1 }))
    .map(([whole, frac]) => (frac === 0 ? `${whole}` : `${whole}.${String(frac).padStart(decimals, '0')}`));

const text = (max: number) => fc.string({ minLength: 1, maxLength: max });
const common = {
  asset: text(ACTION_LIMITS.assetChars),
  confidence: fc.double({ min: 0, max: 1, noNaN: true }),
  reason: text(ACTION_LIMITS.reasonChars),
};
const side = fc.constantFrom('long' as const, 'short' as const);

const arbAction: fc.Arbitrary<TradingAction> = fc.oneof(
  fc.record({ action: fc.constant('hold' as const), ...common }),
  fc.record({
    action: fc.constantFrom('open' as const, 'increase' as const),
    side,
    notionalUsd: decimal(1_000_000, 6),
    leverage: fc.integer({ min: 1, max: ACTION_LIMITS.maxLeverage }),
    exitPlan: fc.record({
      takeProfitPrice: decimal(200_000, 8),
      stopLossPrice: decimal(200_000, 8),
      invalidation: text(ACTION_LIMITS.invalidationChars),
    }),
    ...common,
  }),
  fc.record({ action: fc.constant('reduce' as const), side, notionalUsd: decimal(1_000_000, 6), ...common }),
  fc.record({ action: fc.constant('close' as const), side, ...common }),
);

const open = {
  action: 'open',
  asset: 'ETH',
  side: 'short',
  notionalUsd: '1500.25',
  leverage: 5,
  confidence: 0.8,
  exitPlan: { takeProfitPrice: '3000', stopLossPrice: '3300.5', invalidation: 'reclaims 3250' },
  reason: 'downtrend',
};

test('a contract object is valid; the same object fenced is extracted and flagged', () => {
  assert.equal(parseReply(JSON.stringify(open)), { status: 'valid', action: open });
  assert.equal(parseReply(`  \n${JSON.stringify(open, null, 2)}\n`), { status: 'valid', action: open });
  assert.equal(parseReply(`\`\`\`json\n${JSON.stringify(open)}\n\`\`\``), { status: 'extracted', action: open });
  assert.equal(parseReply(`\`\`\`\n${JSON.stringify(open)}\n\`\`\``), { status: 'extracted', action: open });
});

test('refused: prose, two objects, an array, too long, unknown fields, out-of-bound numbers, floats as amounts', () => {
  const reason = (raw: string) => {
    const parsed = parseReply(raw);
    return parsed.status === 'refused' ? parsed.reason : parsed.status;
  };
  assert.is(reason(`I would open: ${JSON.stringify(open)}`), 'reply_not_json');
  assert.is(reason(`${JSON.stringify(open)}${JSON.stringify(open)}`), 'reply_not_json');
  assert.is(reason('[]'), 'reply_not_json');
  assert.is(reason(' '.repeat(MAX_REPLY_CHARS + 1)), 'reply_too_long');
  assert.is(reason(JSON.stringify({ ...open, note: 'x' })), 'contract_violation');
  assert.is(reason(JSON.stringify({ ...open, exitPlan: { ...open.exitPlan, trailing: true } })), 'contract_violation');
  assert.is(reason(JSON.stringify({ ...open, leverage: 51 })), 'contract_violation');
  assert.is(reason(JSON.stringify({ ...open, leverage: 2.5 })), 'contract_violation');
  assert.is(reason(JSON.stringify({ ...open, confidence: 1.01 })), 'contract_violation');
  assert.is(reason(JSON.stringify({ ...open, notionalUsd: 1500 })), 'contract_violation');
  assert.is(reason(JSON.stringify({ ...open, notionalUsd: '0.000000' })), 'contract_violation');
  assert.is(reason(JSON.stringify({ ...open, notionalUsd: '1.0000001' })), 'contract_violation');
  assert.is(reason(JSON.stringify({ ...open, exitPlan: undefined })), 'contract_violation');
  assert.is(reason(JSON.stringify({ ...open, reason: 'x'.repeat(ACTION_LIMITS.reasonChars + 1) })), 'contract_violation');
  const parsed = parseReply(JSON.stringify({ ...open, leverage: 99 }));
  assert.equal(parsed.status === 'refused' && parsed.issues.map((i) => i.path), ['leverage']);
});

test('property: every contract action round-trips, plain (valid) and fenced (extracted)', () => {
  fc.assert(
    fc.property(arbAction, (generated) => {
      const action = JSON.parse(JSON.stringify(generated)) as TradingAction;
      assert.equal(parseReply(JSON.stringify(action)), { status: 'valid', action });
      assert.equal(parseReply(`\`\`\`json\n${JSON.stringify(action)}\n\`\`\``), { status: 'extracted', action });
    }),
    { seed: fcSeed, numRuns: fcRuns },
  );
});

test('property: an unknown field anywhere at the top level is refused as a contract violation', () => {
  const known = new Set(['action', 'asset', 'side', 'notionalUsd', 'leverage', 'confidence', 'exitPlan', 'reason']);
  fc.assert(
    fc.property(
      arbAction,
      fc.string({ minLength: 1, maxLength: 20 }).filter((k) => !known.has(k) && k !== '__proto__'),
      fc.jsonValue(),
      (action, key, value) => {
        const parsed = parseReply(JSON.stringify({ ...action, [key]: value }));
        assert.is(parsed.status === 'refused' && parsed.reason, 'contract_violation');
      },
    ),
    { seed: fcSeed, numRuns: fcRuns },
  );
});

test.run();
