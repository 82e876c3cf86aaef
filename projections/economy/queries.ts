/** Queries over the economy read model: payments, claimed tx hashes, audition credits, withdrawals. */
import type { EconomyReads } from '../../commands/economy/ports.ts';
import type { Db } from '../../core/database.ts';
import { entitlementOf } from '../entitlements/entitlements.ts';

export type PaymentStatus = 'quoted' | 'pending' | 'refused' | 'verified' | 'refunded';

export interface PaymentRow {
  readonly quoteId: string;
  readonly ownerUserId: string;
  readonly payer: string;
  readonly kind: 'audition_fee' | 'race_tickets';
  readonly cloneId: string;
  readonly raceId: string | null;
  readonly tickets: number | null;
  readonly amountWei: string;
  readonly deadlineSeconds: number;
  readonly status: PaymentStatus;
  readonly txHash: string | null;
  readonly refusal: string | null;
  readonly quotedAt: number;
  readonly submittedAt: number | null;
  readonly verifiedAt: number | null;
  readonly consumedBy: string | null;
  readonly refundWithdrawalId: string | null;
}

const paymentColumns = `quote_id AS quoteId, owner_user_id AS ownerUserId, payer, kind, clone_id AS cloneId, race_id AS raceId, tickets,
  amount_wei AS amountWei, deadline_seconds AS deadlineSeconds, status, tx_hash AS txHash, refusal, quoted_at AS quotedAt,
  submitted_at AS submittedAt, verified_at AS verifiedAt, consumed_by AS consumedBy, refund_withdrawal_id AS refundWithdrawalId`;

export function paymentOf(db: Db, quoteId: string): PaymentRow | undefined {
  return db.prepare<[string], PaymentRow>(`SELECT ${paymentColumns} FROM economy_payments WHERE quote_id = ?`).get(quoteId);
}

/** Payments whose last submitted transaction is still pending since before `before` (epoch ms). */
function pendingBefore(db: Db, before: number): { quoteId: string; txHash: string }[] {
  return db
    .prepare<[number], { quoteId: string; txHash: string }>(
      `SELECT quote_id AS quoteId, tx_hash AS txHash FROM economy_payments
       WHERE status = 'pending' AND submitted_at < ? ORDER BY submitted_at, quote_id`,
    )
    .all(before);
}

/** The quote a transaction was claimed for, if any. */
function claimOf(db: Db, txHash: string): string | undefined {
  return db.prepare<[string], { quote_id: string }>('SELECT quote_id FROM economy_tx_claims WHERE tx_hash = ?').get(txHash)?.quote_id;
}

/** Audition credits of a clone: its verified audition fees no audition has used yet, oldest first. */
function availableCredits(db: Db, cloneId: string): string[] {
  return db
    .prepare<[string], { quote_id: string }>(
      `SELECT quote_id FROM economy_payments WHERE clone_id = ? AND status = 'verified' AND kind = 'audition_fee' AND consumed_by IS NULL
       ORDER BY verified_at, quote_id`,
    )
    .all(cloneId)
    .map((r) => r.quote_id);
}

/** The payment an audition used as its fee, if it used one. */
function creditUsedBy(db: Db, auditionId: string): string | undefined {
  return db.prepare<[string], { quote_id: string }>('SELECT quote_id FROM economy_payments WHERE consumed_by = ?').get(auditionId)
    ?.quote_id;
}

export interface WithdrawalRow {
  readonly withdrawalId: string;
  readonly ownerUserId: string;
  readonly recipient: string;
  readonly amountWei: string;
  readonly deadlineSeconds: number;
  readonly signature: string;
  readonly purpose: 'audition_refund' | 'ticket_refund' | 'race_payout' | 'royalty';
  readonly reference: string;
  readonly chainId: number;
  readonly vault: string;
  readonly authorizedAt: number;
  /** The vault's paying transaction, once reconciliation has read it back; null before. */
  readonly redeemedTxHash: string | null;
  /** When the ledger recorded the redemption (epoch ms); null before. */
  readonly redeemedAt: number | null;
}

const withdrawalColumns = `withdrawal_id AS withdrawalId, owner_user_id AS ownerUserId, recipient, amount_wei AS amountWei,
  deadline_seconds AS deadlineSeconds, signature, purpose, reference, chain_id AS chainId, vault, authorized_at AS authorizedAt,
  redeemed_tx_hash AS redeemedTxHash, redeemed_at AS redeemedAt`;

/** Withdrawals awaiting redemption, as reconciliation asks (`commands/economy/redemptions.ts`). */
export function redemptionReads(db: Db): { awaitingRedemption(withdrawalId: string): boolean } {
  const row = db.prepare<[string], { redeemed_at: number | null }>('SELECT redeemed_at FROM economy_withdrawals WHERE withdrawal_id = ?');
  return { awaitingRedemption: (id) => row.get(id)?.redeemed_at === null };
}

export function withdrawalOf(db: Db, withdrawalId: string): WithdrawalRow | undefined {
  return db
    .prepare<[string], WithdrawalRow>(`SELECT ${withdrawalColumns} FROM economy_withdrawals WHERE withdrawal_id = ?`)
    .get(withdrawalId);
}

export function withdrawalsOf(db: Db, ownerUserId: string): WithdrawalRow[] {
  return db
    .prepare<[string], WithdrawalRow>(
      `SELECT ${withdrawalColumns} FROM economy_withdrawals WHERE owner_user_id = ? ORDER BY authorized_at, withdrawal_id`,
    )
    .all(ownerUserId);
}

/** The economy handlers' reads, over this read model and the entitlements one. */
export function economyReads(db: Db): EconomyReads {
  return {
    paymentStatus: (quoteId) => paymentOf(db, quoteId)?.status,
    pendingBefore: (before) => pendingBefore(db, before),
    claimOf: (txHash) => claimOf(db, txHash),
    availableCredits: (cloneId) => availableCredits(db, cloneId),
    creditUsedBy: (auditionId) => creditUsedBy(db, auditionId),
    activeTier: (cloneId) => {
      const e = entitlementOf(db, cloneId);
      return e && e.revokedAt === null ? e.tier : undefined;
    },
  };
}
