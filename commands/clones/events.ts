/**
 * Events of `clone-<id>` streams: the shell, its public profile, the private draft, the
 * immutable strategy versions and moderation. A published version carries the whole graph it
 * froze, so runtimes and replays never depend on the mutable draft.
 */
import { z } from 'zod';
import { defineEvent, type EventOf } from '../../core/event-registry.ts';
import { zModelStrength } from '../entitlements/tiers.ts';
import { zGraphLayout, zStrategyGraph } from './graph/schema.ts';

const cloneId = z.string().min(1);
const at = z.number().int();

export const zCloneName = z.string().trim().min(1).max(80);
export const zProfile = z
  .object({
    name: zCloneName,
    description: z.string().max(2000),
    avatarUrl: z
      .url({ protocol: /^https?$/ })
      .max(500)
      .nullable(),
    /** Short public tags the creator chooses to show; never derived from the private graph. */
    capabilitySignals: z.array(z.string().trim().min(1).max(40)).max(12),
  })
  .strict();
export type Profile = z.output<typeof zProfile>;

export const CloneCreated = defineEvent(
  'CloneCreated',
  z.object({ cloneId, ownerUserId: z.string().min(1), name: zCloneName, modelTier: zModelStrength, createdAt: at }).strict(),
);
export const CloneModelChanged = defineEvent('CloneModelChanged', z.object({ cloneId, modelTier: zModelStrength, changedAt: at }).strict());
export const CloneProfileUpdated = defineEvent('CloneProfileUpdated', z.object({ cloneId, profile: zProfile, updatedAt: at }).strict());
export const CloneDraftSaved = defineEvent(
  'CloneDraftSaved',
  z.object({ cloneId, revision: z.number().int().positive(), graph: zStrategyGraph, layout: zGraphLayout, savedAt: at }).strict(),
);
export const StrategyVersionPublished = defineEvent(
  'StrategyVersionPublished',
  z
    .object({
      cloneId,
      versionId: z.string().min(1),
      number: z.number().int().positive(),
      /** sha256 of the canonical JSON of { graph, modelTier }. */
      contentHash: z.string().regex(/^[0-9a-f]{64}$/),
      graph: zStrategyGraph,
      modelTier: zModelStrength,
      draftRevision: z.number().int().positive(),
      publishedAt: at,
    })
    .strict(),
);
export const CloneReported = defineEvent(
  'CloneReported',
  z
    .object({
      cloneId,
      reportId: z.string().min(1),
      reporterUserId: z.string().min(1),
      reason: z.string().min(3).max(1000),
      reportedAt: at,
    })
    .strict(),
);
const moderation = z.object({ cloneId, adminUserId: z.string().min(1), reason: z.string().min(3).max(500), at }).strict();
export const CloneProfileRetired = defineEvent('CloneProfileRetired', moderation);
export const CloneProfileReinstated = defineEvent('CloneProfileReinstated', moderation);

export const cloneEvents = [
  CloneCreated,
  CloneModelChanged,
  CloneProfileUpdated,
  CloneDraftSaved,
  StrategyVersionPublished,
  CloneReported,
  CloneProfileRetired,
  CloneProfileReinstated,
];
export type CloneEvent =
  | EventOf<typeof CloneCreated>
  | EventOf<typeof CloneModelChanged>
  | EventOf<typeof CloneProfileUpdated>
  | EventOf<typeof CloneDraftSaved>
  | EventOf<typeof StrategyVersionPublished>
  | EventOf<typeof CloneReported>
  | EventOf<typeof CloneProfileRetired>
  | EventOf<typeof CloneProfileReinstated>;
