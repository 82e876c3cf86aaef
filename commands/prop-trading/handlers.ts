/**
 * The prop trading command path: validate the input, add what the pure decider may not fetch
 * itself (the time, new ids, the asset's registry entry, quotes and funding rates from market
 * memory), then load–decide–append through the CommandHandler, inline projections included.
 */
import type { z } from 'zod';
import {
  type AssetRegistry,
  type CandleSource,
  type FundingSource,
  MINUTE_MS,
  type PriceSource,
} from '../../adapters/market/price-source.ts';
import type { Clock, IdSource } from '../../core/clock.ts';
import { CommandHandler, type HandleResult } from '../../core/decider.ts';
import { ValidationError } from '../../core/errors.ts';
import { issuesOf } from '../../core/event-registry.ts';
import type { EventMetadata, EventStore } from '../../core/event-store.ts';
import { actionCommand } from './action-command.ts';
import type { PropAccountCommand, Quotes } from './commands.ts';
import { propAccountDecider, propAccountStream } from './decider.ts';
import type { PropAccountEvent } from './events.ts';
import { type ActionInput, type OpenAccountInput, zFundingInput, zOpenAccountInput, zReasonInput } from './inputs.ts';
import { DEFAULT_RULES, DEFAULT_STARTING_EQUITY, type Rules } from './rules.ts';
import type { PropAccountState } from './state.ts';

export type MarketFacts = PriceSource & AssetRegistry & FundingSource;

export interface PropTradingDeps {
  readonly store: EventStore;
  readonly clock: Clock;
  readonly ids: IdSource;
  readonly market: MarketFacts;
  /** Final 1m candles for `checkProtectiveOrders` (market memory); without it only marks trigger protective orders. */
  readonly candles?: CandleSource;
}

/** The most 1m candles one check reads per asset (a day of minutes). */
export const MAX_CHECKED_CANDLES = 1440;

export type PropResult = HandleResult<PropAccountState, PropAccountEvent>;

function parse<S extends z.ZodType>(schema: S, input: unknown, source: string): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw new ValidationError(source, issuesOf(result.error));
  return result.data;
}

/** The given rule overrides without their absent keys. */
function definedOnly(overrides: { [K in keyof Rules]?: Rules[K] | undefined }): Partial<Rules> {
  return Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) as Partial<Rules>;
}

export class PropTrading {
  readonly accounts: CommandHandler<PropAccountCommand, PropAccountState, PropAccountEvent>;

  constructor(private readonly deps: PropTradingDeps) {
    this.accounts = new CommandHandler(deps.store, propAccountDecider);
  }

  state(accountId: string): PropAccountState {
    return this.accounts.load(propAccountStream(accountId)).state;
  }

  /**
   * Handles one command on the account's stream. `prepare` adds what comes from market memory
   * for the state being decided on, inside the handler's retry loop: when another process
   * opened a position between a load and the append, the retry quotes that asset too (no
   * spurious `no_price`, doc/prop-trading.md).
   */
  private run(
    accountId: string,
    command: PropAccountCommand,
    metadata: EventMetadata,
    options: { idempotency?: { key: string; payload: unknown }; prepare?: (state: PropAccountState) => Partial<PropAccountCommand> } = {},
  ): PropResult {
    const { idempotency, prepare } = options;
    return this.accounts.handle({
      streamId: propAccountStream(accountId),
      command,
      metadata,
      ...(prepare
        ? { prepare: (c: PropAccountCommand, state: PropAccountState) => ({ ...c, ...prepare(state) }) as PropAccountCommand }
        : {}),
      ...(idempotency ? { idempotencyKey: idempotency.key, idempotencyPayload: idempotency.payload } : {}),
    });
  }

  /** Quotes at `at` for the given assets and every asset the state holds (those with a price). */
  private quotes(state: PropAccountState, at: number, assets: readonly string[] = []): Quotes {
    const quotes: Record<string, { price: bigint; time: number }> = {};
    for (const asset of new Set([...assets, ...Object.keys(state.positions)])) {
      const q = this.deps.market.priceAt(asset, at);
      if (q) quotes[asset] = { price: q.price, time: q.time };
    }
    return quotes;
  }

  /** `prepare` for commands that value the account: quotes for what the decided-on state holds. */
  private quoted(at: number, assets: readonly string[] = []) {
    return { prepare: (state: PropAccountState) => ({ quotes: this.quotes(state, at, assets) }) };
  }

  /**
   * Opens an account. With a client-chosen `accountId` the open is idempotent on it: the same
   * request again returns the first result (not 409 `account_exists`); another request for that
   * id is 422 `idempotency_conflict`. Without one, each call opens a new account.
   */
  open(input: OpenAccountInput, actor: string): PropResult {
    const i = parse(zOpenAccountInput, input, 'open account');
    const accountId = i.accountId ?? this.deps.ids.next();
    const idempotency = i.accountId === undefined ? {} : { idempotency: { key: `prop-open:${accountId}`, payload: i } };
    return this.run(
      accountId,
      {
        type: 'OpenPropAccount',
        accountId,
        cloneId: i.cloneId,
        strategyVersionId: i.strategyVersionId,
        purpose: i.purpose,
        startingEquityMicroUsd: i.startingEquityUsd ?? DEFAULT_STARTING_EQUITY,
        rules: { ...DEFAULT_RULES, ...definedOnly(i.rules ?? {}) },
        at: this.deps.clock.now(),
      },
      { actor },
      idempotency,
    );
  }

  /**
   * One decision run proposes one action: submitting the same run's action again (a retry after
   * a timeout, say) returns the first result and fills nothing twice; the same run with another
   * action is an IdempotencyConflict.
   */
  submitAction(accountId: string, input: ActionInput, actor: string): PropResult {
    const at = this.deps.clock.now();
    const { input: a, command } = actionCommand(input, {
      orderId: this.deps.ids.next(),
      assetInfo: (asset) => this.deps.market.asset(asset) ?? null,
      quotes: {},
      at,
    });
    return this.run(
      accountId,
      command,
      { actor, correlationId: a.decisionRunId },
      { idempotency: { key: `prop-action:${accountId}:${a.decisionRunId}`, payload: a }, ...this.quoted(at, [a.asset]) },
    );
  }

  /**
   * Marks the account at the latest prices. With an `idempotencyKey` (the client's
   * `Idempotency-Key`), the same key on this account again returns the first result and marks
   * nothing twice, like a decision run id on an action.
   */
  markToMarket(accountId: string, actor: string, idempotencyKey?: string): PropResult {
    const at = this.deps.clock.now();
    const idempotency =
      idempotencyKey === undefined ? {} : { idempotency: { key: `prop-mark:${accountId}:${idempotencyKey}`, payload: {} } };
    return this.run(accountId, { type: 'MarkToMarket', quotes: {}, at }, { actor }, { ...this.quoted(at), ...idempotency });
  }

  /**
   * Checks the account's protective orders against the final 1m candles of the assets they
   * protect, opened at or after `from` and closed by now (ms), then values it at the latest
   * prices. Re-checking a minute fills nothing twice: a filled order is gone, and a candle that
   * reached nothing reaches nothing again. Nothing is read (or appended) without resting orders.
   */
  checkProtectiveOrders(accountId: string, input: { from: number }, actor: string): PropResult {
    const source = this.deps.candles;
    if (!source) throw new Error('checkProtectiveOrders needs a candle source (PropTradingDeps.candles)');
    const at = this.deps.clock.now();
    const candlesFor = (state: PropAccountState) =>
      [...new Set(Object.values(state.protective).map((o) => o.asset))]
        .sort()
        .flatMap((asset) => source.finalCandles(asset, MINUTE_MS, input.from, at, MAX_CHECKED_CANDLES));
    return this.run(
      accountId,
      { type: 'CheckProtectiveOrders', candles: [], quotes: {}, at },
      { actor },
      { prepare: (state) => ({ candles: candlesFor(state), quotes: this.quotes(state, at) }) },
    );
  }

  /** Applies the funding of one hour to every held asset that has a rate for it. */
  applyFunding(accountId: string, input: { hour: number }, actor: string): PropResult {
    const { hour } = parse(zFundingInput, input, 'funding');
    const ratesFor = (state: PropAccountState) => {
      const rates: Record<string, bigint> = {};
      for (const asset of Object.keys(state.positions)) {
        const r = this.deps.market.fundingAt(asset, hour);
        if (r) rates[asset] = r.rate;
      }
      return rates;
    };
    return this.run(
      accountId,
      { type: 'ApplyFunding', hour, rates: {}, quotes: {}, at: this.deps.clock.now() },
      { actor },
      { prepare: (state) => ({ rates: ratesFor(state), quotes: this.quotes(state, hour) }) },
    );
  }

  freeze(accountId: string, input: { reason: string }, actor: string): PropResult {
    const { reason } = parse(zReasonInput, input, 'freeze');
    return this.run(accountId, { type: 'FreezeAccount', reason, at: this.deps.clock.now() }, { actor });
  }

  unfreeze(accountId: string, input: { reason: string }, actor: string): PropResult {
    const { reason } = parse(zReasonInput, input, 'unfreeze');
    return this.run(accountId, { type: 'UnfreezeAccount', reason, at: this.deps.clock.now() }, { actor });
  }

  close(accountId: string, input: { reason: string }, actor: string): PropResult {
    const { reason } = parse(zReasonInput, input, 'close');
    const at = this.deps.clock.now();
    return this.run(accountId, { type: 'CloseAccount', reason, quotes: {}, at }, { actor }, this.quoted(at));
  }

  finalize(accountId: string, actor: string): PropResult {
    const at = this.deps.clock.now();
    return this.run(accountId, { type: 'FinalizeAccount', quotes: {}, at }, { actor }, this.quoted(at));
  }
}
