/**
 * Wire shapes of the prop trading routes, mapped from the read-model rows: camelCase, money in
 * micro-USD (`…MicroUsd`), prices and sizes in 1e-8 fixed point (`…E8`), times as ISO 8601 UTC
 * (`doc/api.md` "Conventions", `doc/prop-trading.md` for every figure and its rounding).
 */
import { z } from '@hono/zod-openapi';
import { zActionKind, zProtectiveKind, zPurpose, zSide } from '../../commands/prop-trading/events.ts';
import { USD } from '../../commands/prop-trading/journal.ts';
import { parseCanonicalJson, toWire } from '../../core/canonical-json.ts';
import type { AccountRow } from '../../projections/prop-trading/accounts.ts';
import type {
  FillRow,
  JournalRow,
  MarkRow,
  PositionRow,
  ProtectiveOrderRow,
  RejectionRow,
} from '../../projections/prop-trading/queries.ts';
import { iso, isoDay, zDay, zE8, zMicroUsd, zSignedE8, zSignedMicroUsd, zTime } from './schemas.ts';

const ppm = (description: string) =>
  z
    .number()
    .int()
    .min(0)
    .max(1_000_000)
    .openapi({ description: `${description}, in ppm` });

export const RulesSchema = z
  .object({
    takerFeePpm: ppm('fee on fills that take liquidity'),
    makerFeePpm: ppm('fee on fills that add liquidity'),
    slippagePpm: ppm('market fills pay this much worse than the execution price'),
    maxLeverage: z.number().int().min(1).max(1000),
    dailyLossPpm: ppm('opening is refused once the day’s loss reaches this share of start-of-day equity'),
    maxDrawdownPpm: ppm('opening is refused once the loss from starting equity reaches this share of it'),
    maxPositionNotionalMicroUsd: zMicroUsd(),
    minOrderNotionalMicroUsd: zMicroUsd(),
    maxPriceAgeMs: z.number().int().min(0).openapi({ description: 'a price older than this many milliseconds is refused' }),
  })
  .openapi('PropRules');

export const ResultSchema = z
  .object({
    startingEquityMicroUsd: zMicroUsd(),
    finalEquityMicroUsd: zSignedMicroUsd(),
    returnPpm: z
      .string()
      .regex(/^-?\d+$/)
      .openapi({ description: '(final − starting) / starting in ppm, rounded down' }),
    maxDrawdownMicroUsd: zMicroUsd(),
    maxDrawdownPpm: z.string().regex(/^\d+$/).openapi({ description: 'max drawdown / starting equity in ppm, rounded down' }),
    trades: z.number().int().min(0),
    realizedPnlMicroUsd: zSignedMicroUsd(),
    feesMicroUsd: zMicroUsd(),
    fundingMicroUsd: zSignedMicroUsd(),
  })
  .openapi('PropResult');

export const AccountSchema = z
  .object({
    accountId: z.string(),
    cloneId: z.string(),
    strategyVersionId: z.string(),
    purpose: zPurpose,
    status: z.enum(['active', 'frozen', 'closed', 'liquidated', 'finalized']),
    statusReason: z.string().nullable(),
    startingEquityMicroUsd: zMicroUsd(),
    cashMicroUsd: zSignedMicroUsd('starting equity + realized PnL − fees + funding'),
    equityMicroUsd: zSignedMicroUsd('cash + unrealized PnL at the last valuation'),
    realizedPnlMicroUsd: zSignedMicroUsd(),
    unrealizedPnlMicroUsd: zSignedMicroUsd(),
    feesMicroUsd: zMicroUsd(),
    fundingMicroUsd: zSignedMicroUsd('as the account sees it (negative: paid)'),
    marginUsedMicroUsd: zMicroUsd('Σ notional / leverage'),
    maintenanceMarginMicroUsd: zMicroUsd('Σ notional / (2 × asset max leverage)'),
    drawdownMicroUsd: zMicroUsd('max(0, starting − equity)'),
    maxDrawdownMicroUsd: zMicroUsd(),
    startOfDayEquityMicroUsd: zSignedMicroUsd(),
    tradingDay: zDay.openapi({ description: 'the UTC day start-of-day equity belongs to' }),
    trades: z.number().int(),
    rejections: z.number().int(),
    rules: RulesSchema,
    result: z.union([ResultSchema, z.null()]).openapi({ description: 'the result snapshot, once finalized' }),
    openedAt: zTime,
    updatedAt: zTime,
  })
  .openapi('PropAccount');

export const PositionSchema = z
  .object({
    asset: z.string(),
    side: zSide,
    sizeE8: zSignedE8('positive long, negative short; 1e-8 units of the asset'),
    entryPriceE8: zE8('1e-8 USD per unit'),
    markPriceE8: zE8('1e-8 USD per unit'),
    leverage: z.number().int().min(1),
    notionalMicroUsd: zMicroUsd(),
    unrealizedPnlMicroUsd: zSignedMicroUsd(),
    marginMicroUsd: zMicroUsd(),
    maintenanceMarginMicroUsd: zMicroUsd(),
    liquidationPriceE8: zE8('1e-8 USD per unit; null when no price liquidates it').nullable(),
    updatedAt: zTime,
  })
  .openapi('PropPosition');

export const ProtectiveOrderSchema = z
  .object({
    protectiveOrderId: z.string(),
    decisionRunId: z.string().openapi({ description: 'the decision run whose exit plan placed it' }),
    asset: z.string(),
    kind: zProtectiveKind,
    side: zSide,
    triggerPriceE8: zE8('1e-8 USD per unit, on a Hyperliquid price tick'),
    invalidation: z.string().nullable().openapi({ description: 'the exit plan’s invalidation note (recorded, not evaluated)' }),
    placedAt: zTime,
  })
  .openapi('PropProtectiveOrder');

/** The log position that wrote a row; with `line`, the paging cursor. */
const position = z.number().int().openapi({ description: 'global position of the event that wrote this row' });

export const FillSchema = z
  .object({
    position,
    seq: z.number().int().openapi({ description: 'the fill’s index within its event' }),
    kind: z
      .enum(['order', 'take_profit', 'stop_loss', 'liquidation', 'admin_close', 'finalize'])
      .openapi({ description: 'a market order, a protective order of an exit plan, or a close at mark at the account’s end' }),
    orderId: z.string().nullable(),
    decisionRunId: z.string().nullable(),
    asset: z.string(),
    sizeE8: zSignedE8('positive buys, negative sells; 1e-8 units of the asset'),
    priceE8: zE8('1e-8 USD per unit'),
    notionalMicroUsd: zMicroUsd(),
    feeMicroUsd: zMicroUsd(),
    realizedPnlMicroUsd: zSignedMicroUsd(),
    at: zTime,
  })
  .openapi('PropFill');

export const SnapshotSchema = z
  .object({
    position,
    at: zTime,
    tradingDay: zDay,
    cashMicroUsd: zSignedMicroUsd(),
    equityMicroUsd: zSignedMicroUsd(),
    unrealizedPnlMicroUsd: zSignedMicroUsd(),
    marginUsedMicroUsd: zMicroUsd(),
    maintenanceMarginMicroUsd: zMicroUsd(),
    drawdownMicroUsd: zMicroUsd(),
    startOfDayEquityMicroUsd: zSignedMicroUsd(),
    positions: z.array(
      z.object({
        asset: z.string(),
        sizeE8: zSignedE8('1e-8 units of the asset'),
        markPriceE8: zE8('1e-8 USD per unit'),
        unrealizedPnlMicroUsd: zSignedMicroUsd(),
      }),
    ),
  })
  .openapi('PropSnapshot');

export const RejectionSchema = z
  .object({
    position,
    orderId: z.string(),
    decisionRunId: z.string(),
    asset: z.string(),
    action: zActionKind,
    side: zSide,
    reasonCode: z.string(),
    figures: z.record(z.string(), z.string()).openapi({
      description:
        'the figures that tripped the gate, as recorded in the event: integer decimal strings, money in micro-USD, prices in 1e-8, ages in ms (doc/prop-trading.md names them per reason code)',
    }),
    at: zTime,
  })
  .openapi('PropRejection');

export const JournalLineSchema = z
  .object({
    position,
    line: z.number().int(),
    eventType: z.string(),
    ledgerAccount: z.string(),
    asset: z.string().openapi({ description: '`USD`, or a traded asset' }),
    amount: z
      .string()
      .regex(/^-?\d+$/)
      .openapi({ description: 'debit positive; in `unit`' }),
    unit: z.enum(['microUsd', 'e8']).openapi({ description: 'microUsd for USD, e8 (1e-8 units) for a traded asset' }),
    at: zTime,
  })
  .openapi('PropJournalLine');

const next = z.string().nullable().openapi({ description: 'cursor for `after`; null on the last page' });
export const pageOf = <S extends z.ZodType>(item: S, name: string) => z.object({ items: z.array(item), next }).openapi(name);

export const JournalPageSchema = z
  .object({
    items: z.array(JournalLineSchema),
    next,
    balanced: z.boolean().openapi({ description: 'Σ lines per asset is zero over the whole journal' }),
    totals: z.record(z.string(), z.string().regex(/^-?\d+$/)).openapi({ description: 'Σ lines per asset, in its unit' }),
  })
  .openapi('PropJournalPage');

export const CommandResultSchema = z
  .object({
    events: z.array(z.object({ type: z.string(), position: z.number().int() })).openapi({ description: 'the events appended, in order' }),
    fills: z.array(FillSchema).openapi({ description: 'the fills these events made' }),
    rejections: z.array(RejectionSchema).openapi({ description: 'the actions these events refused' }),
    account: z.union([AccountSchema, z.null()]),
  })
  .openapi('PropCommandResult');

/** How many distinct stored texts `stored` keeps decoded; past that it starts afresh. */
const STORED_MEMO = 1_000;
const decoded = new Map<string, unknown>();

/**
 * Stored canonical JSON (bigints as {"$bigint": "…"}) as plain wire JSON, decoded once per
 * distinct text: an account's rules (most accounts share the defaults) and result are the same
 * text read after read, and decoding them was 4% of an account read (issue 17's profile). The
 * wire objects are shared between answers, so nothing may change them (they only go to JSON).
 */
const stored = <T>(text: string): T => {
  let wire = decoded.get(text);
  if (wire === undefined) {
    if (decoded.size >= STORED_MEMO) decoded.clear();
    wire = toWire<T>(parseCanonicalJson(text));
    decoded.set(text, wire);
  }
  return wire as T;
};

export function accountView(row: AccountRow): z.output<typeof AccountSchema> {
  return {
    accountId: row.account_id,
    cloneId: row.clone_id,
    strategyVersionId: row.strategy_version_id,
    purpose: row.purpose as z.output<typeof zPurpose>,
    status: row.status as z.output<typeof AccountSchema>['status'],
    statusReason: row.status_reason,
    startingEquityMicroUsd: row.starting_equity,
    cashMicroUsd: row.cash,
    equityMicroUsd: row.equity,
    realizedPnlMicroUsd: row.realized_pnl,
    unrealizedPnlMicroUsd: row.unrealized_pnl,
    feesMicroUsd: row.fees,
    fundingMicroUsd: row.funding,
    marginUsedMicroUsd: row.margin_used,
    maintenanceMarginMicroUsd: row.maintenance_margin,
    drawdownMicroUsd: row.drawdown,
    maxDrawdownMicroUsd: row.max_drawdown,
    startOfDayEquityMicroUsd: row.start_of_day_equity,
    tradingDay: isoDay(row.utc_day),
    trades: row.trades,
    rejections: row.rejections,
    rules: stored(row.rules),
    result: row.result === null ? null : stored(row.result),
    openedAt: iso(row.opened_at),
    updatedAt: iso(row.updated_at),
  };
}

export function positionView(p: PositionRow): z.output<typeof PositionSchema> {
  return {
    asset: p.asset,
    side: p.side,
    sizeE8: p.size,
    entryPriceE8: p.entry_price,
    markPriceE8: p.mark_price,
    leverage: p.leverage,
    notionalMicroUsd: p.notional,
    unrealizedPnlMicroUsd: p.unrealized_pnl,
    marginMicroUsd: p.margin,
    maintenanceMarginMicroUsd: p.maintenance_margin,
    liquidationPriceE8: p.liquidation_price,
    updatedAt: iso(p.updated_at),
  };
}

export function protectiveOrderView(o: ProtectiveOrderRow): z.output<typeof ProtectiveOrderSchema> {
  return {
    protectiveOrderId: o.protective_order_id,
    decisionRunId: o.decision_run_id,
    asset: o.asset,
    kind: o.kind,
    side: o.side,
    triggerPriceE8: o.trigger_price,
    invalidation: o.invalidation,
    placedAt: iso(o.placed_at),
  };
}

export function fillView(f: FillRow): z.output<typeof FillSchema> {
  return {
    position: f.position,
    seq: f.seq,
    kind: f.kind,
    orderId: f.order_id,
    decisionRunId: f.decision_run_id,
    asset: f.asset,
    sizeE8: f.size,
    priceE8: f.price,
    notionalMicroUsd: f.notional,
    feeMicroUsd: f.fee,
    realizedPnlMicroUsd: f.realized_pnl,
    at: iso(f.at),
  };
}

export function snapshotView(m: MarkRow): z.output<typeof SnapshotSchema> {
  const positions = JSON.parse(m.positions) as { asset: string; size: string; mark: string; unrealizedPnl: string }[];
  return {
    position: m.position,
    at: iso(m.at),
    tradingDay: isoDay(m.utc_day),
    cashMicroUsd: m.cash,
    equityMicroUsd: m.equity,
    unrealizedPnlMicroUsd: m.unrealized_pnl,
    marginUsedMicroUsd: m.margin_used,
    maintenanceMarginMicroUsd: m.maintenance_margin,
    drawdownMicroUsd: m.drawdown,
    startOfDayEquityMicroUsd: m.start_of_day_equity,
    positions: positions.map((p) => ({ asset: p.asset, sizeE8: p.size, markPriceE8: p.mark, unrealizedPnlMicroUsd: p.unrealizedPnl })),
  };
}

export function rejectionView(r: RejectionRow): z.output<typeof RejectionSchema> {
  return {
    position: r.position,
    orderId: r.order_id,
    decisionRunId: r.decision_run_id,
    asset: r.asset,
    action: r.action as z.output<typeof zActionKind>,
    side: r.side as z.output<typeof zSide>,
    reasonCode: r.reason_code,
    figures: JSON.parse(r.figures) as Record<string, string>,
    at: iso(r.at),
  };
}

export function journalLineView(l: JournalRow): z.output<typeof JournalLineSchema> {
  return {
    position: l.position,
    line: l.line,
    eventType: l.event_type,
    ledgerAccount: l.ledger_account,
    asset: l.asset,
    amount: l.amount,
    unit: l.asset === USD ? 'microUsd' : 'e8',
    at: iso(l.at),
  };
}
