/**
 * The double-entry lines of each prop account event. Two kinds of asset: `USD` in micro-USD,
 * and each traded asset (`BTC`, …) in SIZE units (1e-8), so a position's journal balance is
 * its size. Every entry balances per asset (core `journalEntry` refuses one that does not):
 *
 * - opening:   cash +S                        / house:capital −S
 * - fill:      position:<A> +size             / market:<A> −size
 *              house:fees +fee                / cash −fee
 *              cash +pnl                      / house:trading-pnl −pnl   (realized PnL, either sign)
 * - funding:   cash +amount                   / house:funding −amount    (amount as the account sees it)
 * - close at the account's end (liquidation, admin close, finalize): like a fill without a fee.
 * Debits are positive, credits negative; zero lines are dropped.
 */
import { credit, debit, type JournalEntry, type JournalLine, journalEntry } from '../../core/journal.ts';
import type { PropAccountEvent } from './events.ts';

export const USD = 'USD';

export const ledgerAccounts = {
  cash: (accountId: string) => `prop:${accountId}:cash`,
  position: (accountId: string, asset: string) => `prop:${accountId}:position:${asset}`,
  market: (asset: string) => `market:${asset}`,
  capital: 'house:capital',
  fees: 'house:fees',
  tradingPnl: 'house:trading-pnl',
  funding: 'house:funding',
} as const;

function trade(accountId: string, asset: string, size: bigint, realized: bigint, fee: bigint): JournalLine[] {
  const cash = ledgerAccounts.cash(accountId);
  return [
    debit(ledgerAccounts.position(accountId, asset), asset, size),
    credit(ledgerAccounts.market(asset), asset, size),
    debit(ledgerAccounts.fees, USD, fee),
    credit(cash, USD, fee),
    debit(cash, USD, realized),
    credit(ledgerAccounts.tradingPnl, USD, realized),
  ];
}

/** The journal entry an event makes; an empty entry for events that move no value. */
export function journalOf(event: PropAccountEvent): JournalEntry {
  switch (event.type) {
    case 'PropAccountOpened':
      return journalEntry([
        debit(ledgerAccounts.cash(event.data.accountId), USD, event.data.startingEquityMicroUsd),
        credit(ledgerAccounts.capital, USD, event.data.startingEquityMicroUsd),
      ]);
    case 'OrderFilled':
      return journalEntry(
        trade(event.data.accountId, event.data.asset, event.data.size, event.data.realizedPnlMicroUsd, event.data.feeMicroUsd),
      );
    case 'FundingApplied':
      return journalEntry(
        event.data.payments.flatMap((p) => [
          debit(ledgerAccounts.cash(event.data.accountId), USD, p.amountMicroUsd),
          credit(ledgerAccounts.funding, USD, p.amountMicroUsd),
        ]),
      );
    case 'AccountLiquidated':
    case 'AccountClosed':
    case 'PropAccountFinalized':
      return journalEntry(event.data.closes.flatMap((c) => trade(event.data.accountId, c.asset, c.size, c.realizedPnlMicroUsd, 0n)));
    default:
      return { lines: [] };
  }
}
