/**
 * The composition root: every module's event definitions and every read model. The server,
 * the CLI and the benchmark all open the store through this list, so they agree on the log.
 */

import { backtestDecider, backtestUsageDecider } from '../commands/backtests/decider.ts';
import { backtestEvents } from '../commands/backtests/events.ts';
import { BACKTEST_CATEGORY, BACKTEST_USAGE_CATEGORY } from '../commands/backtests/handlers.ts';
import { cloneDecider } from '../commands/clones/decider.ts';
import { cloneEvents } from '../commands/clones/events.ts';
import { ARENA_CATEGORY, arenaDecider } from '../commands/competition/arena-decider.ts';
import { arenaEvents } from '../commands/competition/arena-events.ts';
import { AUDITION_CATEGORY, auditionDecider } from '../commands/competition/audition-decider.ts';
import { auditionEvents } from '../commands/competition/audition-events.ts';
import { RACE_CATEGORY, raceDecider } from '../commands/competition/race-decider.ts';
import { raceEvents } from '../commands/competition/race-events.ts';
import { decisionControlEvents } from '../commands/decisions/control-events.ts';
import { CONTROLS_CATEGORY, controlsDecider } from '../commands/decisions/controls.ts';
import { decisionDecider } from '../commands/decisions/decider.ts';
import { decisionEvents } from '../commands/decisions/events.ts';
import { DECISIONS_CATEGORY } from '../commands/decisions/handlers.ts';
import { PAYMENT_CATEGORY, paymentDecider } from '../commands/economy/decider.ts';
import { paymentEvents } from '../commands/economy/events.ts';
import { REDEMPTION_CATEGORY, redemptionDecider } from '../commands/economy/redemption-decider.ts';
import { TX_CLAIM_CATEGORY, txClaimDecider } from '../commands/economy/tx-claim-decider.ts';
import { WITHDRAWAL_CATEGORY, withdrawalDecider } from '../commands/economy/withdrawal-decider.ts';
import { entitlementDecider } from '../commands/entitlements/decider.ts';
import { entitlementEvents } from '../commands/entitlements/events.ts';
import { identityDecider } from '../commands/identity/decider.ts';
import { identityEvents } from '../commands/identity/events.ts';
import { ANCHOR_CATEGORY, anchorDecider } from '../commands/ledger/anchor-decider.ts';
import { LEDGER_CATEGORY, ledgerDecider } from '../commands/ledger/decider.ts';
import { ledgerEvents } from '../commands/ledger/events.ts';
import { PROP_ACCOUNT_CATEGORY, propAccountDecider } from '../commands/prop-trading/decider.ts';
import { propTradingEvents } from '../commands/prop-trading/events.ts';
import type { Command, Decider } from '../core/decider.ts';
import type { EventDefinition } from '../core/event-registry.ts';
import type { DomainEvent } from '../core/event-store.ts';
import type { ProjectionDefinition } from '../core/projection.ts';
import { backtestsProjection } from '../projections/backtests/backtests.ts';
import { clonesProjection } from '../projections/clones/clones.ts';
import { lifecycleProjection } from '../projections/clones/lifecycle.ts';
import { profilesProjection } from '../projections/clones/profiles.ts';
import { versionsProjection } from '../projections/clones/versions.ts';
import { competitionProjections } from '../projections/competition/index.ts';
import { decisionRunsProjection } from '../projections/decisions/runs.ts';
import { paymentsProjection } from '../projections/economy/payments.ts';
import { entitlementsProjection } from '../projections/entitlements/entitlements.ts';
import { sessionsProjection } from '../projections/identity/sessions.ts';
import { usersProjection } from '../projections/identity/users.ts';
import { ledgerCheckpointsProjection } from '../projections/ledger/checkpoints.ts';
import { propTradingProjections } from '../projections/prop-trading/index.ts';

/** A kind of stream: its id prefix (`prop-account` in `prop-account-42`) and the decider that folds it. */
export interface StreamKind {
  readonly category: string;
  readonly decider: Decider<Command, unknown, DomainEvent>;
}

export interface Composition {
  readonly events: readonly EventDefinition[];
  readonly projections: readonly ProjectionDefinition[];
  readonly streams: readonly StreamKind[];
}

export const productComposition: Composition = {
  events: [
    ...identityEvents,
    ...cloneEvents,
    ...entitlementEvents,
    ...propTradingEvents,
    ...auditionEvents,
    ...arenaEvents,
    ...raceEvents,
    ...paymentEvents,
    ...decisionEvents,
    ...decisionControlEvents,
    ...backtestEvents,
    ...ledgerEvents,
  ],
  projections: [
    usersProjection,
    sessionsProjection,
    clonesProjection,
    profilesProjection,
    versionsProjection,
    lifecycleProjection,
    entitlementsProjection,
    ...propTradingProjections,
    ...competitionProjections,
    paymentsProjection,
    backtestsProjection,
    decisionRunsProjection,
    ledgerCheckpointsProjection,
  ],
  streams: [
    streamKind('user', identityDecider),
    streamKind('clone', cloneDecider),
    streamKind('entitlement', entitlementDecider),
    streamKind(PROP_ACCOUNT_CATEGORY, propAccountDecider),
    streamKind(AUDITION_CATEGORY, auditionDecider),
    streamKind(ARENA_CATEGORY, arenaDecider),
    streamKind(RACE_CATEGORY, raceDecider),
    streamKind(PAYMENT_CATEGORY, paymentDecider),
    streamKind(TX_CLAIM_CATEGORY, txClaimDecider),
    streamKind(WITHDRAWAL_CATEGORY, withdrawalDecider),
    streamKind(DECISIONS_CATEGORY, decisionDecider),
    streamKind(CONTROLS_CATEGORY, controlsDecider),
    streamKind(REDEMPTION_CATEGORY, redemptionDecider),
    streamKind(BACKTEST_CATEGORY, backtestDecider),
    streamKind(BACKTEST_USAGE_CATEGORY, backtestUsageDecider),
    streamKind(LEDGER_CATEGORY, ledgerDecider),
    streamKind(ANCHOR_CATEGORY, anchorDecider),
  ],
};

/**
 * A stream kind for the composition. The one cast is safe because the registry only ever folds
 * a stream's own events through its own decider (`clash replay --stream`); it never decides.
 */
export function streamKind<C extends Command, S, E extends DomainEvent>(category: string, decider: Decider<C, S, E>): StreamKind {
  return { category, decider: decider as unknown as StreamKind['decider'] };
}

/** The stream kind whose category prefixes this stream id (longest match wins). */
export function streamKindOf(composition: Composition, streamId: string): StreamKind | undefined {
  return [...composition.streams].sort((a, b) => b.category.length - a.category.length).find((k) => streamId.startsWith(`${k.category}-`));
}
