/**
 * Reconciliation: compares the vault's Deposit logs with the ledger. It finds deposits on chain
 * whose quote has no verified payment (the client never submitted, or gave up), and payments
 * whose submitted transaction has been pending longer than a bound. With `complete`, each finding
 * is submitted again exactly as a client would (so every check and hand-off applies) and the
 * outcome is reported: `verified`, `pending:<reason>`, or the refusal code.
 */
import type { Hash } from 'viem';
import type { DepositLogEntry } from '../../adapters/chain/deposit-logs.ts';
import { ClashError } from '../../core/errors.ts';
import type { PaymentCommands } from './payments.ts';
import type { EconomyReads } from './ports.ts';

export interface ReconcileFinding {
  /** `unrecorded_deposit`: on chain, not verified here; `stale_pending`: submitted, pending past the bound; `unknown_quote`: a deposit for a quote this ledger never issued. */
  readonly kind: 'unrecorded_deposit' | 'stale_pending' | 'unknown_quote';
  readonly quoteId: string;
  readonly txHash: string;
  /** The payment's status in the ledger (null for an unknown quote). */
  readonly status: string | null;
  /** With `complete`: what submitting it again gave. */
  readonly outcome?: string;
}

export interface ReconcileRequest {
  readonly deposits: readonly DepositLogEntry[];
  /** Epoch ms: payments submitted before this and still pending are reported. */
  readonly pendingBefore: number;
  readonly complete: boolean;
  readonly actor: string;
}

export async function reconcile(
  deps: { readonly payments: PaymentCommands; readonly reads: EconomyReads },
  request: ReconcileRequest,
): Promise<ReconcileFinding[]> {
  const findings: ReconcileFinding[] = [];
  for (const deposit of request.deposits) {
    const status = deps.reads.paymentStatus(deposit.quoteId) ?? null;
    if (status === 'verified' || status === 'refunded') continue;
    findings.push({
      kind: status === null ? 'unknown_quote' : 'unrecorded_deposit',
      quoteId: deposit.quoteId,
      txHash: deposit.txHash,
      status,
    });
  }
  for (const stale of deps.reads.pendingBefore(request.pendingBefore)) {
    if (findings.some((f) => f.quoteId === stale.quoteId && f.txHash === stale.txHash)) continue;
    findings.push({ kind: 'stale_pending', quoteId: stale.quoteId, txHash: stale.txHash, status: 'pending' });
  }
  if (!request.complete) return findings;
  const completed: ReconcileFinding[] = [];
  for (const finding of findings) {
    completed.push(
      finding.kind === 'unknown_quote' ? finding : { ...finding, outcome: await outcomeOf(deps.payments, finding, request.actor) },
    );
  }
  return completed;
}

async function outcomeOf(payments: PaymentCommands, finding: ReconcileFinding, actor: string): Promise<string> {
  try {
    const answer = await payments.submit(finding.quoteId as Hash, finding.txHash as Hash, actor);
    return answer.status === 'verified' ? 'verified' : `pending:${answer.reason}`;
  } catch (error) {
    if (error instanceof ClashError) return error.code;
    throw error;
  }
}
