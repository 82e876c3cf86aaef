/**
 * The live-window re-run on its own (`commands/backtests/live-window.ts` through `replay`), on a
 * market held in memory and a live window whose payloads are in memory: Given a live run whose
 * recorded outcome matches its reply, When it is re-run, Then nothing diverges and the metrics
 * equal the live account's; Given a live run recorded with another outcome than its reply gives,
 * Then the re-run finishes and reports the divergence with both outcomes (a finding, not an
 * error); Given a payload that is gone, Then `recording_missing`; and the seed and the schedule
 * follow the live account (its opening as the backtest's own, runs at their order times).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MemoryArtifactStore } from '../../../adapters/artifacts/memory.ts';
import { recordedEngine } from '../../../adapters/models/recorded.ts';
import { liveSchedule, reRunSeed } from '../../../commands/backtests/live-window.ts';
import type { LiveRun, LiveWindowSource, PayloadRef, ReplayMarket } from '../../../commands/backtests/ports.ts';
import { replay } from '../../../commands/backtests/replay.ts';
import type { RunOutcome } from '../../../commands/backtests/report.ts';
import { propAccountDecider } from '../../../commands/prop-trading/decider.ts';
import type { PropAccountEvent } from '../../../commands/prop-trading/events.ts';
import { DEFAULT_RULES } from '../../../commands/prop-trading/rules.ts';
import { canonicalJson, sha256Hex } from '../../../core/canonical-json.ts';
import { ClashError } from '../../../core/errors.ts';
import { openCommand, px, T0, TestMarket } from '../../support/prop-trading.ts';

const MIN = 60_000;
const utf8 = (text: string) => new TextEncoder().encode(text);

/** The market in memory, as the replay's port (no candles: nothing rests). */
function marketAt(price: string): ReplayMarket {
  const m = new TestMarket();
  m.setPrice('BTC', px(price), T0 - MIN);
  return Object.assign(m, { finalCandles: () => [] });
}

/** A live window of one BTC run at T0 whose reply is `reply` and whose recorded outcome is `outcome`. */
function windowOf(reply: string, outcome: RunOutcome, stored: Map<string, string> = new Map()) {
  const put = (text: string): PayloadRef => {
    const sha256 = sha256Hex(utf8(text));
    const key = `k/${sha256}`;
    stored.set(key, text);
    return { key, sha256, size: utf8(text).byteLength };
  };
  const packet = put(canonicalJson({ promptNodeId: 'p1', symbol: 'BTC', account: null }));
  const run: LiveRun = {
    runId: 'run-1',
    asset: 'BTC',
    dueAt: T0,
    completedAt: T0,
    orderId: null,
    packetDigest: packet.sha256,
    packet,
    prompt: put(canonicalJson({ system: 'sys', prompt: 'decide' })),
    reply: put(reply),
    outcome,
  };
  const opened = propAccountDecider.decide(openCommand({}, undefined, T0 - 10 * MIN), propAccountDecider.initialState());
  const source: LiveWindowSource = {
    propAccountId: 'acc-live',
    modelStrength: 'basic',
    accountEvents: opened as PropAccountEvent[],
    runs: [run],
    text: async (ref) => stored.get(ref.key) ?? null,
    facts: () => ({ candidates: ['BTC'], assetEnabled: true, confidenceThreshold: 0.5 }),
  };
  const engine = recordedEngine({
    get: async (digest) => (digest === run.packetDigest && stored.has(run.reply.key) ? { text: reply, model: 'stub' } : undefined),
  });
  return { source, engine, stored, run };
}

const job = {
  backtestId: 'bt-live',
  cloneId: 'clone-1',
  strategyVersionId: 'v1',
  propAccountId: 'backtest-bt-live',
  run: {
    strategy: { kind: 'version' as const, versionId: 'v1' },
    fromMs: T0,
    toMs: T0 + 10 * MIN,
    assets: ['BTC'],
    engine: 'recorded' as const,
    stepMs: 5 * MIN,
    decisionIntervalMs: 5 * MIN,
    liveWindow: { propAccountId: 'acc-live' },
  },
  startingEquityMicroUsd: 0n,
  rules: DEFAULT_RULES,
};
const noContext = {
  compile: () => {
    throw new Error('a live window reads the stored packet');
  },
};
/** The replay of `window` (the job above) over a BTC price of 100,000 USD. */
const replayWindow = ({ source, engine }: ReturnType<typeof windowOf>) =>
  replay(job, { market: marketAt('100000'), context: noContext, engine, artifacts: new MemoryArtifactStore(), live: source });
const hold = JSON.stringify({ action: 'hold', asset: 'BTC', confidence: 0.9, reason: 'wait' });
const held: RunOutcome = {
  parse: 'valid',
  verdict: 'accepted',
  stage: null,
  refusals: [],
  action: { action: 'hold', asset: 'BTC', confidence: 0.9, reason: 'wait' },
  order: null,
};

test('given a live hold recorded as such, when re-run, then it is reproduced and the metrics equal the live account’s', async () => {
  const result = await replayWindow(windowOf(hold, held));
  const lw = result.report.liveWindow;
  assert.equal([lw?.runs, lw?.decisionsReproduced, lw?.ordersReproduced, lw?.divergences], [1, 1, 1, []]);
  assert.ok(lw?.metricsReproduced);
  assert.is(result.report.metrics.startEquityMicroUsd, '10000000000', 'the live account’s starting equity, not the job’s');
  assert.equal(result.decisions.held, 1);
});

test('given a live run recorded with another outcome than its reply gives, when re-run, then the divergence is reported with both outcomes', async () => {
  const recorded: RunOutcome = {
    ...held,
    verdict: 'refused',
    stage: 'validation',
    refusals: [{ code: 'asset_disabled', detail: 'BTC is disabled' }],
    action: null,
  };
  const result = await replayWindow(windowOf(hold, recorded));
  const lw = result.report.liveWindow;
  assert.equal([lw?.decisionsReproduced, lw?.ordersReproduced], [0, 1]);
  assert.equal(lw?.divergences, [
    {
      runId: 'run-1',
      asset: 'BTC',
      at: new Date(T0).toISOString(),
      decisionReproduced: false,
      orderReproduced: true,
      live: recorded,
      rerun: held,
    },
  ]);
});

test('given the run’s reply expired (or its packet), when re-run, then recording_missing', async () => {
  for (const which of ['reply', 'packet'] as const) {
    const window = windowOf(hold, held);
    window.stored.delete(window.run[which].key);
    const failed = await replayWindow(window).then(
      () => null,
      (e: unknown) => (e instanceof ClashError ? e.code : String(e)),
    );
    assert.is(failed, 'recording_missing', which);
  }
});

test('the seed is the live opening as the backtest’s own account; steps are ordered by their order time', () => {
  const { source, run } = windowOf(hold, held);
  const [seed] = reRunSeed(source.accountEvents, T0, 'backtest-x');
  assert.equal(seed?.type === 'PropAccountOpened' && [seed.data.accountId, seed.data.purpose], ['backtest-x', 'backtest']);
  const later = { ...run, runId: 'run-0', dueAt: T0 - 5 * MIN, completedAt: T0 + MIN };
  assert.equal(
    liveSchedule({ ...source, runs: [run, later] }).map((s) => [s.run.runId, s.at]),
    [
      ['run-1', T0],
      ['run-0', T0 + MIN],
    ],
  );
});

test.run();
