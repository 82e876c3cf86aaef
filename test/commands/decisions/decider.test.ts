/**
 * The decision-run decider: a run recorded by one command (scheduled, started, reply, verdict,
 * completion), a due unit once, failure with its unit (and start) or of a run left open by an
 * older stream (Given/When/Then); property: any command sequence folds to the state its events say.
 */
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { type DecisionCommand, decisionDecider } from '../../../commands/decisions/decider.ts';
import type { DecisionEvent } from '../../../commands/decisions/events.ts';
import { ClashError } from '../../../core/errors.ts';
import { fold, specFor } from '../../support/decider-spec.ts';
import { fcRuns, fcSeed } from '../../support/store.ts';

const spec = specFor(decisionDecider);
const ref = { key: 'packets/sha256/aa/x', sha256: 'a'.repeat(64), size: 10 };
const scheduled = (runId = 'r1', dueAt = 60_000): DecisionEvent => ({
  type: 'DecisionRunScheduled',
  data: { runId, propAccountId: 'acc', cloneId: 'c', asset: 'BTC', dueAt, scheduledAt: dueAt },
});
const started: DecisionEvent = {
  type: 'DecisionRunStarted',
  data: {
    runId: 'r1',
    engine: 'rules',
    model: 'rules',
    packetDigest: ref.sha256,
    promptTemplateVersion: 'v1',
    packet: ref,
    prompt: ref,
    startedAt: 1,
  },
};
const replied: DecisionEvent = {
  type: 'DecisionReplyRecorded',
  data: {
    runId: 'r1',
    model: 'rules-v1',
    reply: ref,
    inputTokens: 0,
    outputTokens: 0,
    costMicroUsd: 0n,
    latencyMs: 0,
    attempts: 0,
    parse: { status: 'valid', reason: null, issues: [] },
    recordedAt: 2,
  },
};
const refused: DecisionEvent = {
  type: 'DecisionActionRefused',
  data: { runId: 'r1', stage: 'validation', refusals: [{ code: 'asset_disabled', detail: 'x' }], refusedAt: 3 },
};
const order = { orderId: 'o1', status: 'executed' as const, code: null };
type Data<T extends DecisionEvent['type']> = Extract<DecisionEvent, { type: T }>['data'];
const unit = (runId = 'r1', dueAt = 60_000) => scheduled(runId, dueAt).data as Data<'DecisionRunScheduled'>;
const { runId: _r, ...start } = started.data as Data<'DecisionRunStarted'>;
const { runId: _rr, ...reply } = replied.data as Data<'DecisionReplyRecorded'>;
const refusedVerdict = {
  status: 'refused' as const,
  stage: 'validation' as const,
  refusals: [{ code: 'asset_disabled' as const, detail: 'x' }],
};
const action = { action: 'hold' as const, asset: 'BTC', confidence: 1, reason: 'flat' };
type Verdict = Extract<DecisionCommand, { type: 'RecordRun' }>['verdict'];
const record = (verdict: Verdict, o: typeof order | null = null, runId = 'r1', dueAt = 60_000): DecisionCommand => ({
  type: 'RecordRun',
  unit: unit(runId, dueAt),
  start,
  reply,
  verdict,
  order: o,
  at: 3,
});
const completed = (o: typeof order | null): DecisionEvent => ({
  type: 'DecisionRunCompleted',
  data: { runId: 'r1', order: o, completedAt: 3 },
});

test('Given nothing, When a refused run is recorded, Then scheduled, started, reply, refusal and completion without an order in one command', () => {
  spec
    .given([])
    .when(record(refusedVerdict))
    .thenEmits([scheduled(), started, replied, refused, completed(null)]);
});

test('Given nothing, When an accepted run with its order is recorded, Then the action and the completion carry it', () => {
  spec
    .given([])
    .when(record({ status: 'accepted', action }, order))
    .thenEmits([
      scheduled(),
      started,
      replied,
      { type: 'DecisionActionAccepted', data: { runId: 'r1', action, acceptedAt: 3 } },
      completed(order),
    ]);
});

test('a due unit runs once: the same or an earlier due time is run_not_due; an open run id is run_exists', () => {
  spec
    .given([scheduled()])
    .when(record(refusedVerdict, null, 'r2', 60_000))
    .thenThrows('run_not_due');
  spec
    .given([scheduled()])
    .when(record(refusedVerdict, null, 'r1', 120_000))
    .thenThrows('run_exists');
  const eth = { ...record(refusedVerdict, null, 'r2'), unit: { ...unit('r2'), asset: 'ETH' } } as DecisionCommand;
  const emitted = decisionDecider.decide(eth, fold(decisionDecider, [scheduled()]));
  assert.equal(emitted[0], { ...scheduled('r2'), data: { ...scheduled('r2').data, asset: 'ETH' } } as DecisionEvent);
});

test('a refused run sending an order, and failing an unknown run without its unit, are run_out_of_order', () => {
  spec.given([]).when(record(refusedVerdict, order)).thenThrows('run_out_of_order');
  spec.given([]).when({ type: 'FailRun', runId: 'r1', code: 'x', message: '', at: 5 }).thenThrows('run_out_of_order');
});

test('a run fails with its unit (and its start when the context was stored), or alone when an older stream left it open', () => {
  const failedAt5 = (code: string, message: string): DecisionEvent => ({
    type: 'DecisionRunFailed',
    data: { runId: 'r1', code, message, failedAt: 5 },
  });
  spec
    .given([])
    .when({ type: 'FailRun', runId: 'r1', code: 'no_price', message: 'stale', unit: unit(), at: 5 })
    .thenEmits([scheduled(), failedAt5('no_price', 'stale')]);
  spec
    .given([])
    .when({ type: 'FailRun', runId: 'r1', code: 'engine_unavailable', message: 'down', unit: unit(), start, at: 5 })
    .thenEmits([scheduled(), started, failedAt5('engine_unavailable', 'down')]);
  spec
    .given([scheduled(), started])
    .when({ type: 'FailRun', runId: 'r1', code: 'engine_unavailable', message: 'down', unit: unit(), at: 5 })
    .thenEmits([failedAt5('engine_unavailable', 'down')]);
  spec
    .given([scheduled()])
    .when({ type: 'FailRun', runId: 'r2', code: 'x', message: '', unit: unit('r2'), at: 5 })
    .thenThrows('run_not_due');
  const state = fold(decisionDecider, [scheduled(), started, failedAt5('x', '')]);
  assert.equal(state, { open: {}, lastDueAt: { BTC: 60_000 }, retryable: { BTC: 'r1' }, completed: 0, failed: 1, skipped: 0 });
});

test('streams written one event per append (before a run was one command) fold to the same state', () => {
  const state = fold(decisionDecider, [scheduled(), started, replied, refused, completed(null)]);
  assert.equal(state, { open: {}, lastDueAt: { BTC: 60_000 }, retryable: {}, completed: 1, failed: 0, skipped: 0 });
});

const failedRun: DecisionEvent = {
  type: 'DecisionRunFailed',
  data: { runId: 'r1', code: 'engine_unavailable', message: 'down', failedAt: 2 },
};

test('Given a failed run, When the worker retries it, Then it is recorded under the same run id; without retry it is run_not_due', () => {
  const retried = { ...record({ status: 'accepted', action }), retry: true } as DecisionCommand;
  spec
    .given([scheduled(), failedRun])
    .when(retried)
    .thenEmits([
      scheduled(),
      started,
      replied,
      { type: 'DecisionActionAccepted', data: { runId: 'r1', action, acceptedAt: 3 } },
      completed(null),
    ]);
  spec
    .given([scheduled(), failedRun])
    .when(record({ status: 'accepted', action }))
    .thenThrows('run_not_due');
  spec
    .given([scheduled(), failedRun])
    .when({ type: 'FailRun', runId: 'r1', code: 'engine_unavailable', message: 'again', unit: unit(), retry: true, at: 4 })
    .thenEmits([
      scheduled(),
      { type: 'DecisionRunFailed', data: { runId: 'r1', code: 'engine_unavailable', message: 'again', failedAt: 4 } },
    ]);
});

test('a completed run, a superseded one or another run id is never retried (run_not_due)', () => {
  const retry = (runId: string, dueAt = 60_000) =>
    ({ ...record({ status: 'accepted', action }, null, runId, dueAt), retry: true }) as DecisionCommand;
  spec
    .given([scheduled(), started, replied, refused, completed(null)])
    .when(retry('r1'))
    .thenThrows('run_not_due');
  spec
    .given([scheduled(), failedRun, scheduled('r2', 120_000)])
    .when(retry('r1'))
    .thenThrows('run_not_due');
  spec.given([scheduled(), failedRun]).when(retry('r9')).thenThrows('run_not_due');
});

test('Given a due time, When the unit is skipped, Then DecisionRunSkipped uses it up: the same due time cannot run', () => {
  const data = {
    runId: 'r1',
    propAccountId: 'acc',
    cloneId: 'c',
    asset: 'BTC',
    dueAt: 60_000,
    reason: 'clone_paused' as const,
    detail: 'clone c is paused: test',
  };
  const skipped: DecisionEvent = { type: 'DecisionRunSkipped', data: { ...data, skippedAt: 60_001 } };
  spec
    .given([])
    .when({ type: 'SkipRun', ...data, at: 60_001 })
    .thenEmits([skipped]);
  spec
    .given([skipped])
    .when({ type: 'SkipRun', ...data, at: 60_002 })
    .thenThrows('run_not_due');
  spec
    .given([skipped])
    .when({ ...record({ status: 'accepted', action }), retry: true } as DecisionCommand)
    .thenThrows('run_not_due');
  assert.equal(fold(decisionDecider, [skipped]).skipped, 1);
});

test('property: random command sequences — no run is left open, counts match the events, and due times only grow', () => {
  const runIds = ['r1', 'r2', 'r3'];
  const due = fc.record({ runId: fc.constantFrom(...runIds), dueAt: fc.integer({ min: 1, max: 10 }) });
  const arbCommand: fc.Arbitrary<DecisionCommand> = fc.oneof(
    due.map(({ runId, dueAt }) => record(refusedVerdict, null, runId, dueAt)),
    due.map(({ runId, dueAt }) => record({ status: 'accepted', action }, order, runId, dueAt)),
    due.map(({ runId, dueAt }): DecisionCommand => ({ type: 'FailRun', runId, code: 'x', message: '', unit: unit(runId, dueAt), at: 5 })),
    due.map(
      ({ runId, dueAt }): DecisionCommand => ({ type: 'FailRun', runId, code: 'x', message: '', unit: unit(runId, dueAt), start, at: 5 }),
    ),
    fc.constantFrom(...runIds).map((runId): DecisionCommand => ({ type: 'FailRun', runId, code: 'x', message: '', at: 5 })),
  );
  fc.assert(
    fc.property(fc.array(arbCommand, { maxLength: 40 }), (commands) => {
      const events: DecisionEvent[] = [];
      let lastDue = 0;
      for (const command of commands) {
        try {
          const emitted = decisionDecider.decide(command, fold(decisionDecider, events));
          events.push(...emitted);
          const first = emitted[0];
          if (first?.type === 'DecisionRunScheduled') {
            assert.ok(first.data.dueAt > lastDue, 'a due time never repeats');
            lastDue = first.data.dueAt;
          }
        } catch (error) {
          assert.instance(error, ClashError);
        }
      }
      const state = fold(decisionDecider, events);
      const closed = events.filter((e) => e.type === 'DecisionRunCompleted' || e.type === 'DecisionRunFailed').length;
      const opened = events.filter((e) => e.type === 'DecisionRunScheduled').length;
      assert.is(state.completed + state.failed, closed);
      assert.is(opened, closed, 'every command closes the run it opens');
      assert.equal(state.open, {});
    }),
    { seed: fcSeed, numRuns: fcRuns },
  );
});

test.run();
