/**
 * The competition process manager: reads the hand-off events of the log in order from its
 * checkpoint and takes the next step for each (doc/competition.md, "Process-manager
 * hand-offs"): open accounts through Prop Trading and finalize them once their audition is
 * decided (pass, fail or void), queue passed clones, open, record and
 * settle races, ask Economy for refunds, payouts and royalties. Every step is idempotent, so
 * the checkpoint is advanced after the step: a crash in between repeats a step, never skips one.
 *
 * Each step is a worker unit (`core/operations/work-units.ts`): a step that throws is parked and
 * retried under the retry policy, then kept as a dead letter, and the checkpoint moves on. Only
 * the steps that must follow it wait: those of the same race or audition (its ordering key);
 * refunds are independent of everything else (issue 15, "Retries and dead letters").
 */

import { readCheckpoint, writeCheckpoint } from '../../core/checkpoints.ts';
import type { RecordedEvent } from '../../core/event-store.ts';
import type { UnitRef, WorkUnits } from '../../core/operations/work-units.ts';
import type { ArenaEvent } from './arena-events.ts';
import { auditionStreamId } from './audition-decider.ts';
import type { AuditionEvent } from './audition-events.ts';
import { type Competition, WORKER_ACTOR } from './handlers.ts';
import { payoutClaims } from './payout-tree.ts';
import { raceStreamId } from './race-decider.ts';
import { defaultRaceRules, type RaceEvent, type RaceSettledData } from './race-events.ts';
import { raceResultOf } from './race-settlement.ts';

export const PROCESS_CHECKPOINT = 'process:competition';
/** The worker name its units are parked under. */
export const HANDOFF_WORKER = 'competition';

type HandOff = AuditionEvent | ArenaEvent | RaceEvent;

const handOffTypes = [
  'AuditionAccountRequested',
  'AuditionPassed',
  'AuditionFailed',
  'AuditionVoided',
  'AuditionFeeRefundOwed',
  'RaceScheduled',
  'RaceLaunched',
  'TicketRefundOwed',
  'RaceClosed',
  'RaceSettled',
] as const;

async function step(c: Competition, e: HandOff): Promise<void> {
  switch (e.type) {
    case 'AuditionAccountRequested':
      c.openAuditionAccount(e.data.auditionId, e.data.attempt);
      return;
    case 'AuditionPassed': {
      const { cloneId, auditionId, passedAt, propAccountId } = e.data;
      c.arenaCommand({ type: 'QueueClone', cloneId, auditionId, passedAt }, WORKER_ACTOR);
      c.closeAuditionAccount(propAccountId);
      return;
    }
    case 'AuditionFailed':
      c.closeAuditionAccount(e.data.propAccountId);
      return;
    case 'AuditionVoided': {
      const account = c.auditions.load(auditionStreamId(e.data.auditionId)).state?.account;
      if (account) c.closeAuditionAccount(account.propAccountId);
      return;
    }
    case 'AuditionFeeRefundOwed': {
      const { auditionId, feePaymentId } = e.data;
      const refundId = `audition-fee-${auditionId}`;
      await c.deps.economy.refunds.refund({ refundId, paymentId: feePaymentId, purpose: 'audition_fee', reference: auditionId });
      return;
    }
    case 'RaceScheduled':
      openRace(c, e.data);
      return;
    case 'RaceLaunched':
      c.arenaCommand({ type: 'RecordRaceLaunch', raceId: e.data.raceId }, WORKER_ACTOR);
      return;
    case 'TicketRefundOwed': {
      const { paymentId, raceId } = e.data;
      await c.deps.economy.refunds.refund({ refundId: `ticket-${paymentId}`, paymentId, purpose: 'ticket', reference: raceId });
      return;
    }
    case 'RaceClosed':
      settleClosedRace(c, e.data.raceId);
      return;
    case 'RaceSettled':
      await payOut(c, e.data);
      return;
    default:
      return;
  }
}

/** Opens the scheduled race, to launch one cadence period after it was scheduled. */
function openRace(c: Competition, d: { raceId: string; sequence: number; scheduledAt: number }): void {
  if (c.races.load(raceStreamId(d.raceId)).state) return;
  const period = c.rules.race?.launchPeriodMs ?? defaultRaceRules.launchPeriodMs;
  const launchAt = d.scheduledAt + period;
  c.race({ type: 'OpenRace', raceId: d.raceId, sequence: d.sequence, launchAt, rules: c.rules.race ?? {} }, WORKER_ACTOR);
}

/**
 * Finalizes every race account that is not yet final, then settles with their final equities
 * and the signed ledger checkpoint covering every event so far (the race's and its accounts').
 */
function settleClosedRace(c: Competition, raceId: string): void {
  const race = c.races.load(raceStreamId(raceId)).state;
  if (race?.stage !== 'settling') return;
  const finalEquities = race.entrants.map((e) => {
    if (c.prop.state(e.propAccountId).status !== 'finalized') c.prop.finalize(e.propAccountId, WORKER_ACTOR);
    return { cloneId: e.cloneId, finalEquityMicroUsd: c.prop.state(e.propAccountId).cash };
  });
  const { treeSize, rootHash } = c.deps.checkpoints.covering(c.deps.store.headPosition());
  c.race({ type: 'SettleRace', raceId, finalEquities, checkpoint: { treeSize, rootHash } }, WORKER_ACTOR);
}

/** Records the result on the arena, asks Economy for every payout and royalty, then archives the race. */
async function payOut(c: Competition, settled: RaceSettledData): Promise<void> {
  c.arenaCommand({ type: 'RecordRaceResult', ...raceResultOf(settled), approvedCloneIds: c.approvedQueue() }, WORKER_ACTOR);
  const { raceId } = settled;
  for (const claim of payoutClaims(settled.payouts)) {
    await c.deps.economy.withdrawals.authorize({
      withdrawalId: `race-${raceId}-payout-${claim.holder.toLowerCase()}`,
      owner: claim.holder,
      recipient: claim.holder,
      amountWei: claim.amountWei,
      purpose: 'race_payout',
      reference: raceId,
    });
  }
  for (const royalty of settled.royalties) {
    await c.deps.economy.withdrawals.authorize({
      withdrawalId: `race-${raceId}-royalty-${royalty.cloneId}`,
      owner: royalty.creator,
      recipient: royalty.creator,
      amountWei: royalty.amountWei,
      purpose: 'creator_royalty',
      reference: raceId,
    });
  }
  c.race({ type: 'ArchiveRace', raceId }, WORKER_ACTOR);
}

/**
 * The unit of a hand-off: refunds are independent (keyed by nothing); every other step waits
 * for the earlier parked steps of its own stream (one race's, one audition's, the arena's).
 */
function handOffUnit(event: RecordedEvent): UnitRef {
  const independent = event.type === 'AuditionFeeRefundOwed' || event.type === 'TicketRefundOwed';
  return {
    id: `handoff:${event.position}`,
    orderingKey: independent ? null : event.streamId,
    position: event.position,
    description: `${event.type} of ${event.streamId}`,
  };
}

/**
 * Revisits the parked hand-offs that are due (in the order they were parked), then takes the
 * step of every hand-off event after the checkpoint, at `now` (epoch ms); returns how many
 * steps were done. Steps are awaited one by one (Economy signs withdrawals asynchronously), so
 * log order holds within an ordering key; the checkpoint moves past a parked step.
 */
export async function runHandOffs(c: Competition, units: WorkUnits, now: number): Promise<number> {
  const store = c.deps.store;
  let done = 0;
  const take = async (event: RecordedEvent) => {
    const outcome = await units.run(HANDOFF_WORKER, handOffUnit(event), now, () => step(c, event as RecordedEvent<HandOff>));
    if (outcome === 'done') done += 1;
  };
  for (const parked of units.parked(HANDOFF_WORKER)) {
    if (parked.state === 'dead' || parked.position === null) continue;
    const [event] = store.readAll({ after: parked.position - 1, to: parked.position });
    if (event) await take(event);
  }
  const from = readCheckpoint(store.db, PROCESS_CHECKPOINT)?.position ?? 0;
  for (const event of store.readAll({ after: from, types: handOffTypes })) {
    await take(event);
    writeCheckpoint(store.db, PROCESS_CHECKPOINT, { version: 1, position: event.position, generation: 0 });
  }
  return done;
}
