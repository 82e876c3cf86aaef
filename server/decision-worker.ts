/**
 * Wiring of the decision worker (`commands/decisions/worker.ts`) in a process: its runs over the
 * ledger, Prop Trading and the operations' artifact store, the running accounts and the context over the
 * read models, the controls stream, the operations' leases and work units, and the engine of
 * `DECISION_MODEL_PROVIDER`. `clash serve`, `clash worker decisions` and `clash decisions run-once` build it here.
 */
import { hostname } from 'node:os';
import type { DecisionEngine } from '../adapters/models/engine.ts';
import { DecisionRuns } from '../commands/decisions/handlers.ts';
import { DecisionWorker } from '../commands/decisions/worker.ts';
import type { Config } from './config.ts';
import type { Ledger } from './context.ts';
import { runningAccountsOf } from './decision-accounts.ts';
import { engineOf } from './decision-config.ts';
import { decisionContextSource } from './decision-context.ts';
import { decisionReplyArchive } from './decision-replies.ts';
import { artifactSink, decisionControlsOf, propTradingOrders } from './decisions.ts';
import type { Operations } from './operations.ts';
import { propTrading } from './prop-trading.ts';

/** The decision worker of this process (a `recorded` engine replays the replies of this database's completed runs). */
export function decisionWorkerOf(ledger: Ledger, config: Config, ops: Operations): DecisionWorker {
  const db = ledger.store.db;
  const engine = metered(engineOf(config, decisionReplyArchive(db, ops.artifacts)), ops);
  const runs = new DecisionRuns({
    store: ledger.store,
    clock: ledger.clock,
    engine,
    context: decisionContextSource(db, config),
    artifacts: artifactSink(ops.artifacts),
    orders: propTradingOrders(propTrading(ledger)),
  });
  return new DecisionWorker({
    runs,
    accounts: runningAccountsOf(db, config),
    controls: decisionControlsOf(ledger),
    units: ops.units,
    leases: ops.leases,
    engine: engine.name,
    holder: `${hostname()}:${process.pid}`,
    leaseMs: config.DECISION_LEASE_SECONDS * 1000,
    concurrency: config.DECISION_CONCURRENCY,
    cadenceOverrideSec: config.DECISION_CADENCE_SEC ?? null,
    onRun: (ms, failed) => ops.metrics.decision(engine.name, ms, failed),
  });
}

/** `engine` reporting every reply's tokens and cost to the metrics (`clash_model_tokens_total`, `clash_model_cost_micro_usd_total`). */
function metered(engine: DecisionEngine, ops: Operations): DecisionEngine {
  return {
    name: engine.name,
    async decide(request) {
      const reply = await engine.decide(request);
      ops.metrics.modelUsage(engine.name, reply.model, { ...reply.usage, costMicroUsd: reply.costMicroUsd });
      return reply;
    },
  };
}
