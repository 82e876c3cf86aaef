/**
 * The built-in engines: `none` holds; `rules` follows the EMA/MACD trend with the RSI filter and
 * the 2 % stop (Given an indicator row and a position, When the engine decides, Then this action);
 * `recorded` replays by packet digest. Every reply satisfies the action contract (property).
 */
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { DecisionRequest, IndicatorSnapshot } from '../../../adapters/models/engine.ts';
import { recordedEngine } from '../../../adapters/models/recorded.ts';
import { noneEngine } from '../../../commands/decisions/engines/none.ts';
import { rulesAction, rulesEngine } from '../../../commands/decisions/engines/rules.ts';
import { parseReply } from '../../../commands/decisions/reply.ts';
import type { ClashError } from '../../../core/errors.ts';
import { fcRuns, fcSeed } from '../../support/store.ts';

const up: IndicatorSnapshot = { ema20: 99_000, rsi14: 60, macd: 120, macdSignal: 80, macdHistogram: 40 };
const down: IndicatorSnapshot = { ema20: 101_000, rsi14: 40, macd: -120, macdSignal: -80, macdHistogram: -40 };

const given = (over: Partial<DecisionRequest>): DecisionRequest => ({
  runId: 'run-1',
  asset: 'BTC',
  packetDigest: 'b'.repeat(64),
  system: '',
  prompt: '',
  modelStrength: 'basic',
  lastPrice: '100000',
  indicators: up,
  position: null,
  equityMicroUsd: 10_000_000_000n,
  ...over,
});

test('none: holds the run asset, no tokens, no cost', async () => {
  const reply = await noneEngine.decide(given({ asset: 'ETH' }));
  const parsed = parseReply(reply.text);
  assert.is(parsed.status, 'valid');
  assert.equal(parsed.status === 'valid' && parsed.action.action, 'hold');
  assert.equal(parsed.status === 'valid' && parsed.action.asset, 'ETH');
  assert.is(reply.costMicroUsd, 0n);
});

test('rules: flat in an uptrend opens long at 20 % of equity, leverage 2, TP +4 % and SL −2 %', () => {
  assert.equal(rulesAction(given({})), {
    action: 'open',
    asset: 'BTC',
    side: 'long',
    notionalUsd: '2000.000000',
    leverage: 2,
    confidence: 0.7,
    exitPlan: { takeProfitPrice: '104000.00000000', stopLossPrice: '98000.00000000', invalidation: 'the MACD histogram turns negative' },
    reason: 'uptrend: price above EMA 20, MACD histogram positive, RSI 60.0',
  });
});

test('rules: flat in a downtrend opens short with TP −4 % and SL +2 %', () => {
  const action = rulesAction(given({ indicators: down }));
  assert.is(action.action, 'open');
  assert.ok(action.action === 'open' && action.side === 'short');
  assert.equal(action.action === 'open' && action.exitPlan.takeProfitPrice, '96000.00000000');
  assert.equal(action.action === 'open' && action.exitPlan.stopLossPrice, '102000.00000000');
});

test('rules: the RSI filter holds an overbought uptrend and an oversold downtrend; warming indicators hold', () => {
  assert.is(rulesAction(given({ indicators: { ...up, rsi14: 75 } })).action, 'hold');
  assert.is(rulesAction(given({ indicators: { ...down, rsi14: 25 } })).action, 'hold');
  assert.is(rulesAction(given({ indicators: { ...up, macdHistogram: null } })).action, 'hold');
  assert.is(rulesAction(given({ indicators: null })).action, 'hold');
  assert.is(rulesAction(given({ indicators: { ...up, macdHistogram: -1 } })).action, 'hold');
});

test('rules: a long is stopped at −2 % from entry, closed when the histogram turns, held otherwise', () => {
  const long = { side: 'long' as const, entryPrice: '100000' };
  const stop = rulesAction(given({ lastPrice: '98000', position: long }));
  assert.equal([stop.action, stop.confidence], ['close', 1]);
  assert.equal(rulesAction(given({ lastPrice: '98000.01', position: long })).action, 'hold');
  assert.equal(rulesAction(given({ lastPrice: '99000', position: long, indicators: down })).action, 'close');
  const short = { side: 'short' as const, entryPrice: '100000' };
  assert.equal(rulesAction(given({ lastPrice: '102000', position: short, indicators: down })).confidence, 1);
  assert.equal(rulesAction(given({ lastPrice: '101000', position: short, indicators: down })).action, 'hold');
});

test('property: the rules engine answers the contract for any indicators, price, equity and position', async () => {
  const nullable = (min: number, max: number) => fc.option(fc.double({ min, max, noNaN: true }), { nil: null });
  await fc.assert(
    fc.asyncProperty(
      fc.record({
        ema20: nullable(1, 200_000),
        rsi14: nullable(0, 100),
        macd: nullable(-1000, 1000),
        macdSignal: nullable(-1000, 1000),
        macdHistogram: nullable(-1000, 1000),
      }),
      fc.integer({ min: 1, max: 200_000 }),
      fc.bigInt({ min: 0n, max: 10n ** 15n }),
      fc.option(
        fc.record({
          side: fc.constantFrom('long' as const, 'short' as const),
          entryPrice: fc.integer({ min: 1, max: 200_000 }).map(String),
        }),
        { nil: null },
      ),
      async (indicators, price, equity, position) => {
        const request = given({ indicators, lastPrice: String(price), equityMicroUsd: equity, position });
        const parsed = parseReply((await rulesEngine.decide(request)).text);
        assert.ok(parsed.status === 'valid', JSON.stringify(parsed));
        assert.equal(parsed.status === 'valid' && parsed.action, rulesAction(request), 'deterministic');
        if (parsed.status === 'valid' && parsed.action.action === 'open') {
          const { takeProfitPrice, stopLossPrice } = parsed.action.exitPlan;
          const long = parsed.action.side === 'long';
          assert.ok(
            long
              ? Number(stopLossPrice) < price && price < Number(takeProfitPrice)
              : Number(takeProfitPrice) < price && price < Number(stopLossPrice),
          );
        }
      },
    ),
    { seed: fcSeed, numRuns: fcRuns },
  );
});

test('recorded: replays the reply stored for the packet digest; none stored → recording_missing', async () => {
  const engine = recordedEngine({
    get: async (digest) => (digest === 'b'.repeat(64) ? { text: '{"x":1}', model: 'claude-x' } : undefined),
  });
  const reply = await engine.decide(given({}));
  assert.equal([reply.text, reply.model, reply.costMicroUsd], ['{"x":1}', 'claude-x', 0n]);
  try {
    await engine.decide(given({ packetDigest: 'c'.repeat(64) }));
    assert.unreachable();
  } catch (error) {
    assert.is((error as ClashError).code, 'recording_missing');
  }
});

test.run();
