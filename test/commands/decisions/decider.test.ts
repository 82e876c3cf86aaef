/**
 * The decision-run decider: steps in order, a due unit once, failure from any open step
 * (Given/When/Then); property: any command sequence folds to the state its accepted events say.
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
const scheduled = (runId = 'r1', dueAt = 60_000, scheduledAt = dueAt): DecisionEvent => ({
  type: 'DecisionRunScheduled',
  data: { runId, propAccountId: 'acc', cloneId: 'c', asset: 'BTC', dueAt, scheduledAt },
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

test('Given nothing, When a unit is scheduled, Then DecisionRunScheduled', () => {
  spec
    .given([])
    .when({ type: 'ScheduleRun', runId: 'r1', propAccountId: 'acc', cloneId: 'c', asset: 'BTC', dueAt: 60_000, at: 60_000 })
    .thenEmits([scheduled()]);
});

test('a due unit runs once: the same or an earlier due time is run_not_due; an open run id is run_exists', () => {
  const schedule = (runId: string, dueAt: number): DecisionCommand => ({
    type: 'ScheduleRun',
    runId,
    propAccountId: 'acc',
    cloneId: 'c',
    asset: 'BTC',
    dueAt,
    at: dueAt,
  });
  spec.given([scheduled()]).when(schedule('r2', 60_000)).thenThrows('run_not_due');
  spec.given([scheduled()]).when(schedule('r1', 120_000)).thenThrows('run_exists');
  spec
    .given([scheduled()])
    .when({ ...schedule('r2', 60_000), asset: 'ETH' } as DecisionCommand)
    .thenEmits([{ ...scheduled('r2'), data: { ...scheduled('r2').data, asset: 'ETH' } } as DecisionEvent]);
});

test('steps out of order are run_out_of_order', () => {
  spec
    .given([scheduled()])
    .when({ type: 'RecordReply', ...(replied.data as object), at: 2 } as DecisionCommand)
    .thenThrows('run_out_of_order');
  spec.given([]).when({ type: 'CompleteRun', runId: 'r1', order: null, at: 3 }).thenThrows('run_out_of_order');
  spec
    .given([scheduled(), started, replied, refused])
    .when({ type: 'CompleteRun', runId: 'r1', order, at: 4 })
    .thenThrows('run_out_of_order');
});

test('a refused run completes without an order and closes; a failed run closes from any open step', () => {
  spec
    .given([scheduled(), started, replied, refused])
    .when({ type: 'CompleteRun', runId: 'r1', order: null, at: 4 })
    .thenEmits([{ type: 'DecisionRunCompleted', data: { runId: 'r1', order: null, completedAt: 4 } }]);
  spec
    .given([scheduled(), started])
    .when({ type: 'FailRun', runId: 'r1', code: 'engine_unavailable', message: 'down', at: 5 })
    .thenEmits([{ type: 'DecisionRunFailed', data: { runId: 'r1', code: 'engine_unavailable', message: 'down', failedAt: 5 } }]);
  const state = fold(decisionDecider, [
    scheduled(),
    started,
    { type: 'DecisionRunFailed', data: { runId: 'r1', code: 'x', message: '', failedAt: 5 } },
  ]);
  assert.equal(state, { open: {}, lastDueAt: { BTC: 60_000 }, retryable: { BTC: 'r1' }, completed: 0, failed: 1, skipped: 0 });
});

const retryOf = (runId: string, dueAt = 60_000): DecisionCommand => ({
  type: 'ScheduleRun',
  runId,
  propAccountId: 'acc',
  cloneId: 'c',
  asset: 'BTC',
  dueAt,
  retry: true,
  at: 90_000,
});
const failed = (code = 'engine_unavailable'): DecisionEvent => ({
  type: 'DecisionRunFailed',
  data: { runId: 'r1', code, message: 'down', failedAt: 70_000 },
});

test('Given a failed run, When the worker retries it, Then it is scheduled again under the same run id; without retry it is run_not_due', () => {
  spec
    .given([scheduled(), started, failed()])
    .when(retryOf('r1'))
    .thenEmits([scheduled('r1', 60_000, 90_000)]);
  spec
    .given([scheduled(), started, failed()])
    .when({ ...retryOf('r1'), retry: false } as DecisionCommand)
    .thenThrows('run_not_due');
});

test('Given a run left open by a dead worker, When the lease taker retries it, Then the abandoned run fails and is scheduled again', () => {
  spec
    .given([scheduled(), started])
    .when(retryOf('r1'))
    .thenEmits([
      {
        type: 'DecisionRunFailed',
        data: {
          runId: 'r1',
          code: 'run_abandoned',
          message: 'its worker stopped before the run ended; scheduled again by the worker that took its lease over',
          failedAt: 90_000,
        },
      },
      scheduled('r1', 60_000, 90_000),
    ]);
});

test('a completed run, a superseded one or another run id is never retried (run_not_due)', () => {
  const completed: DecisionEvent = { type: 'DecisionRunCompleted', data: { runId: 'r1', order: null, completedAt: 4 } };
  spec.given([scheduled(), started, replied, refused, completed]).when(retryOf('r1')).thenThrows('run_not_due');
  spec
    .given([scheduled(), started, failed(), scheduled('r2', 120_000)])
    .when(retryOf('r1'))
    .thenThrows('run_not_due');
  spec.given([scheduled(), failed()]).when(retryOf('r9')).thenThrows('run_not_due');
});

test('Given a due time, When the unit is skipped, Then DecisionRunSkipped uses it up: the same due time cannot run', () => {
  const skip: DecisionCommand = {
    type: 'SkipRun',
    runId: 'r1',
    propAccountId: 'acc',
    cloneId: 'c',
    asset: 'BTC',
    dueAt: 60_000,
    reason: 'clone_paused',
    detail: 'clone c is paused: test',
    at: 60_001,
  };
  const skipped: DecisionEvent = {
    type: 'DecisionRunSkipped',
    data: {
      runId: 'r1',
      propAccountId: 'acc',
      cloneId: 'c',
      asset: 'BTC',
      dueAt: 60_000,
      reason: 'clone_paused',
      detail: 'clone c is paused: test',
      skippedAt: 60_001,
    },
  };
  spec.given([]).when(skip).thenEmits([skipped]);
  spec.given([skipped]).when(skip).thenThrows('run_not_due');
  spec.given([skipped]).when(retryOf('r1')).thenThrows('run_not_due');
  assert.equal(fold(decisionDecider, [skipped]).skipped, 1);
});

test('property: random command sequences — accepted commands fold to a state where every open run is at the step of its last event, and due times only grow', () => {
  const runIds = ['r1', 'r2', 'r3'];
  const arbCommand: fc.Arbitrary<DecisionCommand> = fc.oneof(
    fc.record({ runId: fc.constantFrom(...runIds), dueAt: fc.integer({ min: 1, max: 10 }) }).map(({ runId, dueAt }) => ({
      type: 'ScheduleRun' as const,
      runId,
      propAccountId: 'acc',
      cloneId: 'c',
      asset: 'BTC',
      dueAt,
      at: dueAt,
    })),
    fc.constantFrom(...runIds).map((runId) => ({ ...(started.data as object), runId, type: 'StartRun', at: 1 }) as DecisionCommand),
    fc.constantFrom(...runIds).map((runId) => ({ ...(replied.data as object), runId, type: 'RecordReply', at: 2 }) as DecisionCommand),
    fc.constantFrom(...runIds).map((runId) => ({ ...(refused.data as object), runId, type: 'RefuseAction', at: 3 }) as DecisionCommand),
    fc.constantFrom(...runIds).map((runId) => ({ type: 'CompleteRun' as const, runId, order: null, at: 4 })),
    fc.constantFrom(...runIds).map((runId) => ({ type: 'FailRun' as const, runId, code: 'x', message: '', at: 5 })),
  );
  fc.assert(
    fc.property(fc.array(arbCommand, { maxLength: 40 }), (commands) => {
      const events: DecisionEvent[] = [];
      let lastDue = 0;
      for (const command of commands) {
        try {
          const emitted = decisionDecider.decide(command, fold(decisionDecider, events));
          events.push(...emitted);
          if (command.type === 'ScheduleRun') {
            assert.ok(command.dueAt > lastDue, 'a due time never repeats');
            lastDue = command.dueAt;
          }
        } catch (error) {
          assert.instance(error, ClashError);
        }
      }
      const state = fold(decisionDecider, events);
      const closed = events.filter((e) => e.type === 'DecisionRunCompleted' || e.type === 'DecisionRunFailed').length;
      const opened = events.filter((e) => e.type === 'DecisionRunScheduled').length;
      assert.is(state.completed + state.failed, closed);
      assert.is(Object.keys(state.open).length, opened - closed);
    }),
    { seed: fcSeed, numRuns: fcRuns },
  );
});

test.run();
