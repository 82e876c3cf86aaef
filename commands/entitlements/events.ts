/**
 * Events of `entitlement-<cloneId>` streams. Every grant and revocation carries the fact that
 * justifies it: a verified payment (from the economy module), an admin decision with a reason,
 * or the development fallback (only where the fallback identity is enabled).
 */
import { z } from 'zod';
import { defineEvent, type EventOf } from '../../core/event-registry.ts';
import { zTierLimits, zTierName } from './tiers.ts';

const paid = z.object({ kind: z.literal('payment'), paymentId: z.string().min(1).max(200) }).strict();
const admin = z.object({ kind: z.literal('admin'), adminUserId: z.string().min(1), reason: z.string().min(3).max(500) }).strict();
const devFallback = z.object({ kind: z.literal('dev_fallback'), userId: z.string().min(1) }).strict();
/** The payment that justified the grant was refunded (its refund authorized on the payment's stream). */
const refunded = z.object({ kind: z.literal('refund'), paymentId: z.string().min(1).max(200) }).strict();

export const zGrantJustification = z.discriminatedUnion('kind', [paid, admin, devFallback]);
export type GrantJustification = z.output<typeof zGrantJustification>;
export const zRevokeJustification = z.discriminatedUnion('kind', [paid, admin, refunded]);
export type RevokeJustification = z.output<typeof zRevokeJustification>;

export const EntitlementGranted = defineEvent(
  'EntitlementGranted',
  z
    .object({
      cloneId: z.string().min(1),
      tier: zTierName,
      limits: zTierLimits,
      justification: zGrantJustification,
      grantedAt: z.number().int(),
    })
    .strict(),
);

export const EntitlementRevoked = defineEvent(
  'EntitlementRevoked',
  z.object({ cloneId: z.string().min(1), justification: zRevokeJustification, revokedAt: z.number().int() }).strict(),
);

/**
 * A payment that granted an entitlement on this clone was refunded: it justifies nothing from
 * now on. When it justified the active grant, the same decision revokes that grant (reason:
 * the refund) and grants the best tier another unrefunded payment of the clone justifies, if any.
 */
export const EntitlementPaymentRefunded = defineEvent(
  'EntitlementPaymentRefunded',
  z.object({ cloneId: z.string().min(1), paymentId: z.string().min(1).max(200), refundedAt: z.number().int() }).strict(),
);

export const entitlementEvents = [EntitlementGranted, EntitlementRevoked, EntitlementPaymentRefunded];
export type EntitlementEvent =
  | EventOf<typeof EntitlementGranted>
  | EventOf<typeof EntitlementRevoked>
  | EventOf<typeof EntitlementPaymentRefunded>;
