/**
 * A refunded payment justifies nothing (doc/economy.md, "Refunds and entitlements"): the grant it
 * justified is revoked with the refund as the reason, and lowered to the best tier another
 * unrefunded payment justifies; refunds of payments that granted nothing here change nothing.
 */
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { type EntitlementCommand, entitlementDecider } from '../../../commands/entitlements/decider.ts';
import type { EntitlementEvent } from '../../../commands/entitlements/events.ts';
import { type TierName, tiers } from '../../../commands/entitlements/tiers.ts';
import { fold, specFor } from '../../support/decider-spec.ts';
import { fcRuns, fcSeed } from '../../support/store.ts';

const spec = specFor(entitlementDecider);
const rank = (t: TierName) => ['starter', 'builder', 'pro'].indexOf(t);
const grant = (paymentId: string, tier: TierName, at = 1): EntitlementEvent => ({
  type: 'EntitlementGranted',
  data: { cloneId: 'c', tier, limits: tiers[tier], justification: { kind: 'payment', paymentId }, grantedAt: at },
});
const refund = (paymentId: string, at = 9): EntitlementCommand => ({ type: 'RefundPayment', cloneId: 'c', paymentId, at });
const refunded = (paymentId: string, at = 9): EntitlementEvent => ({
  type: 'EntitlementPaymentRefunded',
  data: { cloneId: 'c', paymentId, refundedAt: at },
});
const revokedFor = (paymentId: string, at = 9): EntitlementEvent => ({
  type: 'EntitlementRevoked',
  data: { cloneId: 'c', justification: { kind: 'refund', paymentId }, revokedAt: at },
});

test('the refund of the payment behind the active grant revokes it, naming the refund', () => {
  spec
    .given([grant('p1', 'starter')])
    .when(refund('p1'))
    .thenEmits([refunded('p1'), revokedFor('p1')]);
});

test('…and lowers it to the best tier another unrefunded payment justifies', () => {
  spec
    .given([grant('p1', 'starter'), grant('p2', 'builder'), grant('p3', 'pro')])
    .when(refund('p3'))
    .thenEmits([refunded('p3'), revokedFor('p3'), grant('p2', 'builder', 9)]);
  spec
    .given([grant('p1', 'starter'), grant('p2', 'builder'), grant('p3', 'pro'), refunded('p2')])
    .when(refund('p3'))
    .thenEmits([refunded('p3'), revokedFor('p3'), grant('p1', 'starter', 9)]);
});

test('a refund of a payment that granted nothing here, or again, changes nothing; of another payment it is noted only', () => {
  spec
    .given([grant('p1', 'starter')])
    .when(refund('elsewhere'))
    .thenEmits([]);
  spec
    .given([grant('p1', 'starter'), refunded('p1'), revokedFor('p1')])
    .when(refund('p1'))
    .thenEmits([]);
  spec
    .given([grant('p1', 'starter'), grant('p2', 'pro')])
    .when(refund('p1'))
    .thenEmits([refunded('p1')]);
});

test('property: the active grant is never justified by a refunded payment, and refunds leave the best unrefunded payment tier', () => {
  const tierOf = fc.constantFrom<TierName>('starter', 'builder', 'pro');
  const step = fc.oneof(
    fc.record({ kind: fc.constant('grant' as const), payment: fc.nat({ max: 4 }), tier: tierOf }),
    fc.record({ kind: fc.constant('refund' as const), payment: fc.nat({ max: 4 }) }),
    fc.record({ kind: fc.constant('admin' as const), tier: tierOf }),
  );
  fc.assert(
    fc.property(fc.array(step, { maxLength: 30 }), (steps) => {
      let events: EntitlementEvent[] = [];
      const refundedIds = new Set<string>();
      for (const [i, s] of steps.entries()) {
        const state = fold(entitlementDecider, events);
        const command: EntitlementCommand =
          s.kind === 'grant'
            ? {
                type: 'GrantEntitlement',
                cloneId: 'c',
                tier: s.tier,
                justification: { kind: 'payment', paymentId: `p${s.payment}` },
                at: i,
              }
            : s.kind === 'refund'
              ? refund(`p${s.payment}`, i)
              : {
                  type: 'GrantEntitlement',
                  cloneId: 'c',
                  tier: s.tier,
                  justification: { kind: 'admin', adminUserId: 'root', reason: 'ops' },
                  at: i,
                };
        let emitted: readonly EntitlementEvent[] = [];
        try {
          emitted = entitlementDecider.decide(command, state);
        } catch {
          continue; // a payment granting twice: refused, nothing appended
        }
        events = [...events, ...emitted];
        if (s.kind === 'refund' && state.paymentTiers[`p${s.payment}`] !== undefined) refundedIds.add(`p${s.payment}`);
        const after = fold(entitlementDecider, events);
        const j = after.active?.justification;
        assert.ok(!(j?.kind === 'payment' && refundedIds.has(j.paymentId)), `active grant justified by refunded ${JSON.stringify(j)}`);
        const wasBehindActive =
          s.kind === 'refund' && state.active?.justification.kind === 'payment' && state.active.justification.paymentId === `p${s.payment}`;
        if (wasBehindActive) {
          const live = Object.entries(after.paymentTiers).filter(([id]) => !refundedIds.has(id));
          const best = live.map(([, t]) => rank(t)).reduce((a, b) => Math.max(a, b), -1);
          assert.is(after.active === null ? -1 : rank(after.active.tier), best, 'lowered to the best unrefunded payment');
        }
      }
    }),
    { seed: fcSeed, numRuns: fcRuns },
  );
});

test.run();
