/** Reconnect and retry delays: exponential, capped, jittered into [0.5, 1) of the step — properties. */
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { HyperliquidWsFeed } from '../../../adapters/market/hyperliquid/ws-feed.ts';
import { retryDelayMs } from '../../../adapters/market/ingestion/poller.ts';
import { fcRuns, fcSeed } from '../../support/store.ts';

const handlers = { onMessage: () => {}, onOpen: () => {}, onReconnect: () => {}, onError: () => {} };

test('property: a reconnect waits min(max, base·2^attempt) scaled by a jitter factor in [0.5, 1)', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 60 }), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (attempt, r) => {
      const feed = new HyperliquidWsFeed(
        { url: 'ws://127.0.0.1:9', coins: [], baseBackoffMs: 500, maxBackoffMs: 30_000, random: () => r },
        handlers,
      );
      const step = Math.min(30_000, 500 * 2 ** Math.min(attempt, 20));
      const delay = feed.backoffMs(attempt);
      assert.ok(delay >= step * 0.5 && delay <= step, `attempt ${attempt}: ${delay} within [${step / 2}, ${step}]`);
      assert.ok(feed.backoffMs(attempt + 1) >= delay, 'never shorter with the same jitter');
    }),
    { seed: fcSeed, numRuns: fcRuns },
  );
});

test('property: a failed poll retries after min(every, base·2^(failures−1)) · [0.5, 1), never later than its cadence (≤: a jitter just under 1 rounds to the step)', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 60 }),
      fc.integer({ min: 1000, max: 3_600_000 }),
      fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
      (failures, every, r) => {
        const delay = retryDelayMs(failures, every, 1000, () => r);
        const step = Math.min(every, 1000 * 2 ** Math.min(failures - 1, 20));
        assert.ok(delay >= step / 2 && delay <= step && delay <= every);
      },
    ),
    { seed: fcSeed, numRuns: fcRuns },
  );
});

test.run();
