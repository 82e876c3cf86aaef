/**
 * Given/When/Then for deciders, in the manner of Emmett's DeciderSpecification: given past
 * events, when a command, then these new events (or this error code). Pure: no store involved.
 */
import * as assert from 'uvu/assert';
import type { Command, Decider } from '../../core/decider.ts';
import { ClashError } from '../../core/errors.ts';
import type { DomainEvent, RecordedEvent } from '../../core/event-store.ts';

function recorded<E extends DomainEvent>(event: E, i: number): RecordedEvent<E> {
  return {
    ...event,
    position: i + 1,
    streamId: 'spec',
    streamVersion: i + 1,
    eventId: `spec-${i + 1}`,
    schemaVersion: 1,
    metadata: {},
    recordedAt: 0,
  };
}

export function fold<C extends Command, S, E extends DomainEvent>(decider: Decider<C, S, E>, events: readonly E[]): S {
  return events.reduce((s, e, i) => decider.evolve(s, recorded(e, i)), decider.initialState());
}

export function specFor<C extends Command, S, E extends DomainEvent>(decider: Decider<C, S, E>) {
  return {
    given(events: readonly E[]) {
      return {
        when(command: C) {
          const run = () => decider.decide(command, fold(decider, events));
          return {
            thenEmits(expected: readonly E[]) {
              assert.equal(run(), expected);
            },
            thenThrows(code: string) {
              try {
                run();
              } catch (error) {
                assert.instance(error, ClashError);
                assert.is((error as ClashError).code, code);
                return;
              }
              assert.unreachable(`expected ${code}`);
            },
          };
        },
      };
    },
  };
}
