/**
 * Wiring of the decision runtime to the other modules: Prop Trading as the runs' `OrderPort`,
 * the artifact store as their `ArtifactSink`, the clones read model behind the pause controls.
 * The context source is `decision-context.ts`, the worker's wiring `decision-worker.ts`.
 */
import { putContent } from '../adapters/artifacts/content.ts';
import type { ArtifactStore } from '../adapters/artifacts/store.ts';
import { DecisionControls } from '../commands/decisions/controls.ts';
import { orderInputOf } from '../commands/decisions/orders.ts';
import type { ArtifactSink, OrderOutcome, OrderPort } from '../commands/decisions/ports.ts';
import type { PropTrading } from '../commands/prop-trading/handlers.ts';
import { findClone } from '../projections/clones/clones.ts';
import type { Ledger } from './context.ts';

/** The pause and resume controls over `ledger`, a clone known by the clones read model. */
export function decisionControlsOf(ledger: Ledger): DecisionControls {
  const db = ledger.store.db;
  return new DecisionControls({ store: ledger.store, clock: ledger.clock, cloneExists: (cloneId) => findClone(db, cloneId) !== undefined });
}

/** The actor recorded on orders a decision run sends. */
const DECISION_ACTOR = 'service:decisions';

/**
 * Sends a validated action to Prop Trading (`orderInputOf`, the builder the backtest replay uses too) with the run id as `decisionRunId` (its idempotency
 * key: a retried run returns the first result and fills nothing twice), an open's or increase's
 * exit plan with it (placed as take-profit and stop-loss protective orders, doc/prop-trading.md). The outcome is the
 * `OrderFilled` (executed) or the `ActionRejected` (refused, with its gate's reason code).
 */
export function propTradingOrders(prop: PropTrading): OrderPort {
  return {
    submit(propAccountId, runId, action): OrderOutcome {
      const result = prop.submitAction(propAccountId, orderInputOf(runId, action), DECISION_ACTOR);
      for (const event of result.events) {
        if (event.type === 'OrderFilled') return { orderId: event.data.orderId, status: 'executed', code: null };
        if (event.type === 'ActionRejected') return { orderId: event.data.orderId, status: 'refused', code: event.data.reasonCode };
      }
      throw new Error(`prop account ${propAccountId} answered run ${runId} with neither a fill nor a rejection`);
    },
  };
}

/** Stores run payloads content-addressed in `store` (`putContent`). */
export function artifactSink(store: ArtifactStore): ArtifactSink {
  return { put: (kind, bytes) => putContent(store, kind, bytes) };
}
