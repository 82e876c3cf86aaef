/** Given/When/Then for the clone and entitlement deciders, and the versioning invariants as properties. */
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { type CloneCommand, cloneDecider, contentHashOf } from '../../../commands/clones/decider.ts';
import type { CloneEvent } from '../../../commands/clones/events.ts';
import { emptyUniverse } from '../../../commands/clones/graph/asset-universe.ts';
import { entitlementDecider } from '../../../commands/entitlements/decider.ts';
import type { EntitlementEvent } from '../../../commands/entitlements/events.ts';
import { tiers } from '../../../commands/entitlements/tiers.ts';
import { fold, specFor } from '../../support/decider-spec.ts';
import { chainGraph } from '../../support/graphs.ts';
import { fcRuns, fcSeed } from '../../support/store.ts';

const clones = specFor(cloneDecider);
const created: CloneEvent = {
  type: 'CloneCreated',
  data: { cloneId: 'c', ownerUserId: 'alice', name: 'Rider', modelTier: 'basic', createdAt: 1 },
};
const draft: CloneEvent = { type: 'CloneDraftSaved', data: { cloneId: 'c', revision: 1, graph: chainGraph(), layout: {}, savedAt: 2 } };
const save = (byUserId = 'alice', graph = chainGraph()): CloneCommand => ({
  type: 'SaveDraft',
  cloneId: 'c',
  byUserId,
  graph,
  layout: {},
  limits: tiers.starter,
  universe: emptyUniverse,
  at: 2,
});
const publish = (limits = tiers.starter, at = 3): CloneCommand => ({
  type: 'PublishVersion',
  cloneId: 'c',
  byUserId: 'alice',
  versionId: `v${at}`,
  limits,
  universe: emptyUniverse,
  at,
});

test('create once; owner commands need the clone and its owner', () => {
  clones
    .given([])
    .when({ type: 'CreateClone', cloneId: 'c', ownerUserId: 'alice', name: 'Rider', modelTier: 'basic', at: 1 })
    .thenEmits([created]);
  clones
    .given([created])
    .when({ type: 'CreateClone', cloneId: 'c', ownerUserId: 'bob', name: 'X', modelTier: 'basic', at: 1 })
    .thenThrows('clone_exists');
  clones.given([]).when(save()).thenThrows('clone_not_found');
  clones.given([created]).when(save('bob')).thenThrows('not_clone_owner');
});

test('saving a draft compiles it: revisions count up, an invalid graph appends nothing', () => {
  clones.given([created]).when(save()).thenEmits([draft]);
  clones
    .given([created, draft])
    .when(save())
    .thenEmits([{ ...draft, data: { ...draft.data, revision: 2 } }]);
  clones
    .given([created])
    .when(save('alice', chainGraph(['A', 'B', 'C', 'D'])))
    .thenThrows('graph_invalid');
});

test('publishing freezes the draft as version 1 with its content hash; it needs a draft, an entitlement and a change', () => {
  clones
    .given([created, draft])
    .when(publish())
    .thenEmits([
      {
        type: 'StrategyVersionPublished',
        data: {
          cloneId: 'c',
          versionId: 'v3',
          number: 1,
          contentHash: contentHashOf(chainGraph(), 'basic'),
          graph: chainGraph(),
          modelTier: 'basic',
          draftRevision: 1,
          publishedAt: 3,
        },
      },
    ]);
  clones.given([created]).when(publish()).thenThrows('draft_missing');
  clones
    .given([created, draft])
    .when({ ...publish(), limits: null } as CloneCommand)
    .thenThrows('entitlement_required');
  const published = cloneDecider.decide(publish(), fold(cloneDecider, [created, draft])) as CloneEvent[];
  clones
    .given([created, draft, ...published])
    .when(publish(tiers.starter, 4))
    .thenThrows('version_unchanged');
});

test('the model tier stays within the entitlement, at change and at publish; its current tier records nothing', () => {
  const change = (modelTier: 'basic' | 'advanced'): CloneCommand => ({
    type: 'ChangeModel',
    cloneId: 'c',
    byUserId: 'alice',
    modelTier,
    limits: tiers.builder,
    at: 5,
  });
  clones.given([created]).when(change('advanced')).thenThrows('model_strength_exceeded');
  clones.given([created]).when(change('basic')).thenEmits([]);
  const upgraded: CloneEvent = { type: 'CloneModelChanged', data: { cloneId: 'c', modelTier: 'standard', changedAt: 5 } };
  clones.given([created, draft, upgraded]).when(publish(tiers.starter)).thenThrows('graph_invalid');
});

test('reports: once per reporter; moderation: retire what is active, reinstate what is retired', () => {
  const report = (by: string): CloneCommand => ({
    type: 'ReportClone',
    cloneId: 'c',
    reportId: `r-${by}`,
    reporterUserId: by,
    reason: 'spam',
    at: 6,
  });
  const reported: CloneEvent = {
    type: 'CloneReported',
    data: { cloneId: 'c', reportId: 'r-bob', reporterUserId: 'bob', reason: 'spam', reportedAt: 6 },
  };
  clones.given([created]).when(report('bob')).thenEmits([reported]);
  clones.given([created, reported]).when(report('bob')).thenThrows('already_reported');
  const retire: CloneCommand = { type: 'RetireProfile', cloneId: 'c', adminUserId: 'root', reason: 'spam', at: 7 };
  const retired: CloneEvent = { type: 'CloneProfileRetired', data: { cloneId: 'c', adminUserId: 'root', reason: 'spam', at: 7 } };
  clones.given([created]).when(retire).thenEmits([retired]);
  clones.given([created, retired]).when(retire).thenThrows('already_retired');
  clones
    .given([created])
    .when({ ...retire, type: 'ReinstateProfile' })
    .thenThrows('not_retired');
});

const entitlements = specFor(entitlementDecider);
const paid = { kind: 'payment', paymentId: 'pay-1' } as const;
const granted: EntitlementEvent = {
  type: 'EntitlementGranted',
  data: { cloneId: 'c', tier: 'builder', limits: tiers.builder, justification: paid, grantedAt: 1 },
};

test('entitlements: a grant copies the tier limits; a payment justifies one grant; dev fallback never replaces', () => {
  entitlements.given([]).when({ type: 'GrantEntitlement', cloneId: 'c', tier: 'builder', justification: paid, at: 1 }).thenEmits([granted]);
  entitlements
    .given([granted])
    .when({ type: 'GrantEntitlement', cloneId: 'c', tier: 'pro', justification: paid, at: 2 })
    .thenThrows('payment_already_applied');
  entitlements
    .given([granted])
    .when({ type: 'GrantEntitlement', cloneId: 'c', tier: 'starter', justification: { kind: 'dev_fallback', userId: 'u' }, at: 2 })
    .thenThrows('entitlement_exists');
});

test('entitlements: revocation needs an active entitlement and, for refunds, the granting payment', () => {
  const admin = { kind: 'admin', adminUserId: 'root', reason: 'terms' } as const;
  entitlements
    .given([])
    .when({ type: 'RevokeEntitlement', cloneId: 'c', justification: admin, at: 2 })
    .thenThrows('entitlement_not_active');
  entitlements
    .given([granted])
    .when({ type: 'RevokeEntitlement', cloneId: 'c', justification: { kind: 'payment', paymentId: 'other' }, at: 2 })
    .thenThrows('payment_unknown');
  entitlements
    .given([granted])
    .when({ type: 'RevokeEntitlement', cloneId: 'c', justification: paid, at: 2 })
    .thenEmits([{ type: 'EntitlementRevoked', data: { cloneId: 'c', justification: paid, revokedAt: 2 } }]);
});

test('property: version numbers are contiguous from 1, each freezes the draft of its moment, and earlier versions never change', () => {
  const symbolSets = fc.subarray(['BTC', 'ETH', 'SOL'], { minLength: 1 });
  const step = fc.oneof(
    symbolSets.map((s) => ({ kind: 'save' as const, symbols: s })),
    fc.constant({ kind: 'publish' as const, symbols: [] }),
  );
  fc.assert(
    fc.property(fc.array(step, { maxLength: 30 }), (steps) => {
      let events: CloneEvent[] = [created];
      let at = 10;
      for (const s of steps) {
        const command = s.kind === 'save' ? { ...save('alice', chainGraph(s.symbols)), at } : publish(tiers.starter, at);
        at += 1;
        try {
          events = [...events, ...(cloneDecider.decide(command, fold(cloneDecider, events)) as CloneEvent[])];
        } catch {
          // refusals (publish without draft or without change) append nothing
        }
      }
      const versions = events.flatMap((e) => (e.type === 'StrategyVersionPublished' ? [e.data] : []));
      assert.equal(
        versions.map((v) => v.number),
        versions.map((_, i) => i + 1),
      );
      for (const v of versions) assert.is(v.contentHash, contentHashOf(v.graph, v.modelTier));
      for (let i = 1; i < versions.length; i++) assert.is.not(versions[i]?.contentHash, versions[i - 1]?.contentHash);
    }),
    { seed: fcSeed, numRuns: fcRuns },
  );
});

test.run();
