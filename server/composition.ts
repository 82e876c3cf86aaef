/**
 * The composition root: every module's event definitions and every read model. The server,
 * the CLI and the benchmark all open the store through this list, so they agree on the log.
 */
import { ARENA_CATEGORY, arenaDecider } from '../commands/competition/arena-decider.ts';
import { arenaEvents } from '../commands/competition/arena-events.ts';
import { AUDITION_CATEGORY, auditionDecider } from '../commands/competition/audition-decider.ts';
import { auditionEvents } from '../commands/competition/audition-events.ts';
import { RACE_CATEGORY, raceDecider } from '../commands/competition/race-decider.ts';
import { raceEvents } from '../commands/competition/race-events.ts';
import type { Command, Decider } from '../core/decider.ts';
import type { EventDefinition } from '../core/event-registry.ts';
import type { DomainEvent } from '../core/event-store.ts';
import type { ProjectionDefinition } from '../core/projection.ts';
import { competitionProjections } from '../projections/competition/index.ts';

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
  events: [...auditionEvents, ...arenaEvents, ...raceEvents],
  projections: [...competitionProjections],
  streams: [
    { category: AUDITION_CATEGORY, decider: auditionDecider as unknown as StreamKind['decider'] },
    { category: ARENA_CATEGORY, decider: arenaDecider as unknown as StreamKind['decider'] },
    { category: RACE_CATEGORY, decider: raceDecider as unknown as StreamKind['decider'] },
  ],
};

/** The stream kind whose category prefixes this stream id (longest match wins). */
export function streamKindOf(composition: Composition, streamId: string): StreamKind | undefined {
  return [...composition.streams].sort((a, b) => b.category.length - a.category.length).find((k) => streamId.startsWith(`${k.category}-`));
}
