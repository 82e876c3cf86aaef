/**
 * Where time and identity come from. Handlers and workers take these as parameters; deciders
 * and projections never see them, they get time and ids inside the command or the event.
 */
import { v7 as uuidv7 } from 'uuid';

export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that only moves when told to: for tests, backtests and replays. */
export class ManualClock implements Clock {
  constructor(private current: number) {}
  now(): number {
    return this.current;
  }
  set(ms: number): void {
    this.current = ms;
  }
  advance(ms: number): void {
    this.current += ms;
  }
}

export interface IdSource {
  next(): string;
}

/**
 * Time-ordered ids: RFC 9562 UUIDv7 (48-bit Unix-ms timestamp, then a counter and random bits),
 * strictly increasing within a process (the `uuid` package keeps a sequence for ids made in the
 * same millisecond) and unique across processes by their random bits. Ordered ids keep the
 * unique indexes on event ids append-mostly: an append dirties the index's last pages, not one
 * random page per event (issue 17; `doc/event-store.md`).
 */
export const timeOrderedIds: IdSource = { next: () => uuidv7() };

/** Deterministic ids shaped like UUIDs: `prefix` plus a counter. */
export class SequentialIds implements IdSource {
  private n = 0;
  constructor(private readonly prefix = '00000000-0000-4000-8000-') {}
  next(): string {
    this.n += 1;
    return this.prefix + this.n.toString(16).padStart(12, '0');
  }
}
