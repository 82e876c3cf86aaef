/**
 * Read model of the economy: every quote with its payment status, the index of claimed
 * transaction hashes (one quote per tx hash), and every withdrawal authorization (refunds from
 * payment streams, payouts and royalties from withdrawal streams). Inline, so the payments
 * handler's checks see every committed fact.
 */

import type { PaymentEvent, RedemptionEvent, TransactionClaimEvent, WithdrawalEvent } from '../../commands/economy/events.ts';
import { userIdFor } from '../../commands/identity/user-id.ts';
import type { Db } from '../../core/database.ts';
import type { RecordedEvent } from '../../core/event-store.ts';
import { defineProjection } from '../../core/projection.ts';

/** What a refund reason becomes as a withdrawal purpose. */
const refundPurpose = { audition_voided: 'audition_refund', clone_not_entrant: 'ticket_refund', tickets_refused: 'ticket_refund' } as const;

export const paymentsProjection = defineProjection({
  name: 'economy_payments',
  version: 2,
  mode: 'inline',
  eventTypes: [
    'PaymentQuoted',
    'DepositSubmitted',
    'DepositRefused',
    'DepositVerified',
    'AuditionCreditConsumed',
    'RefundAuthorized',
    'TransactionClaimed',
    'WithdrawalAuthorized',
    'WithdrawalRedeemed',
  ],
  tables: [
    {
      name: 'economy_payments',
      columns: {
        quote_id: 'TEXT NOT NULL',
        owner_user_id: 'TEXT NOT NULL',
        payer: 'TEXT NOT NULL',
        /** audition_fee | race_tickets */
        kind: 'TEXT NOT NULL',
        clone_id: 'TEXT NOT NULL',
        race_id: 'TEXT',
        tickets: 'INTEGER',
        amount_wei: 'TEXT NOT NULL',
        deadline_seconds: 'INTEGER NOT NULL',
        chain_id: 'INTEGER NOT NULL',
        vault: 'TEXT NOT NULL',
        /** quoted | pending | refused | verified | refunded */
        status: 'TEXT NOT NULL',
        /** The last transaction submitted, refused or verified. */
        tx_hash: 'TEXT',
        refusal: 'TEXT',
        quoted_at: 'INTEGER NOT NULL',
        submitted_at: 'INTEGER',
        verified_at: 'INTEGER',
        /** The audition that used this audition fee. */
        consumed_by: 'TEXT',
        refund_withdrawal_id: 'TEXT',
      },
      primaryKey: ['quote_id'],
      indexes: [['owner_user_id'], ['clone_id', 'status'], ['status', 'submitted_at'], ['consumed_by']],
    },
    {
      name: 'economy_tx_claims',
      columns: { tx_hash: 'TEXT NOT NULL', quote_id: 'TEXT NOT NULL', claimed_at: 'INTEGER NOT NULL' },
      primaryKey: ['tx_hash'],
    },
    {
      name: 'economy_withdrawals',
      columns: {
        withdrawal_id: 'TEXT NOT NULL',
        owner_user_id: 'TEXT NOT NULL',
        recipient: 'TEXT NOT NULL',
        amount_wei: 'TEXT NOT NULL',
        deadline_seconds: 'INTEGER NOT NULL',
        signature: 'TEXT NOT NULL',
        /** audition_refund | ticket_refund | race_payout | royalty */
        purpose: 'TEXT NOT NULL',
        /** The refunded payment's quote id, or the race id. */
        reference: 'TEXT NOT NULL',
        chain_id: 'INTEGER NOT NULL',
        vault: 'TEXT NOT NULL',
        authorized_at: 'INTEGER NOT NULL',
        /** The vault's paying transaction and when the ledger recorded it (WithdrawalRedeemed); null until redeemed. */
        redeemed_tx_hash: 'TEXT',
        redeemed_at: 'INTEGER',
      },
      primaryKey: ['withdrawal_id'],
      indexes: [['owner_user_id']],
    },
  ],
  bind(db: Db, t) {
    const P = `"${t.economy_payments}"`;
    const C = `"${t.economy_tx_claims}"`;
    const W = `"${t.economy_withdrawals}"`;
    const quoted = db.prepare(
      `INSERT INTO ${P} (quote_id, owner_user_id, payer, kind, clone_id, race_id, tickets, amount_wei, deadline_seconds, chain_id, vault, status, quoted_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'quoted', ?)`,
    );
    const submitted = db.prepare(`UPDATE ${P} SET status = 'pending', tx_hash = ?, refusal = NULL, submitted_at = ? WHERE quote_id = ?`);
    const refused = db.prepare(`UPDATE ${P} SET status = 'refused', tx_hash = ?, refusal = ? WHERE quote_id = ?`);
    const verified = db.prepare(`UPDATE ${P} SET status = 'verified', tx_hash = ?, refusal = NULL, verified_at = ? WHERE quote_id = ?`);
    const consumed = db.prepare(`UPDATE ${P} SET consumed_by = ? WHERE quote_id = ?`);
    const refunded = db.prepare(`UPDATE ${P} SET status = 'refunded', refund_withdrawal_id = ? WHERE quote_id = ?`);
    const vaultOf = db.prepare<[string], { chain_id: number; vault: string }>(`SELECT chain_id, vault FROM ${P} WHERE quote_id = ?`);
    const claimed = db.prepare(`INSERT INTO ${C} (tx_hash, quote_id, claimed_at) VALUES (?, ?, ?)`);
    const withdrawal = db.prepare(
      `INSERT INTO ${W} (withdrawal_id, owner_user_id, recipient, amount_wei, deadline_seconds, signature, purpose, reference, chain_id, vault, authorized_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    const redeemed = db.prepare(`UPDATE ${W} SET redeemed_tx_hash = ?, redeemed_at = ? WHERE withdrawal_id = ?`);
    const authorize = (w: Omit<WithdrawalEvent['data'], 'purpose'> & { purpose: string }) =>
      withdrawal.run(
        w.withdrawalId,
        w.owner,
        w.recipient,
        w.amountWei.toString(),
        w.deadlineSeconds,
        w.signature,
        w.purpose,
        w.reference,
        w.chainId,
        w.vault,
        w.authorizedAt,
      );
    return (raw: RecordedEvent) => {
      const e = raw as RecordedEvent<PaymentEvent | TransactionClaimEvent | WithdrawalEvent | RedemptionEvent>;
      switch (e.type) {
        case 'PaymentQuoted': {
          const d = e.data;
          const tickets = d.purchase.kind === 'race_tickets' ? d.purchase : undefined;
          quoted.run(
            d.quoteId,
            userIdFor(d.payer),
            d.payer,
            d.purchase.kind,
            d.purchase.cloneId,
            tickets?.raceId ?? null,
            tickets?.tickets ?? null,
            d.amountWei.toString(),
            d.deadlineSeconds,
            d.chainId,
            d.vault,
            d.quotedAt,
          );
          break;
        }
        case 'DepositSubmitted':
          submitted.run(e.data.txHash, e.data.submittedAt, e.data.quoteId);
          break;
        case 'DepositRefused':
          refused.run(e.data.txHash, e.data.code, e.data.quoteId);
          break;
        case 'DepositVerified':
          verified.run(e.data.txHash, e.data.verifiedAt, e.data.quoteId);
          break;
        case 'AuditionCreditConsumed':
          consumed.run(e.data.auditionId, e.data.quoteId);
          break;
        case 'RefundAuthorized': {
          const d = e.data;
          const v = vaultOf.get(d.quoteId);
          refunded.run(d.withdrawalId, d.quoteId);
          // A refund follows its quote in this same projection, so the quote's vault is there.
          authorize({
            ...d,
            owner: userIdFor(d.recipient),
            purpose: refundPurpose[d.reason],
            reference: d.quoteId,
            chainId: v?.chain_id ?? 0,
            vault: v?.vault ?? '',
          });
          break;
        }
        case 'TransactionClaimed':
          claimed.run(e.data.txHash, e.data.quoteId, e.data.claimedAt);
          break;
        case 'WithdrawalAuthorized':
          authorize(e.data);
          break;
        case 'WithdrawalRedeemed':
          redeemed.run(e.data.txHash, e.data.recordedAt, e.data.withdrawalId);
          break;
      }
    };
  },
});
