/**
 * Clone commands: the handler adds the time, new ids and the clone's entitlement limits (read
 * through `limitsOf`, which the server wires to the entitlements read model), then lets the
 * decider rule. A clone without an entitlement saves drafts against the baseline tier.
 */
import type { Clock, IdSource } from '../../core/clock.ts';
import { CommandHandler } from '../../core/decider.ts';
import type { EventStore } from '../../core/event-store.ts';
import { baselineTier, type ModelStrength, type TierLimits, tiers } from '../entitlements/tiers.ts';
import { type CloneCommand, cloneDecider } from './decider.ts';
import type { Profile } from './events.ts';
import { type AssetUniverse, emptyUniverse } from './graph/asset-universe.ts';
import type { GraphLayout, StrategyGraph } from './graph/schema.ts';

export const cloneStream = (cloneId: string) => `clone-${cloneId}`;

export interface CloneDeps {
  readonly store: EventStore;
  readonly clock: Clock;
  readonly ids: IdSource;
  /** The clone's active entitlement limits, or null. */
  readonly limitsOf: (cloneId: string) => TierLimits | null;
  /** The tradeable assets with their taxonomy categories, read at each save and publish (default: none). */
  readonly universe?: () => AssetUniverse;
}

type Untimed<C> = C extends unknown ? Omit<C, 'at'> : never;

export class CloneCommands {
  private readonly handler;

  constructor(private readonly deps: CloneDeps) {
    this.handler = new CommandHandler(deps.store, cloneDecider);
  }

  private run(command: Untimed<CloneCommand>, actor: string) {
    return this.handler.handle({
      streamId: cloneStream(command.cloneId),
      command: { ...command, at: this.deps.clock.now() } as CloneCommand,
      metadata: { actor },
    });
  }

  private universe(): AssetUniverse {
    return this.deps.universe?.() ?? emptyUniverse;
  }

  private draftLimits(cloneId: string): TierLimits {
    return this.deps.limitsOf(cloneId) ?? tiers[baselineTier];
  }

  create(ownerUserId: string, name: string, modelTier: ModelStrength): string {
    const cloneId = this.deps.ids.next();
    this.run({ type: 'CreateClone', cloneId, ownerUserId, name, modelTier }, `user:${ownerUserId}`);
    return cloneId;
  }

  changeModel(cloneId: string, byUserId: string, modelTier: ModelStrength): void {
    this.run({ type: 'ChangeModel', cloneId, byUserId, modelTier, limits: this.draftLimits(cloneId) }, `user:${byUserId}`);
  }

  updateProfile(cloneId: string, byUserId: string, profile: Profile): void {
    this.run({ type: 'UpdateProfile', cloneId, byUserId, profile }, `user:${byUserId}`);
  }

  saveDraft(cloneId: string, byUserId: string, graph: StrategyGraph, layout: GraphLayout): void {
    const universe = this.universe();
    this.run({ type: 'SaveDraft', cloneId, byUserId, graph, layout, limits: this.draftLimits(cloneId), universe }, `user:${byUserId}`);
  }

  publish(cloneId: string, byUserId: string): string {
    const versionId = this.deps.ids.next();
    const limits = this.deps.limitsOf(cloneId);
    this.run({ type: 'PublishVersion', cloneId, byUserId, versionId, limits, universe: this.universe() }, `user:${byUserId}`);
    return versionId;
  }

  report(cloneId: string, reporterUserId: string, reason: string): string {
    const reportId = this.deps.ids.next();
    this.run({ type: 'ReportClone', cloneId, reportId, reporterUserId, reason }, `user:${reporterUserId}`);
    return reportId;
  }

  moderate(type: 'RetireProfile' | 'ReinstateProfile', cloneId: string, adminUserId: string, reason: string): void {
    this.run({ type, cloneId, adminUserId, reason }, `user:${adminUserId}`);
  }
}
