/**
 * The backtest job decider (doc/backtesting.md, "Jobs"): a request is accepted or refused naming
 * the limit, and an accepted job is run under a lease that only its holder writes with and that
 * another worker takes over once it expires.
 */
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { type BacktestCommand, backtestDecider, backtestUsageDecider } from '../../../commands/backtests/decider.ts';
import type { BacktestEvent } from '../../../commands/backtests/events.ts';
import { computeMetrics } from '../../../commands/backtests/metrics.ts';
import { fold, specFor } from '../../support/decider-spec.ts';
import { fcRuns, fcSeed } from '../../support/store.ts';
import { curveOnly, requestCommand, T0 } from './fixtures.ts';

const spec = specFor(backtestDecider);
const requested = (): BacktestEvent[] => [...backtestDecider.decide(requestCommand(), backtestDecider.initialState())];
const leased = (workerId: string, at: number, attempt = 1): BacktestEvent => ({
  type: 'BacktestLeased',
  data: { backtestId: 'b1', workerId, attempt, leasedAt: at, leaseUntil: at + 1000 },
});
const metrics = computeMetrics(curveOnly([{ at: T0, equityMicroUsd: 1_000_000n, exposureMicroUsd: 0n }]));

test('a request within every limit is recorded with its frozen limits and estimate, then accepted', () => {
  const events = requested();
  assert.is(events.length, 2);
  const [req, accepted] = events;
  assert.is(req?.type, 'BacktestRequested');
  if (req?.type !== 'BacktestRequested') return;
  assert.equal(req.data.limits, requestCommand().limits);
  assert.is(req.data.estimate.replaySteps, 72);
  assert.is(req.data.estimate.decisionCalls, 24);
  assert.ok(req.data.estimate.verdicts.every((v) => v.ok));
  assert.equal(accepted, { type: 'BacktestAccepted', data: { backtestId: 'b1', propAccountId: 'backtest-b1', acceptedAt: T0 + 1 } });
});

test('a second request on the same stream is a conflict', () => {
  spec.given(requested()).when(requestCommand()).thenThrows('backtest_exists');
});

test('given an accepted job, when a worker leases it, then the lease runs for the lease time', () => {
  spec
    .given(requested())
    .when({ type: 'LeaseBacktest', workerId: 'w1', leaseMs: 1000, at: T0 + 10 })
    .thenEmits([leased('w1', T0 + 10)]);
});

test('a live lease refuses a second worker; an expired one is taken over as the next attempt', () => {
  spec
    .given([...requested(), leased('w1', T0 + 10)])
    .when({ type: 'LeaseBacktest', workerId: 'w2', leaseMs: 1000, at: T0 + 500 })
    .thenThrows('backtest_leased');
  spec
    .given([...requested(), leased('w1', T0 + 10)])
    .when({ type: 'LeaseBacktest', workerId: 'w2', leaseMs: 1000, at: T0 + 1010 })
    .thenEmits([leased('w2', T0 + 1010, 2)]);
});

test('only the live holder records progress, finishes or fails; progress renews the lease', () => {
  const given = [...requested(), leased('w1', T0 + 10)];
  spec
    .given(given)
    .when({ type: 'RecordProgress', workerId: 'w2', stepsDone: 1, simulatedAt: T0, leaseMs: 1000, at: T0 + 20 })
    .thenThrows('lease_lost');
  spec
    .given(given)
    .when({ type: 'FinishBacktest', workerId: 'w1', metrics, artifacts: [], at: T0 + 1010 })
    .thenThrows('lease_lost');
  spec
    .given(given)
    .when({ type: 'RecordProgress', workerId: 'w1', stepsDone: 5, simulatedAt: T0, leaseMs: 1000, at: T0 + 900 })
    .thenEmits([
      {
        type: 'BacktestProgressed',
        data: {
          backtestId: 'b1',
          workerId: 'w1',
          stepsDone: 5,
          stepsTotal: 72,
          simulatedAt: T0,
          progressedAt: T0 + 900,
          leaseUntil: T0 + 1900,
        },
      },
    ]);
  spec
    .given(given)
    .when({ type: 'FailBacktest', workerId: 'w1', code: 'engine_failed', message: 'no reply', at: T0 + 20 })
    .thenEmits([
      { type: 'BacktestFailed', data: { backtestId: 'b1', workerId: 'w1', code: 'engine_failed', message: 'no reply', failedAt: T0 + 20 } },
    ]);
});

test('a finish carries the live-window verdict only when the run is a live-window re-run', () => {
  const given = [...requested(), leased('w1', T0 + 10)];
  const finished = { backtestId: 'b1', workerId: 'w1', metrics, artifacts: [], finishedAt: T0 + 20 };
  spec
    .given(given)
    .when({ type: 'FinishBacktest', workerId: 'w1', metrics, artifacts: [], at: T0 + 20 })
    .thenEmits([{ type: 'BacktestFinished', data: finished }]);
  const liveWindow = { runs: 50, decisionsReproduced: 49, ordersReproduced: 49, divergences: 1, metricsReproduced: false };
  spec
    .given(given)
    .when({ type: 'FinishBacktest', workerId: 'w1', metrics, artifacts: [], liveWindow, at: T0 + 20 })
    .thenEmits([{ type: 'BacktestFinished', data: { ...finished, liveWindow } }]);
});

test('progress never goes back nor past the total', () => {
  const given = [...requested(), leased('w1', T0 + 10)];
  spec
    .given(given)
    .when({ type: 'RecordProgress', workerId: 'w1', stepsDone: 73, simulatedAt: T0, leaseMs: 1000, at: T0 + 20 })
    .thenThrows('progress_invalid');
});

test('refused, finished and failed jobs are not runnable', () => {
  spec
    .given([...backtestDecider.decide(requestCommand({ acceptedToday: 3 }), backtestDecider.initialState())])
    .when({ type: 'LeaseBacktest', workerId: 'w1', leaseMs: 1000, at: T0 + 10 })
    .thenThrows('backtest_not_runnable');
  const finished: BacktestEvent = {
    type: 'BacktestFinished',
    data: { backtestId: 'b1', workerId: 'w1', metrics, artifacts: [], finishedAt: T0 + 20 },
  };
  spec
    .given([...requested(), leased('w1', T0 + 10), finished])
    .when({ type: 'LeaseBacktest', workerId: 'w2', leaseMs: 1000, at: T0 + 5000 })
    .thenThrows('backtest_not_runnable');
});

test('the usage stream counts each run once and never past the frozen limit', () => {
  const usage = specFor(backtestUsageDecider);
  const count = (backtestId: string) =>
    ({ type: 'CountRun', backtestId, userId: 'u1', cloneId: 'c1', usageDay: '2026-01-05', dailyRuns: 1, at: T0 }) as const;
  const counted = {
    type: 'BacktestRunCounted',
    data: { backtestId: 'b1', userId: 'u1', cloneId: 'c1', usageDay: '2026-01-05', countedAt: T0 },
  } as const;
  usage.given([]).when(count('b1')).thenEmits([counted]);
  usage.given([counted]).when(count('b1')).thenEmits([]);
  usage.given([counted]).when(count('b2')).thenThrows('daily_runs');
});

test('given a finished run with expiring artifacts, expiry is refused before it is due, recorded once when due', () => {
  const artifacts = [
    { key: 'backtests/b1/summary.json', kind: 'summary' as const, expiresAt: null },
    { key: 'backtests/b1/replies/', kind: 'replies' as const, expiresAt: T0 + 5000 },
  ];
  const finished: BacktestEvent = {
    type: 'BacktestFinished',
    data: { backtestId: 'b1', workerId: 'w1', metrics, artifacts, finishedAt: T0 + 100 },
  };
  const given = [...requested(), leased('w1', T0 + 10), finished];
  spec
    .given(given)
    .when({ type: 'ExpireArtifacts', objects: 3, at: T0 + 4999 })
    .thenThrows('nothing_to_expire');
  const expired: BacktestEvent = {
    type: 'BacktestArtifactsExpired',
    data: { backtestId: 'b1', kinds: ['replies'], keys: ['backtests/b1/replies/'], objects: 3, expiredAt: T0 + 5000 },
  };
  spec
    .given(given)
    .when({ type: 'ExpireArtifacts', objects: 3, at: T0 + 5000 })
    .thenEmits([expired]);
  spec
    .given([...given, expired])
    .when({ type: 'ExpireArtifacts', objects: 0, at: T0 + 9000 })
    .thenThrows('nothing_to_expire');
});

test('a takeover restarts the progress count: the new attempt may report from step 1', () => {
  const progressed: BacktestEvent = {
    type: 'BacktestProgressed',
    data: {
      backtestId: 'b1',
      workerId: 'w1',
      stepsDone: 40,
      stepsTotal: 72,
      simulatedAt: T0,
      progressedAt: T0 + 20,
      leaseUntil: T0 + 1020,
    },
  };
  const given = [...requested(), leased('w1', T0 + 10), progressed, leased('w2', T0 + 1100, 2)];
  assert.is(fold(backtestDecider, given).stepsDone, 0);
  spec
    .given(given)
    .when({ type: 'RecordProgress', workerId: 'w2', stepsDone: 10, simulatedAt: T0, leaseMs: 1000, at: T0 + 1200 })
    .thenEmits([
      {
        type: 'BacktestProgressed',
        data: {
          backtestId: 'b1',
          workerId: 'w2',
          stepsDone: 10,
          stepsTotal: 72,
          simulatedAt: T0,
          progressedAt: T0 + 1200,
          leaseUntil: T0 + 2200,
        },
      },
    ]);
});

test('property: whatever workers try, at most one holds a live lease and attempts only grow', () => {
  const step = fc.record({
    worker: fc.constantFrom('w1', 'w2', 'w3'),
    dt: fc.nat({ max: 1500 }),
    kind: fc.constantFrom('lease', 'progress'),
  });
  fc.assert(
    fc.property(fc.array(step, { maxLength: 40 }), (steps) => {
      let events = requested();
      let at = T0;
      let lastAttempt = 0;
      for (const s of steps) {
        at += s.dt;
        const command: BacktestCommand =
          s.kind === 'lease'
            ? { type: 'LeaseBacktest', workerId: s.worker, leaseMs: 1000, at }
            : { type: 'RecordProgress', workerId: s.worker, stepsDone: 0, simulatedAt: at, leaseMs: 1000, at };
        const before = fold(backtestDecider, events);
        let emitted: readonly BacktestEvent[] = [];
        try {
          emitted = backtestDecider.decide(command, before);
        } catch {
          continue;
        }
        // a write is only ever made by a worker when no other worker holds a live lease
        if (before.lease && before.lease.until > at) assert.is(before.lease.workerId, s.worker);
        events = [...events, ...emitted];
        const after = fold(backtestDecider, events);
        assert.ok((after.lease?.attempt ?? 0) >= lastAttempt);
        lastAttempt = after.lease?.attempt ?? 0;
      }
    }),
    { seed: fcSeed, numRuns: fcRuns },
  );
});

test.run();
