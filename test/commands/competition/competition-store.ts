/** A real SQLite ledger with the competition events, read models and command handlers, for scenario and property tests. */
import { type Address, getAddress } from 'viem';
import { ARENA_STREAM_ID, arenaDecider } from '../../../commands/competition/arena-decider.ts';
import { auditionDecider } from '../../../commands/competition/audition-decider.ts';
import { raceDecider } from '../../../commands/competition/race-decider.ts';
import { ManualClock } from '../../../core/clock.ts';
import { CommandHandler } from '../../../core/decider.ts';
import { EventRegistry } from '../../../core/event-registry.ts';
import { EventStore } from '../../../core/event-store.ts';
import { ProjectionRunner } from '../../../core/projection-runner.ts';
import { competitionProjections } from '../../../projections/competition/index.ts';
import { productComposition } from '../../../server/composition.ts';

export function openCompetitionStore(path: string) {
  const store = EventStore.open(path, {
    registry: new EventRegistry(productComposition.events),
    clock: new ManualClock(0),
    synchronous: 'NORMAL',
  });
  const runner = new ProjectionRunner(store, competitionProjections);
  runner.start();
  return {
    store,
    runner,
    auditions: new CommandHandler(store, auditionDecider),
    arena: new CommandHandler(store, arenaDecider),
    races: new CommandHandler(store, raceDecider),
    arenaStream: ARENA_STREAM_ID,
  };
}

export type CompetitionStore = ReturnType<typeof openCompetitionStore>;

/** A checksummed wallet address made from a short tag: wallet('a1') = 0xa1a1…a1. */
export function wallet(tag: string): Address {
  return getAddress(`0x${tag.repeat(40 / tag.length)}`);
}
