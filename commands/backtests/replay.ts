/**
 * The replay of one backtest on a simulated clock (issue 14, "Replay"; doc/backtesting.md).
 * The clock steps every `stepMs` from `fromMs` to `toMs`; at each sample T:
 * 1. hourly funding for every hour boundary passed since the last sample (rates and quotes at
 *    that hour), resting protective orders (exit plans) checked against the final 1m candles
 *    since the last sample, then a mark at T (which may trigger them or liquidate) — Prop
 *    Trading's decider, as live;
 * 2. on decision ticks (every `decisionIntervalMs`, never at the window's end), for each asset
 *    in the order asked: the decision runtime — the context compiled as of T, the engine, the
 *    strict reply parser, validation — and for an accepted action the fill on the backtest's
 *    own prop account, priced at the latest price at or before T by the same rules as live;
 * 3. the sample: equity and open notional at the latest prices at or before T, and the
 *    buy-and-hold benchmark.
 * At `toMs` open positions are closed at their marks (`PropAccountFinalized`). A live window
 * re-run (`deps.live`, `live-window.ts`) keeps the same clock and samples, but its account starts
 * as the live account did and its decisions are the live runs, each at its order time (the
 * account kept up to it first), compared with what the live run decided. Lookahead-free:
 * every read takes T. Deterministic: run ids, order ids and artifact keys derive from the
 * backtest id, T and the asset; no clock or randomness is read. Memory: the curve is three typed
 * arrays of one entry per step (bounded by the step cap), open trades, and one part of buffered
 * artifact lines; candles are never held.
 */
import type { ArtifactStore } from '../../adapters/artifacts/store.ts';
import { HOUR_MS } from '../../adapters/market/market-memory.ts';
import { MINUTE_MS } from '../../adapters/market/price-source.ts';
import { PRICE, SIZE } from '../../adapters/market/units.ts';
import type { DecisionEngine } from '../../adapters/models/engine.ts';
import { canonicalJson } from '../../core/canonical-json.ts';
import { absBigint, formatDecimal } from '../../core/money.ts';
import type { AccountSection } from '../ai-trading/ports.ts';
import { orderInputOf } from '../decisions/orders.ts';
import { parseReply } from '../decisions/reply.ts';
import { validateAction } from '../decisions/validate.ts';
import type { Quotes } from '../prop-trading/commands.ts';
import type { PropAccountEvent } from '../prop-trading/events.ts';
import { ppmOf } from '../prop-trading/figures.ts';
import { MAX_CHECKED_CANDLES } from '../prop-trading/handlers.ts';
import { actionHeadroomMicroUsd, gatesHeadroom } from '../prop-trading/headroom.ts';
import type { Rules } from '../prop-trading/rules.ts';
import { PartWriter, partsPrefix, summaryKey } from './artifact-parts.ts';
import { type LiveStep, LiveTally, liveAccountMetrics, liveSchedule, type RerunContext, reRunSeed, rerunDecision } from './live-window.ts';
import type { ClosedTrade, EquityPoint } from './metrics.ts';
import type { LiveWindowSource, ReplayContextSource, ReplayMarket } from './ports.ts';
import { type BacktestReport, type ReportTrade, stepLabel, zBacktestReport } from './report.ts';
import type { RunShape } from './request.ts';
import { benchmarkAt, firstPrices, heldAssets, marksAt, metricsOf, quotesAt } from './sampling.ts';
import { SimAccount } from './sim-account.ts';
import { TradeBook } from './trade-book.ts';

const RECENT_FILLS = 5;

/** What one replay runs: the job's shape and the account it trades on. */
export interface ReplayJob {
  readonly backtestId: string;
  readonly cloneId: string;
  readonly strategyVersionId: string;
  readonly propAccountId: string;
  readonly run: RunShape;
  /** micro-USD; for a live window re-run the live account's opening sets both instead. */
  readonly startingEquityMicroUsd: bigint;
  readonly rules: Rules;
}

export interface ReplayDeps {
  readonly market: ReplayMarket;
  readonly context: ReplayContextSource;
  readonly engine: DecisionEngine;
  readonly artifacts: ArtifactStore;
  /** Told every `progressEvery` steps and at the end (steps done, simulated time ms); the worker renews its lease here. */
  readonly onProgress?: (stepsDone: number, simulatedAt: number) => Promise<void> | void;
  readonly progressEvery?: number;
  /**
   * Set for a live window re-run (`RunShape.liveWindow`): the decisions are the live account's
   * runs (`live-window.ts`) instead of the strategy's ticks, and the account starts as it did.
   */
  readonly live?: LiveWindowSource;
}

/** What a decision of the replay came to. */
export type DecisionStatus = 'held' | 'filled' | 'rejected' | 'refused' | 'no_data';

/** A finished replay: the report data and the counts behind it. */
export interface ReplayResult {
  readonly report: BacktestReport;
  readonly decisions: Readonly<Record<DecisionStatus, number>>;
  /** Events the backtest's account produced (never appended to the log). */
  readonly accountEvents: number;
}

/** The decision run id of `asset` at T (also the order id and the idempotency key on the account). */
const replayRunId = (backtestId: string, at: number, asset: string) => `bt-${backtestId}-${at}-${asset}`;

/** Runs the whole replay; see the module comment. Errors: the context's or engine's `ClashError`, rethrown (the worker fails or retries the job). */
export async function replay(job: ReplayJob, deps: ReplayDeps): Promise<ReplayResult> {
  const { run, backtestId } = job;
  const { market, artifacts } = deps;
  const steps = Math.ceil((run.toMs - run.fromMs) / run.stepMs);
  const ticksPer = run.decisionIntervalMs / run.stepMs;
  const progressEvery = deps.progressEvery ?? 500;
  const curve = { at: new Float64Array(steps + 1), equity: new BigInt64Array(steps + 1), exposure: new BigInt64Array(steps + 1) };
  const bench = new BigInt64Array(steps + 1);
  const closed: ClosedTrade[] = [];
  const trades: ReportTrade[] = [];
  const book = new TradeBook((t) => {
    closed.push(t.metrics);
    trades.push(t.report);
  });
  const recentFills: AccountSection['recentFills'][number][] = [];
  let accountEvents = 0;
  const account = new SimAccount((event: PropAccountEvent) => {
    accountEvents += 1;
    book.observe(event);
    if (event.type === 'OrderFilled') {
      const d = event.data;
      recentFills.push({
        time: new Date(d.at).toISOString(),
        asset: d.asset,
        side: d.side,
        size: formatDecimal(d.size, SIZE),
        price: formatDecimal(d.price, PRICE),
      });
      if (recentFills.length > RECENT_FILLS) recentFills.shift();
    }
  });
  const writers = {
    decisions: new PartWriter(artifacts, partsPrefix(backtestId, 'decisions')),
    packets: new PartWriter(artifacts, partsPrefix(backtestId, 'packets')),
    prompts: new PartWriter(artifacts, partsPrefix(backtestId, 'prompts')),
    replies: new PartWriter(artifacts, partsPrefix(backtestId, 'replies')),
  };
  const counts: Record<DecisionStatus, number> = { held: 0, filled: 0, rejected: 0, refused: 0, no_data: 0 };

  const quotesOf = (assets: Iterable<string>, at: number): Quotes => quotesAt(market, assets, at);
  const held = () => heldAssets(account.state);
  const marksOf = (at: number) => marksAt(account.state, market, at);
  const first = firstPrices(market, run.assets, run.fromMs);
  /** The account's rules: the job's, or for a live window the live account's (its opening). */
  const rules = () => account.state.rules as Rules;

  /** The packet's account section at T: the account valued by Prop Trading's own valuation at the marks of T. */
  const accountView = (at: number): AccountSection => {
    const v = account.valuation(marksOf(at));
    const state = account.state;
    return {
      propAccountId: job.propAccountId,
      status: state.status,
      updatedAt: new Date(account.updatedAt).toISOString(),
      equityMicroUsd: v.equityMicroUsd.toString(),
      drawdownPpm: Number(ppmOf(v.drawdownMicroUsd, state.startingEquity)),
      positions: v.positions.map((p) => ({
        asset: p.asset,
        side: p.size > 0n ? ('long' as const) : ('short' as const),
        size: formatDecimal(absBigint(p.size), SIZE),
        entryPrice: formatDecimal(p.entryPrice, PRICE),
        liquidationPrice: p.liquidationPrice === null ? null : formatDecimal(p.liquidationPrice, PRICE),
        unrealizedPnlMicroUsd: p.unrealizedPnlMicroUsd.toString(),
      })),
      openOrders: Object.keys(state.protective).length,
      recentFills: [...recentFills],
      ledger: {
        startingEquityMicroUsd: state.startingEquity.toString(),
        cashMicroUsd: state.cash.toString(),
        realizedPnlMicroUsd: state.realizedPnl.toString(),
        feesMicroUsd: state.fees.toString(),
        fundingMicroUsd: state.funding.toString(),
        marginUsedMicroUsd: v.marginUsedMicroUsd.toString(),
        trades: state.trades,
      },
      headroomMicroUsd: gatesHeadroom({
        rules: rules(),
        startingEquityMicroUsd: state.startingEquity,
        startOfDayEquityMicroUsd: state.startOfDayEquity,
        equityMicroUsd: v.equityMicroUsd,
        drawdownMicroUsd: v.drawdownMicroUsd,
        marginUsedMicroUsd: v.marginUsedMicroUsd,
        held: v.positions.map((p) => ({ asset: p.asset, notionalMicroUsd: p.notionalMicroUsd })),
      }),
    };
  };

  const decide = async (asset: string, at: number) => {
    const runId = replayRunId(backtestId, at, asset);
    const view = accountView(at);
    const ctx = deps.context.compile(asset, at, view);
    const info = market.asset(asset);
    if (ctx.lastPrice === null || !info) {
      counts.no_data += 1;
      await writers.decisions.add({ at, asset, runId, status: 'no_data' });
      return;
    }
    const position = account.state.positions[asset];
    const positionView = position
      ? { side: position.size > 0n ? ('long' as const) : ('short' as const), entryPrice: formatDecimal(position.entryPrice, PRICE) }
      : null;
    const reply = await deps.engine.decide({
      runId,
      asset,
      packetDigest: ctx.packet.digest,
      system: ctx.system,
      prompt: ctx.prompt,
      modelStrength: ctx.modelStrength,
      lastPrice: ctx.lastPrice,
      indicators: ctx.indicators,
      position: positionView,
      equityMicroUsd: BigInt(view.equityMicroUsd),
    });
    await writers.packets.add(ctx.packet);
    await writers.prompts.add({
      packetDigest: ctx.packet.digest,
      templateVersion: ctx.promptTemplateVersion,
      system: ctx.system,
      prompt: ctx.prompt,
    });
    await writers.replies.add({ packetDigest: ctx.packet.digest, model: reply.model, text: reply.text });
    const parsed = parseReply(reply.text);
    const base = { at, asset, runId, packetDigest: ctx.packet.digest, model: reply.model, parse: parsed.status };
    if (parsed.status === 'refused') {
      counts.refused += 1;
      await writers.decisions.add({ ...base, status: 'refused', stage: 'parse', reason: parsed.reason });
      return;
    }
    const leverage = Math.min(rules().maxLeverage, info.maxLeverage);
    const validation = validateAction(parsed.action, {
      runAsset: asset,
      candidates: run.assets,
      assetEnabled: info.enabled,
      confidenceThreshold: ctx.confidenceThreshold,
      tierMaxLeverage: rules().maxLeverage,
      assetMaxLeverage: info.maxLeverage,
      headroomMicroUsd: actionHeadroomMicroUsd(view.headroomMicroUsd, asset, leverage),
      position: positionView,
    });
    if (validation.status === 'refused') {
      counts.refused += 1;
      await writers.decisions.add({ ...base, status: 'refused', stage: 'validation', refusals: validation.refusals.map((r) => r.code) });
      return;
    }
    const action = validation.action;
    if (action.action === 'hold') {
      counts.held += 1;
      await writers.decisions.add({ ...base, status: 'held', action });
      return;
    }
    const events = account.submitAction(orderInputOf(runId, action), {
      orderId: runId,
      assetInfo: (a) => market.asset(a) ?? null,
      quotes: quotesOf([asset, ...held()], at),
      at,
    });
    const fill = events.find((e) => e.type === 'OrderFilled');
    const rejection = events.find((e) => e.type === 'ActionRejected');
    const status: DecisionStatus = fill ? 'filled' : 'rejected';
    counts[status] += 1;
    await writers.decisions.add({
      ...base,
      status,
      action,
      order:
        rejection?.type === 'ActionRejected'
          ? { code: rejection.data.reasonCode }
          : fill?.type === 'OrderFilled'
            ? { price: fill.data.price.toString(), size: fill.data.size.toString(), feeMicroUsd: fill.data.feeMicroUsd.toString() }
            : null,
    });
  };

  /** A live window re-run's step: re-run, judged against its live run, counted and logged (`live-window.ts`). */
  const liveStep = async (source: LiveWindowSource, tally: LiveTally, step: LiveStep) => {
    const write: RerunContext['write'] = (kind, line) => writers[kind].add(line);
    const outcome = await rerunDecision(step, { source, market, engine: deps.engine, account, rules: rules(), write });
    const same = tally.record(step, outcome);
    const status: DecisionStatus =
      outcome.verdict === 'refused'
        ? 'refused'
        : outcome.order === null
          ? 'held'
          : outcome.order.status === 'executed'
            ? 'filled'
            : 'rejected';
    counts[status] += 1;
    const { runId, asset, packetDigest, outcome: live } = step.run;
    await writers.decisions.add({ at: step.at, asset, runId, packetDigest, status, outcome, live, ...same });
  };

  /** The funding of every hour passed, resting protective orders against the final 1m candles, then a mark: the account from `from` to `at` (ms), as live. */
  const keep = (from: number, at: number) => {
    for (let hour = from - (from % HOUR_MS) + HOUR_MS; hour <= at; hour += HOUR_MS) {
      const assets = held();
      if (assets.length === 0) continue;
      const rates: Record<string, bigint> = {};
      for (const asset of assets) {
        const r = market.fundingAt(asset, hour);
        if (r) rates[asset] = r.rate;
      }
      if (Object.keys(rates).length > 0) account.fund(hour, rates, quotesOf(assets, hour));
    }
    const guarded = [...new Set(Object.values(account.state.protective).map((o) => o.asset))].sort();
    if (guarded.length > 0) {
      const candles = guarded.flatMap((asset) => market.finalCandles(asset, MINUTE_MS, from, at, MAX_CHECKED_CANDLES));
      account.checkProtective(candles, quotesOf(held(), at), at);
    }
    if (held().length > 0) account.mark(quotesOf(held(), at), at);
  };

  const live = deps.live;
  if (live) account.follow(reRunSeed(live.accountEvents, run.fromMs, job.propAccountId), run.fromMs);
  else {
    account.open({
      accountId: job.propAccountId,
      cloneId: job.cloneId,
      strategyVersionId: job.strategyVersionId,
      startingEquityMicroUsd: job.startingEquityMicroUsd,
      rules: job.rules,
      at: run.fromMs,
    });
  }
  const schedule = live ? liveSchedule(live) : [];
  const tally = live && new LiveTally(live.propAccountId, schedule.length);
  let next = 0;
  let previous = run.fromMs;
  for (let i = 0; i <= steps; i += 1) {
    const at = Math.min(run.fromMs + i * run.stepMs, run.toMs);
    // A live window's runs, each at its order time, the account kept up to it first.
    while (live && tally && next < schedule.length && (schedule[next] as LiveStep).at <= at) {
      const step = schedule[next++] as LiveStep;
      if (step.at > previous) keep(previous, step.at);
      previous = Math.max(previous, step.at);
      await liveStep(live, tally, step);
    }
    if (at > previous) keep(previous, at);
    if (!live && i < steps && i % ticksPer === 0 && account.state.status === 'active') {
      for (const asset of run.assets) await decide(asset, at);
    }
    if (i === steps && account.state.status === 'active') account.finalize(quotesOf(held(), at), at);
    const f = account.figures(marksOf(at));
    curve.at[i] = at;
    curve.equity[i] = f.equityMicroUsd;
    curve.exposure[i] = f.exposureMicroUsd;
    bench[i] = benchmarkAt(market, run.assets, first, account.state.startingEquity, at);
    previous = at;
    if (deps.onProgress && ((i > 0 && i % progressEvery === 0) || i === steps)) await deps.onProgress(i, at);
  }
  for (const w of Object.values(writers)) await w.flush();

  const equity: EquityPoint[] = [];
  for (let i = 0; i <= steps; i += 1) {
    equity.push({ at: curve.at[i] as number, equityMicroUsd: curve.equity[i] as bigint, exposureMicroUsd: curve.exposure[i] as bigint });
  }
  const metrics = metricsOf({
    run,
    market,
    equity,
    closed,
    tradedNotionalMicroUsd: book.tradedNotionalMicroUsd,
    state: account.state,
    first,
  });
  const iso = (ms: number) => new Date(ms).toISOString();
  let peak = 0n;
  const report = zBacktestReport.parse({
    backtestId,
    window: { from: iso(run.fromMs), to: iso(run.toMs) },
    step: stepLabel(run.stepMs),
    stepMs: run.stepMs,
    assets: run.assets,
    engine: run.engine,
    metrics,
    equity: equity.map((p) => {
      if (p.equityMicroUsd > peak) peak = p.equityMicroUsd;
      const drawdown = peak > 0n ? Number(peak - p.equityMicroUsd) / Number(peak) : 0;
      return { at: iso(p.at), equityMicroUsd: p.equityMicroUsd.toString(), drawdown };
    }),
    benchmark: Array.from(bench, (v, i) => ({ at: iso(curve.at[i] as number), valueMicroUsd: v.toString() })),
    trades,
    ...(live && tally ? { liveWindow: tally.summary(metrics, liveAccountMetrics(live.accountEvents, run, market)) } : {}),
  });
  await artifacts.put(summaryKey(backtestId), new TextEncoder().encode(canonicalJson(report)));
  return { report, decisions: counts, accountEvents };
}
