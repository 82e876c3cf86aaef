/**
 * Decision runs against the real Prop Trading module on one ledger: a rules run opens a long
 * (OrderFilled carries the run id) with its exit plan resting as protective orders, a later run
 * on the position holds, a stop closes it (the orders cancelled), an action Prop Trading's gates
 * refuse completes with the gate's code, and the decision events
 * sit in `decisions-<account>` beside the account's own stream.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MemoryArtifactStore } from '../../adapters/artifacts/memory.ts';
import type { DecisionEngine } from '../../adapters/models/engine.ts';
import { rulesEngine } from '../../commands/decisions/engines/rules.ts';
import { DecisionRuns, decisionStream } from '../../commands/decisions/handlers.ts';
import type { RunContext } from '../../commands/decisions/ports.ts';
import { propAccountStream } from '../../commands/prop-trading/decider.ts';
import { artifactSink, propTradingOrders } from '../../server/decisions.ts';
import { btcRunContext } from '../support/decision-context.ts';
import { openPropLedger, px, T0 } from '../support/prop-trading.ts';
import { tempDir } from '../support/store.ts';

const dir = tempDir();

function setup(name: string, engine: DecisionEngine = rulesEngine) {
  const p = openPropLedger(dir.file(`${name}.db`));
  p.prop.open({ accountId: 'acc', cloneId: 'clone-1', strategyVersionId: 'v1', purpose: 'audition' }, 'service:test');
  let context: Partial<RunContext> = {};
  const runs = new DecisionRuns({
    store: p.ledger.store,
    clock: p.clock,
    engine,
    context: {
      compile: async () => btcRunContext({ packet: { asset: 'BTC' }, promptTemplateVersion: 'v1', system: '', prompt: '', ...context }),
    },
    artifacts: artifactSink(new MemoryArtifactStore()),
    orders: propTradingOrders(p.prop),
  });
  return {
    ...p,
    runs,
    setContext: (c: Partial<RunContext>) => {
      context = c;
    },
  };
}

test('a rules run opens a long on the prop account; the fill carries the run id; a stop run closes it', async () => {
  const { runs, prop, market, clock, ledger, setContext } = setup('open');
  market.setPrice('BTC', px('100000'), T0);
  const opened = await runs.run({ runId: 'run-1', propAccountId: 'acc', cloneId: 'clone-1', asset: 'BTC', dueAt: T0 });
  assert.is(opened.status, 'ordered');
  const fill = ledger.store.readStream(propAccountStream('acc')).find((e) => e.type === 'OrderFilled');
  assert.is(fill?.type === 'OrderFilled' && (fill.data as { decisionRunId: string }).decisionRunId, 'run-1');
  assert.ok((prop.state('acc').positions.BTC?.size ?? 0n) > 0n, 'a long is open');
  // the run's exit plan rests as protective orders: a stop-loss below the fill, a take-profit above
  const resting = Object.values(prop.state('acc').protective).map((o) => [o.kind, o.decisionRunId, o.triggerPrice < px('100000')]);
  assert.equal(resting, [
    ['take_profit', 'run-1', false],
    ['stop_loss', 'run-1', true],
  ]);

  clock.set(T0 + 60_000);
  market.setPrice('BTC', px('97000'), T0 + 60_000);
  setContext({ lastPrice: '97000', position: { side: 'long', entryPrice: '100000' } });
  const stopped = await runs.run({ runId: 'run-2', propAccountId: 'acc', cloneId: 'clone-1', asset: 'BTC', dueAt: T0 + 60_000 });
  assert.equal(stopped.status === 'ordered' && stopped.order.status, 'executed');
  assert.is(prop.state('acc').positions.BTC, undefined, 'the position is closed');
  const cancelled = ledger.store.readStream(propAccountStream('acc')).filter((e) => e.type === 'ProtectiveOrderCancelled');
  assert.equal(
    cancelled.map((e) => (e.data as { reason: string }).reason),
    ['position_closed', 'position_closed'],
  );
  const types = ledger.store.readStream(decisionStream('acc')).map((e) => e.type);
  assert.is(types.filter((t) => t === 'DecisionRunCompleted').length, 2);
  ledger.close();
});

test("an order Prop Trading's gates refuse (no price) completes with the gate's code", async () => {
  const { runs, ledger } = setup('refused');
  const outcome = await runs.run({ runId: 'run-1', propAccountId: 'acc', cloneId: 'clone-1', asset: 'BTC', dueAt: T0 });
  assert.ok(outcome.status === 'ordered' && outcome.order.status === 'refused' && outcome.order.code !== null, JSON.stringify(outcome));
  const completed = ledger.store.readStream(decisionStream('acc')).at(-1);
  assert.is(completed?.type, 'DecisionRunCompleted');
  ledger.close();
});

test.after(() => dir.remove());
test.run();
