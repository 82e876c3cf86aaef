/**
 * Reading the prop trading read models: an account, its positions, paged lists (fills,
 * journal, mark snapshots, rejections) and the journal balance check. Pages are ordered by
 * the event position (and a line number within it); the cursor `after` is "position.line".
 */
import type { Statement } from 'better-sqlite3';
import type { Db } from '../../core/database.ts';
import { BOUND_LIMIT, prepared } from '../../core/statements.ts';
import type { AccountRow } from './accounts.ts';
import { JOURNAL_ROWS, ledgerAccountOf } from './journal.ts';

export type PagedList = 'fills' | 'journal' | 'marks' | 'rejections';

const LISTS: Record<PagedList, { table: string; line: string }> = {
  fills: { table: 'prop_fills', line: 'seq' },
  journal: { table: JOURNAL_ROWS, line: 'line' },
  marks: { table: 'prop_marks', line: '0' },
  rejections: { table: 'prop_rejections', line: '0' },
};

export interface Page<T> {
  readonly items: T[];
  /** Pass as `after` for the next page; null on the last page. */
  readonly next: string | null;
}

export interface JournalCheck {
  /** Σ lines per asset; all zero when the books balance. */
  readonly totals: Record<string, string>;
  readonly balanced: boolean;
  /** Balance of each ledger account per asset ("account asset" → amount). */
  readonly balances: Record<string, string>;
}

/** A prop_positions row: sizes and prices in 1e-8, money in micro-USD, as decimal strings. */
export interface PositionRow {
  account_id: string;
  asset: string;
  side: 'long' | 'short';
  size: string;
  entry_price: string;
  mark_price: string;
  leverage: number;
  notional: string;
  unrealized_pnl: string;
  margin: string;
  maintenance_margin: string;
  liquidation_price: string | null;
  updated_at: number;
}

/** A prop_protective_orders row: a resting take-profit or stop-loss (trigger price in 1e-8 USD, placed at in ms). */
export interface ProtectiveOrderRow {
  protective_order_id: string;
  account_id: string;
  decision_run_id: string;
  asset: string;
  kind: 'take_profit' | 'stop_loss';
  side: 'long' | 'short';
  trigger_price: string;
  invalidation: string | null;
  placed_at: number;
}

/** A prop_fills row (`kind`: order, take_profit, stop_loss, liquidation, admin_close, finalize). */
export interface FillRow {
  account_id: string;
  position: number;
  seq: number;
  kind: 'order' | 'take_profit' | 'stop_loss' | 'liquidation' | 'admin_close' | 'finalize';
  order_id: string | null;
  decision_run_id: string | null;
  asset: string;
  size: string;
  price: string;
  notional: string;
  fee: string;
  realized_pnl: string;
  at: number;
}

/** A prop_marks row; `positions` is the JSON array the projection wrote. */
export interface MarkRow {
  account_id: string;
  position: number;
  at: number;
  utc_day: number;
  cash: string;
  equity: string;
  unrealized_pnl: string;
  margin_used: string;
  maintenance_margin: string;
  drawdown: string;
  start_of_day_equity: string;
  positions: string;
}

/** A prop_rejections row; `figures` is the JSON object of the event's figures. */
export interface RejectionRow {
  account_id: string;
  position: number;
  order_id: string;
  decision_run_id: string;
  asset: string;
  action: string;
  side: string;
  reason_code: string;
  figures: string;
  at: number;
}

/** A prop_journal row: `amount` in micro-USD for asset USD, in 1e-8 units of a traded asset. */
export interface JournalRow {
  account_id: string;
  position: number;
  line: number;
  event_type: string;
  ledger_account: string;
  asset: string;
  amount: string;
  at: number;
}

/** The row type of each paged list. */
export interface PagedRows {
  fills: FillRow;
  journal: JournalRow;
  marks: MarkRow;
  rejections: RejectionRow;
}

/** The queries, each statement prepared once on first use and kept (`core/statements.ts`). */
export class PropTradingQueries {
  constructor(private readonly db: Db) {}

  private statement<P extends unknown[], R>(sql: string): Statement<P, R> {
    return prepared<P, R>(this.db, sql);
  }

  account(accountId: string): AccountRow | undefined {
    return this.statement<[string], AccountRow>('SELECT * FROM prop_accounts WHERE account_id = ?').get(accountId);
  }

  positions(accountId: string): PositionRow[] {
    return this.statement<[string], PositionRow>('SELECT * FROM prop_positions WHERE account_id = ? ORDER BY asset').all(accountId);
  }

  page<L extends PagedList>(list: L, accountId: string, options: { after?: string | undefined; limit: number }): Page<PagedRows[L]> {
    const { table, line } = LISTS[list];
    const [position = 0, lineNo = -1] = (options.after ?? '0.-1').split('.').map(Number);
    const rows = this.statement<[string, number, number, number], PagedRows[L] & { _line: number }>(
      `SELECT *, ${line} AS _line FROM ${table} WHERE account_id = ? AND (position, ${line}) > (?, ?) ORDER BY position, _line LIMIT ${BOUND_LIMIT}`,
    ).all(accountId, position, lineNo, options.limit + 1);
    const items = rows.slice(0, options.limit);
    const last = items[items.length - 1];
    return {
      items: items.map(({ _line, ...r }) => r as unknown as PagedRows[L]),
      next: rows.length > options.limit && last ? `${last.position}.${last._line}` : null,
    };
  }

  /** The rows of a list that these log positions wrote (a command's own fills or rejections). */
  atPositions<L extends PagedList>(list: L, accountId: string, positions: readonly number[]): PagedRows[L][] {
    if (positions.length === 0) return [];
    const { table, line } = LISTS[list];
    return this.statement<[string, string], PagedRows[L] & { _line: number }>(
      `SELECT *, ${line} AS _line FROM ${table} WHERE account_id = ? AND position IN (SELECT value FROM json_each(?)) ORDER BY position, _line`,
    )
      .all(accountId, JSON.stringify(positions))
      .map(({ _line, ...r }) => r as unknown as PagedRows[L]);
  }

  journalCheck(accountId: string): JournalCheck {
    const totals = new Map<string, bigint>();
    const balances = new Map<string, bigint>();
    const rows = this.statement<[string], { ledger_account: string; asset: string; amount: string }>(
      `SELECT ${ledgerAccountOf('j')} AS ledger_account, asset, CAST(amount AS TEXT) AS amount FROM prop_journal j WHERE account_id = ?`,
    ).iterate(accountId);
    for (const r of rows) {
      const amount = BigInt(r.amount);
      totals.set(r.asset, (totals.get(r.asset) ?? 0n) + amount);
      const key = `${r.ledger_account} ${r.asset}`;
      balances.set(key, (balances.get(key) ?? 0n) + amount);
    }
    const text = (m: Map<string, bigint>) =>
      Object.fromEntries([...m].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => [k, v.toString()]));
    return { totals: text(totals), balanced: [...totals.values()].every((v) => v === 0n), balances: text(balances) };
  }

  /**
   * Where the account's journal disagrees with it: the journal's cash and position balances
   * against the account's cash and position sizes (each a line for operators); empty when they agree.
   */
  journalMismatches(accountId: string, journal: JournalCheck = this.journalCheck(accountId)): string[] {
    const account = this.account(accountId);
    if (!account) return [`no account ${accountId}`];
    const cash = journal.balances[`prop:${accountId}:cash USD`] ?? '0';
    return [
      ...(cash !== account.cash ? [`journal cash ${cash} ≠ account cash ${account.cash}`] : []),
      ...this.positions(accountId)
        .filter((p) => journal.balances[`prop:${accountId}:position:${p.asset} ${p.asset}`] !== p.size)
        .map((p) => `journal position ${p.asset} ≠ size ${p.size}`),
    ];
  }

  /** The account's resting protective orders, by asset then id. */
  protectiveOrders(accountId: string): ProtectiveOrderRow[] {
    return this.statement<[string], ProtectiveOrderRow>(
      'SELECT * FROM prop_protective_orders WHERE account_id = ? ORDER BY asset, protective_order_id',
    ).all(accountId);
  }

  /**
   * The ids of the accounts still trading (active or frozen) of the given purposes, in order,
   * at most `limit` (the marking worker's round: running audition and race accounts).
   */
  tradingAccountIds(purposes: readonly string[], limit: number): string[] {
    return this.statement<[string, number], string>(
      `SELECT account_id FROM prop_accounts WHERE status IN ('active', 'frozen')
         AND purpose IN (SELECT value FROM json_each(?)) ORDER BY account_id LIMIT ${BOUND_LIMIT}`,
    )
      .pluck()
      .all(JSON.stringify(purposes), limit);
  }

  /** Every account id, in order. */
  accountIds(): string[] {
    return this.db.prepare<[], string>('SELECT account_id FROM prop_accounts ORDER BY account_id').pluck().all();
  }
}
