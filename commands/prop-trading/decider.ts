/**
 * The prop account decider: pure `decide` and `evolve`. Time, prices, asset facts and funding
 * rates come inside the command; nothing here reads a clock, a database or the network.
 */
import { MINUTE_MS } from '../../adapters/market/price-source.ts';
import type { Decider } from '../../core/decider.ts';
import { DomainError } from '../../core/errors.ts';
import { maxBigint } from '../../core/money.ts';
import type { PropAccountCommand, Quote, Quotes } from './commands.ts';
import { type Close, markedValuation, type PropAccountEvent, type Valuation } from './events.ts';
import { funding, pnl, ppmOf, utcDayOf } from './figures.ts';
import { cancelOrders, candleHit, type Hit, markHit, triggerFill } from './protective-orders.ts';
import { marksOf, quoteProblem } from './quotes.ts';
import type { Rules } from './rules.ts';
import { initialPropAccountState, type Marks, marksIn, type Position, type PropAccountState, sameMarks, valuationOf } from './state.ts';
import { decideSubmitAction } from './submit-action.ts';
import { dayStart } from './trading-day.ts';

function opened(state: PropAccountState): Rules {
  if (state.status === 'new' || !state.rules) throw new DomainError('account_not_found', 'not_found', 'no such prop account');
  return state.rules;
}

function refuse(code: string, message: string, state: PropAccountState): never {
  throw new DomainError(code, 'conflict', message, { accountId: state.accountId, status: state.status });
}

/** Quotes for every open position, fresh as of `at`; refused (no event) otherwise. */
function freshMarks(state: PropAccountState, quotes: Quotes, at: number, rules: Rules) {
  const problem = quoteProblem(quotes, Object.keys(state.positions).sort(), at, rules.maxPriceAgeMs);
  if (problem) throw new DomainError(problem.code, 'unprocessable', `${problem.code} for ${problem.figures.asset}`, problem.figures);
  return marksOf(quotes);
}

/** Every open position closed at its mark (no fee, no slippage); the cash after. */
function closeAll(state: PropAccountState, quotes: Quotes): { closes: Close[]; cash: bigint } {
  const closes = Object.entries(state.positions)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([asset, p]) => {
      const price = quotes[asset]?.price ?? 0n;
      return { asset, size: -p.size, entryPrice: p.entryPrice, price, realizedPnlMicroUsd: pnl(p.size, p.entryPrice, price) };
    });
  return { closes, cash: closes.reduce((c, x) => c + x.realizedPnlMicroUsd, state.cash) };
}

/** `events` folded onto `state`: the state a later step of the same decision sees. */
function after(state: PropAccountState, events: readonly PropAccountEvent[]): PropAccountState {
  return events.reduce((s, e) => evolve(s, e), state);
}

/**
 * The fills of protective orders, one observation at a time (`hitAt` finds the order an
 * observation reaches on the state so far): each fill closes a position, so later observations
 * see it gone and no order fills twice.
 */
function triggerFills<O>(
  state: PropAccountState,
  observations: readonly O[],
  hitAt: (state: PropAccountState, observation: O) => Hit | undefined,
  marks: Marks,
  rules: Rules,
  at: number,
): PropAccountEvent[] {
  const events: PropAccountEvent[] = [];
  let current = state;
  for (const observation of observations) {
    const hit = hitAt(current, observation);
    if (!hit) continue;
    const fill = triggerFill(current, hit, marks, rules, at);
    events.push(...fill);
    current = after(current, fill);
  }
  return events;
}

function decide(command: PropAccountCommand, state: PropAccountState): PropAccountEvent[] {
  if (command.type === 'OpenPropAccount') {
    if (state.status !== 'new') refuse('account_exists', `prop account ${state.accountId} already exists`, state);
    const { type: _type, at, ...data } = command;
    return [{ type: 'PropAccountOpened', data: { ...data, openedAt: at } }];
  }
  const rules = opened(state);
  const accountId = state.accountId;
  switch (command.type) {
    case 'SubmitAction':
      return decideSubmitAction(command, state, rules);
    case 'MarkToMarket': {
      if (state.status !== 'active' && state.status !== 'frozen') refuse('account_not_trading', 'the account is no longer trading', state);
      const marks = freshMarks(state, command.quotes, command.at, rules);
      const day = dayStart(state, valuationOf(state, marks), command.at);
      // A mark reaching a protective order's trigger fills it before the account is valued.
      const held = Object.keys(state.positions).sort();
      const hitAt = (s: PropAccountState, asset: string) => markHit(s, asset, command.quotes[asset] as Quote);
      const fills = triggerFills(after(state, day.events), held, hitAt, marks, rules, command.at);
      const events: PropAccountEvent[] = [...day.events, ...fills];
      const marked = after(state, events);
      const valuation = valuationOf(marked, marks);
      // Only a changed valuation is recorded: an idle account does not grow the log.
      if (!sameMarks(marked, marks)) {
        events.push({ type: 'AccountMarked', data: { accountId, valuation: markedValuation(valuation), at: command.at } });
      }
      if (valuation.positions.length > 0 && valuation.equityMicroUsd < valuation.maintenanceMarginMicroUsd) {
        const { closes, cash } = closeAll(marked, command.quotes);
        events.push(
          {
            type: 'AccountLiquidated',
            data: {
              accountId,
              equityMicroUsd: valuation.equityMicroUsd,
              maintenanceMarginMicroUsd: valuation.maintenanceMarginMicroUsd,
              closes,
              valuation: valuationOf(marked, {}, {}, cash),
              at: command.at,
            },
          },
          ...cancelOrders(marked, () => true, 'liquidated', command.at),
        );
      }
      return events;
    }
    case 'CheckProtectiveOrders': {
      if (state.status !== 'active' && state.status !== 'frozen') refuse('account_not_trading', 'the account is no longer trading', state);
      if (command.candles.some((c) => c.intervalMs !== MINUTE_MS)) throw new Error('protective orders are checked against 1m candles only');
      const marks = freshMarks(state, command.quotes, command.at, rules);
      const candles = [...command.candles].sort((a, b) => a.openTime - b.openTime || (a.asset < b.asset ? -1 : a.asset > b.asset ? 1 : 0));
      const day = dayStart(state, valuationOf(state, marks), command.at);
      const fills = triggerFills(after(state, day.events), candles, candleHit, marks, rules, command.at);
      // Nothing reached: nothing recorded (re-checking a minute appends nothing).
      return fills.length === 0 ? [] : [...day.events, ...fills];
    }
    case 'ApplyFunding': {
      if (state.status !== 'active' && state.status !== 'frozen') refuse('account_not_trading', 'the account is no longer trading', state);
      if (command.hour <= state.lastFundingHour) {
        refuse('funding_already_applied', `funding for hour ${command.hour} was already applied`, state);
      }
      const marks = freshMarks(state, command.quotes, command.hour, rules);
      // A position opened after the hour was not held at it: it pays nothing for it.
      const payments = Object.entries(state.positions)
        .filter(([asset]) => command.rates[asset] !== undefined && (state.heldSince[asset] ?? 0) <= command.hour)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([asset, p]) => {
          const rate = command.rates[asset] as bigint;
          const price = marks[asset] as bigint;
          return { asset, size: p.size, price, rate, amountMicroUsd: funding(p.size, price, rate) };
        });
      if (payments.length === 0) return [];
      const total = payments.reduce((s, p) => s + p.amountMicroUsd, 0n);
      const valuation = valuationOf(state, marks, state.positions, state.cash + total);
      return [
        { type: 'FundingApplied', data: { accountId, hour: command.hour, payments, totalMicroUsd: total, valuation, at: command.at } },
      ];
    }
    case 'FreezeAccount':
      if (state.status !== 'active') refuse('account_not_active', 'only an active account can be frozen', state);
      return [{ type: 'AccountFrozen', data: { accountId, reason: command.reason, at: command.at } }];
    case 'UnfreezeAccount':
      if (state.status !== 'frozen') refuse('account_not_frozen', 'the account is not frozen', state);
      return [{ type: 'AccountUnfrozen', data: { accountId, reason: command.reason, at: command.at } }];
    case 'CloseAccount': {
      if (state.status !== 'active' && state.status !== 'frozen') refuse('account_not_trading', 'the account is no longer trading', state);
      freshMarks(state, command.quotes, command.at, rules);
      const { closes, cash } = closeAll(state, command.quotes);
      return [
        {
          type: 'AccountClosed',
          data: { accountId, reason: command.reason, closes, valuation: valuationOf(state, {}, {}, cash), at: command.at },
        },
        ...cancelOrders(state, () => true, 'account_closed', command.at),
      ];
    }
    case 'FinalizeAccount': {
      if (state.status === 'finalized') refuse('account_finalized', 'the account is already finalized', state);
      freshMarks(state, command.quotes, command.at, rules);
      const { closes, cash } = closeAll(state, command.quotes);
      const valuation = valuationOf(state, {}, {}, cash);
      const maxDrawdown = maxBigint(state.maxDrawdown, valuation.drawdownMicroUsd);
      const result = {
        startingEquityMicroUsd: state.startingEquity,
        finalEquityMicroUsd: valuation.equityMicroUsd,
        returnPpm: ppmOf(valuation.equityMicroUsd - state.startingEquity, state.startingEquity),
        maxDrawdownMicroUsd: maxDrawdown,
        maxDrawdownPpm: ppmOf(maxDrawdown, state.startingEquity),
        trades: state.trades + closes.length,
        realizedPnlMicroUsd: closes.reduce((s, c) => s + c.realizedPnlMicroUsd, state.realizedPnl),
        feesMicroUsd: state.fees,
        fundingMicroUsd: state.funding,
      };
      return [
        { type: 'PropAccountFinalized', data: { accountId, closes, valuation, result, at: command.at } },
        ...cancelOrders(state, () => true, 'account_finalized', command.at),
      ];
    }
  }
}

/** Folds closes at the account's end: positions gone, their PnL realized. */
function applyCloses(state: PropAccountState, closes: readonly Close[], valuation: Valuation): PropAccountState {
  const realized = closes.reduce((s, c) => s + c.realizedPnlMicroUsd, 0n);
  return {
    ...state,
    positions: {},
    cash: state.cash + realized,
    realizedPnl: state.realizedPnl + realized,
    trades: state.trades + closes.length,
    maxDrawdown: maxBigint(state.maxDrawdown, valuation.drawdownMicroUsd),
    lastMarks: {},
    heldSince: {},
  };
}

function evolve(state: PropAccountState, event: PropAccountEvent): PropAccountState {
  switch (event.type) {
    case 'PropAccountOpened': {
      const d = event.data;
      return {
        ...state,
        status: 'active',
        accountId: d.accountId,
        rules: d.rules,
        startingEquity: d.startingEquityMicroUsd,
        cash: d.startingEquityMicroUsd,
        utcDay: utcDayOf(d.openedAt),
        startOfDayEquity: d.startingEquityMicroUsd,
        lastMarks: {},
      };
    }
    case 'TradingDayStarted':
      return { ...state, utcDay: event.data.utcDay, startOfDayEquity: event.data.startOfDayEquityMicroUsd };
    case 'OrderFilled': {
      const d = event.data;
      const positions: Record<string, Position> = { ...state.positions, [d.asset]: d.positionAfter };
      const heldSince = { ...state.heldSince };
      if (d.positionAfter.size === 0n) {
        delete positions[d.asset];
        delete heldSince[d.asset];
      } else if (!state.positions[d.asset]) heldSince[d.asset] = d.at;
      const protective = { ...state.protective };
      if (d.trigger) delete protective[d.trigger.protectiveOrderId];
      return {
        ...state,
        positions,
        heldSince,
        protective,
        cash: state.cash + d.realizedPnlMicroUsd - d.feeMicroUsd,
        realizedPnl: state.realizedPnl + d.realizedPnlMicroUsd,
        fees: state.fees + d.feeMicroUsd,
        trades: state.trades + 1,
        maxDrawdown: maxBigint(state.maxDrawdown, d.valuation.drawdownMicroUsd),
        lastMarks: marksIn(d.valuation),
      };
    }
    case 'ActionRejected':
      return state;
    case 'ProtectiveOrderPlaced': {
      const d = event.data;
      const order = {
        id: d.protectiveOrderId,
        asset: d.asset,
        kind: d.kind,
        side: d.side,
        triggerPrice: d.triggerPrice,
        decisionRunId: d.decisionRunId,
        placedAt: d.at,
      };
      return { ...state, protective: { ...state.protective, [order.id]: order } };
    }
    case 'ProtectiveOrderCancelled': {
      const protective = { ...state.protective };
      delete protective[event.data.protectiveOrderId];
      return { ...state, protective };
    }
    case 'FundingApplied':
      return {
        ...state,
        cash: state.cash + event.data.totalMicroUsd,
        funding: state.funding + event.data.totalMicroUsd,
        lastFundingHour: event.data.hour,
        maxDrawdown: maxBigint(state.maxDrawdown, event.data.valuation.drawdownMicroUsd),
        lastMarks: marksIn(event.data.valuation),
      };
    case 'AccountMarked':
      return {
        ...state,
        maxDrawdown: maxBigint(state.maxDrawdown, event.data.valuation.drawdownMicroUsd),
        lastMarks: marksIn(event.data.valuation),
      };
    case 'AccountLiquidated':
      return { ...applyCloses(state, event.data.closes, event.data.valuation), status: 'liquidated' };
    case 'AccountFrozen':
      return { ...state, status: 'frozen' };
    case 'AccountUnfrozen':
      return { ...state, status: 'active' };
    case 'AccountClosed':
      return { ...applyCloses(state, event.data.closes, event.data.valuation), status: 'closed' };
    case 'PropAccountFinalized':
      return { ...applyCloses(state, event.data.closes, event.data.valuation), status: 'finalized' };
  }
}

export const propAccountDecider: Decider<PropAccountCommand, PropAccountState, PropAccountEvent> = {
  name: 'prop-account',
  // 3: the state keeps resting protective orders and when each position was opened
  snapshot: { version: 3, every: 20 },
  initialState: () => initialPropAccountState,
  decide,
  evolve,
};

export const PROP_ACCOUNT_CATEGORY = 'prop-account';

export function propAccountStream(accountId: string): string {
  return `${PROP_ACCOUNT_CATEGORY}-${accountId}`;
}
