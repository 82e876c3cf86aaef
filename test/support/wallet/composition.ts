/** The example wallet domain as a Composition, for server and CLI tests. */
import type { Composition } from '../../../server/composition.ts';
import { walletDecider } from './decider.ts';
import { walletEvents } from './events.ts';
import { walletProjections } from './projections.ts';

export const walletComposition: Composition = {
  events: walletEvents,
  projections: walletProjections,
  streams: [{ category: 'wallet', decider: walletDecider as Composition['streams'][number]['decider'] }],
};
