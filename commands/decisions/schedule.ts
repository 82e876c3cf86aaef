/**
 * Due units (issue 13 "The decision worker"; seed `000_…` "Cadence is evaluated per
 * clone/branch/asset"): per running prop account, strategy branch and candidate asset, one
 * unit every `decisionCadenceSec` of the branch, on slots counted from when the account's runner
 * started (`startedAt + k · cadence`, ms). Pure: the time comes in.
 *
 * - The due unit of an asset is the latest slot at or before now. Slots a stopped worker missed
 *   are not caught up (a decision for a past slot would trade at today's price); they are visible
 *   as gaps in the account's `decisions-` stream. Choice; `doc/ai-trading.md`, "The worker".
 * - An asset that is a candidate of several branches runs once per slot, on the first branch
 *   (branches in the strategy's order) — the account's stream keys runs by asset.
 * - The run id is derived from (account, asset, due time) alone, so every worker that finds the
 *   unit names it the same: Prop Trading keys the order by it, a retry or a second worker cannot trade twice.
 */
import { sha256Hex } from '../../core/canonical-json.ts';
import type { DecisionState } from './decider.ts';
import type { DueUnit, RunningAccount } from './ports.ts';

/** `run-` and 40 hex digits of sha-256 over account, asset and due time (ms). */
export const runIdOf = (propAccountId: string, asset: string, dueAt: number) =>
  `run-${sha256Hex(`${propAccountId}\n${asset}\n${dueAt}`).slice(0, 40)}`;

/** The latest slot `startedAt + k · cadenceMs` at or before `now` (k ≥ 0), or null before the first. */
function latestSlot(startedAt: number, cadenceMs: number, now: number): number | null {
  if (now < startedAt) return null;
  return startedAt + Math.floor((now - startedAt) / cadenceMs) * cadenceMs;
}

/** A due unit with the branch it runs on, and whether it is the asset's unfinished last unit again (a retry). */
export interface ScheduledUnit extends DueUnit {
  readonly branchId: string;
  readonly retry: boolean;
}

/**
 * The units of `account` due at `now`, given its decisions state: per asset, the latest slot when
 * it is after the asset's last due time, else the last unit again when it failed (a retry). A run
 * in flight is not in the log until it ends (`handlers.ts`), so the slot stays due while a worker
 * runs it: its lease keeps the others off, and a dead worker's unit is due again once its lease
 * expires. `cadenceOverrideSec`, when set, replaces every branch's cadence (tests and development);
 * with `force` the slot is `now` itself, whatever the cadence (`clash decisions run-once --force`).
 */
export function dueUnits(
  account: RunningAccount,
  state: DecisionState,
  now: number,
  options: { readonly cadenceOverrideSec?: number | null; readonly force?: boolean } = {},
): ScheduledUnit[] {
  const seen = new Set<string>();
  const units: ScheduledUnit[] = [];
  for (const branch of account.branches) {
    const cadenceMs = (options.cadenceOverrideSec ?? branch.cadenceSec) * 1000;
    const slot = options.force === true ? now : latestSlot(account.startedAt, cadenceMs, now);
    if (slot === null) continue;
    for (const asset of branch.candidates) {
      if (seen.has(asset)) continue;
      seen.add(asset);
      const last = state.lastDueAt[asset];
      const fresh = last === undefined || slot > last;
      const dueAt = fresh ? slot : last;
      const runId = runIdOf(account.propAccountId, asset, dueAt);
      if (!fresh && (state.retryable[asset] !== runId || state.open[runId] !== undefined)) continue;
      units.push({
        runId,
        propAccountId: account.propAccountId,
        cloneId: account.cloneId,
        asset,
        dueAt,
        branchId: branch.branchId,
        retry: !fresh,
      });
    }
  }
  return units;
}
