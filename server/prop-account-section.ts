/**
 * The packet's prop-account section (issue 12; `AccountAsOf` of `commands/ai-trading/ports.ts`)
 * over the prop-trading read models: positions with entry, liquidation price and unrealized PnL,
 * open (protective) orders, recent fills, a ledger summary, equity, drawdown and each gate's remaining
 * headroom (`gatesHeadroom` of `commands/prop-trading/headroom.ts`, the one list live runs and backtests share).
 *
 * "As of T" (doc/ai-trading.md, "The account section"): the read models hold the account after
 * every event appended before the read, valued at the marks its last event recorded; fills are
 * those at or before T. For a live run or a preview T is now, so that state *is* the state at
 * T. Determinism is kept by the run, not by recomputing: the section goes into the packet,
 * stored content-addressed under the packet digest, so an audit reads the section the run saw;
 * a replay on a simulated clock appends the account's events in time order, so no account event
 * is after T when it compiles. `updatedAt` names the last event the section reflects.
 */
import { PRICE, SIZE } from '../adapters/market/units.ts';
import type { AccountAsOf, AccountSection, FillView } from '../commands/ai-trading/ports.ts';
import { ppmOf } from '../commands/prop-trading/figures.ts';
import { gatesHeadroom } from '../commands/prop-trading/headroom.ts';
import type { Rules } from '../commands/prop-trading/rules.ts';
import { parseCanonicalJson } from '../core/canonical-json.ts';
import type { Db } from '../core/database.ts';
import { absBigint, formatDecimal } from '../core/money.ts';
import { BOUND_LIMIT } from '../core/statements.ts';
import { type FillRow, PropTradingQueries } from '../projections/prop-trading/queries.ts';

/** How many fills the section lists (the newest at or before T). */
export const RECENT_FILLS = 10;

const iso = (ms: number) => new Date(ms).toISOString();

/** The prop-account sections of one database: by clone (the preview) and by account (a run). */
export interface PropAccountSections extends AccountAsOf {
  /** The section of `propAccountId` at `at` (ms); null when there is no such account or it opened after `at`. */
  section(propAccountId: string, at: number): AccountSection | null;
}

export function propAccountSections(db: Db): PropAccountSections {
  const queries = new PropTradingQueries(db);
  const sql = {
    byClone: db.prepare<[string, number], { account_id: string }>(
      `SELECT account_id FROM prop_accounts WHERE clone_id = ? AND opened_at <= ?
       ORDER BY status IN ('new', 'active', 'frozen') DESC, opened_at DESC, account_id LIMIT 1`,
    ),
    resting: db
      .prepare<[string, number], number>('SELECT count(*) FROM prop_protective_orders WHERE account_id = ? AND placed_at <= ?')
      .pluck(),
    fills: db.prepare<[string, number, number], FillRow>(
      `SELECT * FROM prop_fills WHERE account_id = ? AND at <= ? ORDER BY position DESC, seq DESC LIMIT ${BOUND_LIMIT}`,
    ),
  };
  const section = (propAccountId: string, at: number): AccountSection | null => {
    const row = queries.account(propAccountId);
    if (!row || row.opened_at > at) return null;
    const fills = sql.fills.all(propAccountId, at, RECENT_FILLS).reverse().map(fillView);
    const positions = queries.positions(propAccountId);
    return {
      propAccountId,
      status: row.status,
      updatedAt: iso(row.updated_at),
      equityMicroUsd: row.equity,
      drawdownPpm: Number(ppmOf(BigInt(row.drawdown), BigInt(row.starting_equity))),
      positions: positions.map((p) => ({
        asset: p.asset,
        side: p.side,
        size: formatDecimal(absBigint(BigInt(p.size)), SIZE),
        entryPrice: formatDecimal(BigInt(p.entry_price), PRICE),
        liquidationPrice: p.liquidation_price === null ? null : formatDecimal(BigInt(p.liquidation_price), PRICE),
        unrealizedPnlMicroUsd: p.unrealized_pnl,
      })),
      openOrders: sql.resting.get(propAccountId, at) ?? 0,
      recentFills: fills,
      ledger: {
        startingEquityMicroUsd: row.starting_equity,
        cashMicroUsd: row.cash,
        realizedPnlMicroUsd: row.realized_pnl,
        feesMicroUsd: row.fees,
        fundingMicroUsd: row.funding,
        marginUsedMicroUsd: row.margin_used,
        trades: row.trades,
      },
      // the rules column is the canonical JSON of the opening event's validated rules
      headroomMicroUsd: gatesHeadroom({
        rules: parseCanonicalJson(row.rules) as Rules,
        startingEquityMicroUsd: BigInt(row.starting_equity),
        startOfDayEquityMicroUsd: BigInt(row.start_of_day_equity),
        equityMicroUsd: BigInt(row.equity),
        drawdownMicroUsd: BigInt(row.drawdown),
        marginUsedMicroUsd: BigInt(row.margin_used),
        held: positions.map((p) => ({ asset: p.asset, notionalMicroUsd: BigInt(p.notional) })),
      }),
    };
  };
  return {
    section,
    account: (cloneId, at) => {
      const found = sql.byClone.get(cloneId, at);
      return found ? section(found.account_id, at) : null;
    },
  };
}

/** A signed fill size (1e-8 integer text, positive buys) as its side and decimal size. */
export function fillSide(size: string): { side: 'buy' | 'sell'; size: string } {
  const signed = BigInt(size);
  return { side: signed >= 0n ? 'buy' : 'sell', size: formatDecimal(absBigint(signed), SIZE) };
}

function fillView(f: FillRow): FillView {
  return { time: iso(f.at), asset: f.asset, ...fillSide(f.size), price: formatDecimal(BigInt(f.price), PRICE) };
}
