/**
 * Arena slot admission: each free slot (lowest number first) takes the first clone in the
 * Promotion Queue whose public profile is approved. Clones without approval are skipped and
 * keep their place. The approvals are facts from Clone Service, passed in the command.
 */
import type { ArenaEvent } from './arena-events.ts';
import type { ArenaState } from './arena-state.ts';

export function admissions(state: ArenaState, approvedCloneIds: readonly string[], at: number): ArenaEvent[] {
  const taken = new Set(state.slots.map((s) => s.slot));
  const free: number[] = [];
  for (let slot = 1; slot <= (state.rules?.slots ?? 0); slot++) if (!taken.has(slot)) free.push(slot);
  const approved = new Set(approvedCloneIds);
  const candidates = state.queue.filter((entry) => approved.has(entry.cloneId)).values();
  const events: ArenaEvent[] = [];
  for (const slot of free) {
    const entry = candidates.next().value;
    if (!entry) break;
    events.push({ type: 'CloneAdmitted', data: { cloneId: entry.cloneId, auditionId: entry.auditionId, slot, admittedAt: at } });
  }
  return events;
}
