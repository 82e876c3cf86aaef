/**
 * The clone decider. Owner commands carry the acting user and are refused for anyone else;
 * saving a draft compiles it against the limits the handler read from the clone's
 * entitlement; publishing freezes the draft into the next version (numbers contiguous from 1,
 * the newest is the active one) and needs an active entitlement. Moderation is admin-only at
 * the route; here it only has to make sense (retire what is active, reinstate what is retired).
 */
import { canonicalJson, sha256Hex } from '../../core/canonical-json.ts';
import type { Decider } from '../../core/decider.ts';
import { DomainError } from '../../core/errors.ts';
import { type ModelStrength, strengthRank, type TierLimits } from '../entitlements/tiers.ts';
import type { CloneEvent, Profile } from './events.ts';
import type { AssetUniverse } from './graph/asset-universe.ts';
import { type CompileOptions, compileGraph, graphInvalid } from './graph/compile.ts';
import type { GraphLayout, StrategyGraph } from './graph/schema.ts';

type Limits = CompileOptions['limits'];

export type CloneCommand =
  | { type: 'CreateClone'; cloneId: string; ownerUserId: string; name: string; modelTier: ModelStrength; at: number }
  | { type: 'ChangeModel'; cloneId: string; byUserId: string; modelTier: ModelStrength; limits: Limits; at: number }
  | { type: 'UpdateProfile'; cloneId: string; byUserId: string; profile: Profile; at: number }
  /** `universe`: what asset categories expand to when the graph is compiled (read by the handler). */
  | {
      type: 'SaveDraft';
      cloneId: string;
      byUserId: string;
      graph: StrategyGraph;
      layout: GraphLayout;
      limits: Limits;
      universe: AssetUniverse;
      at: number;
    }
  /** `limits` is null when the clone has no active entitlement. */
  | {
      type: 'PublishVersion';
      cloneId: string;
      byUserId: string;
      versionId: string;
      limits: TierLimits | null;
      universe: AssetUniverse;
      at: number;
    }
  | { type: 'ReportClone'; cloneId: string; reportId: string; reporterUserId: string; reason: string; at: number }
  | { type: 'RetireProfile' | 'ReinstateProfile'; cloneId: string; adminUserId: string; reason: string; at: number };

export interface CloneState {
  readonly ownerUserId: string | null;
  readonly modelTier: ModelStrength;
  readonly draft: { readonly graph: StrategyGraph; readonly layout: GraphLayout; readonly revision: number } | null;
  readonly versions: number;
  readonly activeContentHash: string | null;
  readonly retired: boolean;
  readonly reporters: readonly string[];
}

export const contentHashOf = (graph: StrategyGraph, modelTier: ModelStrength) => sha256Hex(canonicalJson({ graph, modelTier }));

function existing(state: CloneState, cloneId: string): string {
  if (state.ownerUserId === null) throw new DomainError('clone_not_found', 'not_found', `clone ${cloneId} not found`);
  return state.ownerUserId;
}

function owned(state: CloneState, command: { cloneId: string; byUserId: string }): void {
  if (existing(state, command.cloneId) !== command.byUserId) {
    throw new DomainError('not_clone_owner', 'forbidden', `clone ${command.cloneId} belongs to someone else`);
  }
}

function compiled(
  graph: StrategyGraph,
  layout: GraphLayout,
  limits: Limits,
  modelTier: ModelStrength,
  requirePrompt: boolean,
  universe: AssetUniverse,
): void {
  const result = compileGraph(graph, layout, { limits, modelTier, requirePrompt, universe });
  if (!result.ok) throw graphInvalid(result.problems);
}

export const cloneDecider: Decider<CloneCommand, CloneState, CloneEvent> = {
  name: 'clone',
  initialState: () => ({
    ownerUserId: null,
    modelTier: 'basic',
    draft: null,
    versions: 0,
    activeContentHash: null,
    retired: false,
    reporters: [],
  }),
  decide(command, state) {
    const { cloneId, at } = command;
    switch (command.type) {
      case 'CreateClone': {
        if (state.ownerUserId !== null) throw new DomainError('clone_exists', 'conflict', `clone ${cloneId} exists`);
        const { ownerUserId, name, modelTier } = command;
        return [{ type: 'CloneCreated', data: { cloneId, ownerUserId, name, modelTier, createdAt: at } }];
      }
      case 'ChangeModel':
        owned(state, command);
        // PUT semantics: asking for the tier the clone has changes nothing and records nothing.
        if (command.modelTier === state.modelTier) return [];
        if (strengthRank(command.modelTier) > strengthRank(command.limits.modelStrength)) {
          throw new DomainError('model_strength_exceeded', 'unprocessable', `model tier ${command.modelTier} is above the entitlement`, {
            allowed: command.limits.modelStrength,
          });
        }
        return [{ type: 'CloneModelChanged', data: { cloneId, modelTier: command.modelTier, changedAt: at } }];
      case 'UpdateProfile':
        owned(state, command);
        return [{ type: 'CloneProfileUpdated', data: { cloneId, profile: command.profile, updatedAt: at } }];
      case 'SaveDraft': {
        owned(state, command);
        compiled(command.graph, command.layout, command.limits, state.modelTier, false, command.universe);
        const revision = (state.draft?.revision ?? 0) + 1;
        return [{ type: 'CloneDraftSaved', data: { cloneId, revision, graph: command.graph, layout: command.layout, savedAt: at } }];
      }
      case 'PublishVersion': {
        owned(state, command);
        if (state.draft === null) throw new DomainError('draft_missing', 'unprocessable', 'save a draft before publishing');
        if (command.limits === null) {
          throw new DomainError('entitlement_required', 'unprocessable', 'publishing needs an active entitlement for this clone');
        }
        compiled(state.draft.graph, state.draft.layout, command.limits, state.modelTier, true, command.universe);
        const contentHash = contentHashOf(state.draft.graph, state.modelTier);
        if (contentHash === state.activeContentHash) {
          throw new DomainError('version_unchanged', 'conflict', 'the draft equals the active version', { number: state.versions });
        }
        return [
          {
            type: 'StrategyVersionPublished',
            data: {
              cloneId,
              versionId: command.versionId,
              number: state.versions + 1,
              contentHash,
              graph: state.draft.graph,
              modelTier: state.modelTier,
              draftRevision: state.draft.revision,
              publishedAt: at,
            },
          },
        ];
      }
      case 'ReportClone':
        existing(state, cloneId);
        if (state.reporters.includes(command.reporterUserId)) {
          throw new DomainError('already_reported', 'conflict', 'you already reported this clone');
        }
        return [
          {
            type: 'CloneReported',
            data: { cloneId, reportId: command.reportId, reporterUserId: command.reporterUserId, reason: command.reason, reportedAt: at },
          },
        ];
      case 'RetireProfile':
      case 'ReinstateProfile': {
        existing(state, cloneId);
        const retiring = command.type === 'RetireProfile';
        if (state.retired === retiring) {
          throw new DomainError(
            retiring ? 'already_retired' : 'not_retired',
            'conflict',
            `the profile is ${retiring ? 'already' : 'not'} retired`,
          );
        }
        const data = { cloneId, adminUserId: command.adminUserId, reason: command.reason, at };
        return [retiring ? { type: 'CloneProfileRetired', data } : { type: 'CloneProfileReinstated', data }];
      }
    }
  },
  evolve(state, event) {
    switch (event.type) {
      case 'CloneCreated':
        return { ...state, ownerUserId: event.data.ownerUserId, modelTier: event.data.modelTier };
      case 'CloneModelChanged':
        return { ...state, modelTier: event.data.modelTier };
      case 'CloneProfileUpdated':
        return state;
      case 'CloneDraftSaved':
        return { ...state, draft: { graph: event.data.graph, layout: event.data.layout, revision: event.data.revision } };
      case 'StrategyVersionPublished':
        return { ...state, versions: event.data.number, activeContentHash: event.data.contentHash };
      case 'CloneReported':
        return { ...state, reporters: [...state.reporters, event.data.reporterUserId] };
      case 'CloneProfileRetired':
        return { ...state, retired: true };
      case 'CloneProfileReinstated':
        return { ...state, retired: false };
    }
  },
};
