/**
 * What stops a due unit before it runs, checked for every run (issue 13 "Admin controls",
 * "Entitlements at run time"; seed `002_…`: "Decision-worker entitlement checks for model strength
 * and active asset capacity"). Pure. First match wins:
 * 1. `source_paused` — the engine of this deployment is paused (a source family);
 * 2. `clone_paused` — the clone is paused;
 * 3. `no_entitlement` — the clone has no active entitlement (revoked);
 * 4. `model_strength_not_entitled` — the strategy's model tier is above the entitlement's strength;
 * 5. `asset_capacity_exceeded` — the strategy's active assets exceed the entitlement's capacity.
 * Entitlements are read at every tick, so a downgrade takes effect at the next run.
 */
import type { EngineName } from '../../adapters/models/engine.ts';
import { strengthRank } from '../entitlements/tiers.ts';
import { type ControlState, controlKey } from './controls.ts';
import type { SkipReason } from './events.ts';
import type { RunningAccount } from './ports.ts';

/** Why a unit of `account` is not run now, or null when it runs. */
export function skipOf(
  account: RunningAccount,
  controls: ControlState,
  engine: EngineName,
): { readonly reason: SkipReason; readonly detail: string } | null {
  const source = controls.paused[controlKey({ scope: 'source', target: engine })];
  if (source) return { reason: 'source_paused', detail: `${engine} runs are paused: ${source.reason}`.slice(0, 300) };
  const clone = controls.paused[controlKey({ scope: 'clone', target: account.cloneId })];
  if (clone) return { reason: 'clone_paused', detail: `clone ${account.cloneId} is paused: ${clone.reason}`.slice(0, 300) };
  const { entitlement, modelTier, activeAssets } = account;
  if (!entitlement) return { reason: 'no_entitlement', detail: `clone ${account.cloneId} has no active entitlement` };
  if (strengthRank(modelTier) > strengthRank(entitlement.modelStrength)) {
    return {
      reason: 'model_strength_not_entitled',
      detail: `model tier ${modelTier} is above the entitlement's ${entitlement.modelStrength}`,
    };
  }
  if (activeAssets > entitlement.activeAssets) {
    return {
      reason: 'asset_capacity_exceeded',
      detail: `${activeAssets} active assets, the entitlement allows ${entitlement.activeAssets}`,
    };
  }
  return null;
}
