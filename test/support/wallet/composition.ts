/** The example wallet domain as a Composition, for server and CLI tests. */
import { ANCHOR_CATEGORY, anchorDecider } from '../../../commands/ledger/anchor-decider.ts';
import { LEDGER_CATEGORY, ledgerDecider } from '../../../commands/ledger/decider.ts';
import { ledgerEvents } from '../../../commands/ledger/events.ts';
import { ledgerCheckpointsProjection } from '../../../projections/ledger/checkpoints.ts';
import { type Composition, streamKind } from '../../../server/composition.ts';
import { walletDecider } from './decider.ts';
import { walletEvents } from './events.ts';
import { walletProjections } from './projections.ts';

export const walletComposition: Composition = {
  events: walletEvents,
  projections: walletProjections,
  streams: [{ category: 'wallet', decider: walletDecider as Composition['streams'][number]['decider'] }],
};

/** The wallet domain with the ledger's signed checkpoints (their events, read model and stream). */
export const walletLedgerComposition: Composition = {
  events: [...walletComposition.events, ...ledgerEvents],
  projections: [...walletComposition.projections, ledgerCheckpointsProjection],
  streams: [...walletComposition.streams, streamKind(LEDGER_CATEGORY, ledgerDecider), streamKind(ANCHOR_CATEGORY, anchorDecider)],
};
