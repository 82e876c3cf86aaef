/**
 * The composition root: every module's event definitions and every read model. The server,
 * the CLI and the benchmark all open the store through this list, so they agree on the log.
 */

import { cloneDecider } from '../commands/clones/decider.ts';
import { cloneEvents } from '../commands/clones/events.ts';
import { entitlementDecider } from '../commands/entitlements/decider.ts';
import { entitlementEvents } from '../commands/entitlements/events.ts';
import { identityDecider } from '../commands/identity/decider.ts';
import { identityEvents } from '../commands/identity/events.ts';
import { PROP_ACCOUNT_CATEGORY, propAccountDecider } from '../commands/prop-trading/decider.ts';
import { propTradingEvents } from '../commands/prop-trading/events.ts';
import type { Command, Decider } from '../core/decider.ts';
import type { EventDefinition } from '../core/event-registry.ts';
import type { DomainEvent } from '../core/event-store.ts';
import type { ProjectionDefinition } from '../core/projection.ts';
import { clonesProjection } from '../projections/clones/clones.ts';
import { lifecycleProjection } from '../projections/clones/lifecycle.ts';
import { profilesProjection } from '../projections/clones/profiles.ts';
import { versionsProjection } from '../projections/clones/versions.ts';
import { entitlementsProjection } from '../projections/entitlements/entitlements.ts';
import { sessionsProjection } from '../projections/identity/sessions.ts';
import { usersProjection } from '../projections/identity/users.ts';
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
  events: [...identityEvents, ...cloneEvents, ...entitlementEvents, ...propTradingEvents],
  projections: [
    usersProjection,
    sessionsProjection,
    clonesProjection,
    profilesProjection,
    versionsProjection,
    lifecycleProjection,
    entitlementsProjection,
    ...propTradingProjections,
  ],
  streams: [
    { category: 'user', decider: identityDecider },
    { category: 'clone', decider: cloneDecider },
    { category: 'entitlement', decider: entitlementDecider },
    { category: PROP_ACCOUNT_CATEGORY, decider: propAccountDecider as unknown as StreamKind['decider'] },
  ],
};

/** The stream kind whose category prefixes this stream id (longest match wins). */
export function streamKindOf(composition: Composition, streamId: string): StreamKind | undefined {
  return [...composition.streams].sort((a, b) => b.category.length - a.category.length).find((k) => streamId.startsWith(`${k.category}-`));
}
