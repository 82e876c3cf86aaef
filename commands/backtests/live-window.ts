/**
 * Re-running a live audition or race window with the `recorded` engine (issue 14, "Replay";
 * doc/backtesting.md, "Re-running a live window"). The replay (`replay.ts`) drives the clock;
 * this module holds what differs from a strategy replay:
 * - **the start**: the backtest's own account (purpose `backtest`, id `backtest-<id>`) begins as
 *   the live account was before the window — its opening (starting equity, rules) and every
 *   event before `from`, folded (`reRunSeed`); the live account itself is never written;
 * - **the steps**: each completed live run, at the time its order was sent (`liveSchedule`);
 * - **one step** (`rerunDecision`): the live run's stored packet and prompt (checked against
 *   their sha-256: `artifact_corrupt`; gone with retention: `recording_missing`), the reply of
 *   the `recorded` engine by the packet's digest, `parseReply`, `validateAction` on the packet's
 *   account section with the one headroom function (`actionHeadroomMicroUsd`) and the run's
 *   candidates, then the one order builder (`orderInputOf`) on the backtest's account — the
 *   same code a live run goes through;
 * - **the comparison**: each run's outcome against the live run's (`divergenceOf`), and the
 *   re-run's metrics against the same metric functions over the live account valued from its
 *   own events at the same samples (`liveAccountMetrics`). A divergence is reported, not thrown.
 * Pure but for the port's artifact reads; no clock or randomness.
 */

import { z } from 'zod';
import { PRICE } from '../../adapters/market/units.ts';
import type { DecisionEngine } from '../../adapters/models/engine.ts';
import { canonicalJson } from '../../core/canonical-json.ts';
import { ClashError } from '../../core/errors.ts';
import { formatDecimal } from '../../core/money.ts';
import { orderInputOf } from '../decisions/orders.ts';
import { parseReply, replyRefusalDetail } from '../decisions/reply.ts';
import { validateAction } from '../decisions/validate.ts';
import type { PropAccountEvent } from '../prop-trading/events.ts';
import { actionHeadroomMicroUsd } from '../prop-trading/headroom.ts';
import type { Rules } from '../prop-trading/rules.ts';
import type { LiveWindowVerdict } from './events.ts';
import type { BacktestMetrics, ClosedTrade, EquityPoint } from './metrics.ts';
import type { LiveRun, LiveWindowSource, ReplayMarket, StoredPacket } from './ports.ts';
import { type LiveRerun, MAX_DIVERGENCES, type RunOutcome } from './report.ts';
import type { RunShape } from './request.ts';
import { firstPrices, heldAssets, marksAt, metricsOf, quotesAt } from './sampling.ts';
import { SimAccount } from './sim-account.ts';
import { TradeBook } from './trade-book.ts';

/** When an account event happened (ms): its `at`, or `openedAt` for the opening. */
export const eventTime = (e: PropAccountEvent): number => (e.type === 'PropAccountOpened' ? e.data.openedAt : e.data.at);

/**
 * The events the re-run's account starts from: the live account's opening, as the backtest's
 * own (`accountId`, purpose `backtest`), and every later event before `fromMs`.
 * Errors: `live_account_invalid` (422) when the stream does not start with its opening.
 */
export function reRunSeed(events: readonly PropAccountEvent[], fromMs: number, accountId: string): PropAccountEvent[] {
  const [opened, ...rest] = before(events, fromMs);
  if (opened?.type !== 'PropAccountOpened')
    throw new ClashError('live_account_invalid', 'unprocessable', 'the live account has no opening');
  return [{ type: 'PropAccountOpened', data: { ...opened.data, accountId, purpose: 'backtest' } }, ...rest];
}

/** The opening and every later event before `fromMs`. */
const before = (events: readonly PropAccountEvent[], fromMs: number) => events.filter((e, k) => k === 0 || eventTime(e) < fromMs);

/** One step of a live window: the run and when its order was sent (ms). */
export interface LiveStep {
  readonly run: LiveRun;
  readonly at: number;
}

/**
 * The runs in the order the live account saw them, each at the time of its order — the live
 * fill's or rejection's `at` (the order id the run recorded), else the run's completion (a hold
 * or a refusal sends nothing). Ties keep log order.
 */
export function liveSchedule(source: Pick<LiveWindowSource, 'runs' | 'accountEvents'>): LiveStep[] {
  const orderAt = new Map<string, number>();
  for (const e of source.accountEvents) {
    if ((e.type === 'OrderFilled' && !e.data.trigger) || e.type === 'ActionRejected') orderAt.set(e.data.orderId, e.data.at);
  }
  return source.runs
    .map((run, k) => ({ run, at: (run.orderId === null ? undefined : orderAt.get(run.orderId)) ?? run.completedAt, k }))
    .sort((a, b) => a.at - b.at || a.k - b.k)
    .map(({ run, at }) => ({ run, at }));
}

const sideOf = z.enum(['long', 'short']);
/** The parts of a stored packet a re-run reads, validated (outside data): the branch, the asset and the account section. */
const zStoredPacket = z
  .object({
    promptNodeId: z.string().min(1).max(200),
    symbol: z.string().min(1).max(32),
    account: z
      .object({
        equityMicroUsd: z.string().regex(/^-?\d{1,30}$/),
        positions: z.array(z.object({ asset: z.string().min(1).max(32), side: sideOf, entryPrice: z.string().max(40) }).loose()).max(100),
        headroomMicroUsd: z.record(z.string().max(80), z.string().regex(/^\d{1,30}$/)),
      })
      .loose()
      .nullable(),
  })
  .loose();
const zStoredPrompt = z.object({ system: z.string().max(200_000), prompt: z.string().max(400_000) }).strict();

/** What a live step needs of the replay: the backtest's account, market memory, the engine, the rules, and where its lines go. */
export interface RerunContext {
  readonly source: LiveWindowSource;
  readonly market: ReplayMarket;
  readonly engine: DecisionEngine;
  readonly account: SimAccount;
  readonly rules: Rules;
  /** Appends one line to the run's artifacts of `kind`. */
  readonly write: (kind: 'packets' | 'prompts' | 'replies', line: unknown) => Promise<void>;
}

/** A stored payload's text, or `recording_missing` (404) when retention removed it; `artifact_corrupt` passes through. */
async function stored(source: LiveWindowSource, run: LiveRun, which: 'packet' | 'prompt'): Promise<unknown> {
  const text = await source.text(run[which]);
  if (text === null) {
    throw new ClashError('recording_missing', 'not_found', `the ${which} of live run ${run.runId} is no longer stored`, {
      runId: run.runId,
      key: run[which].key,
    });
  }
  return JSON.parse(text);
}

/**
 * Re-runs one live run at `at` (its order time) on the backtest's account; see the module
 * comment. Returns its outcome. Errors: `recording_missing` (404: packet, prompt or reply gone),
 * `artifact_corrupt` (a payload does not match its sha-256), `packet_invalid` (422: the stored
 * packet lacks what validation reads).
 */
export async function rerunDecision(step: LiveStep, ctx: RerunContext): Promise<RunOutcome> {
  const { run, at } = step;
  const { source, market, account, rules } = ctx;
  const raw = await stored(source, run, 'packet');
  const packet = zStoredPacket.safeParse(raw);
  if (!packet.success) throw new ClashError('packet_invalid', 'unprocessable', `the packet of live run ${run.runId} cannot be read`);
  const prompt = zStoredPrompt.parse(await stored(source, run, 'prompt'));
  const section = packet.data.account;
  const held = section?.positions.find((p) => p.asset === run.asset) ?? null;
  const quote = market.priceAt(run.asset, run.dueAt);
  const reply = await ctx.engine.decide({
    runId: run.runId,
    asset: run.asset,
    packetDigest: run.packetDigest,
    system: prompt.system,
    prompt: prompt.prompt,
    modelStrength: source.modelStrength,
    // the recorded engine answers by the packet digest alone; these are what the run saw where known
    lastPrice: quote ? formatDecimal(quote.price, PRICE) : '0',
    indicators: null,
    position: held && { side: held.side, entryPrice: held.entryPrice },
    equityMicroUsd: BigInt(section?.equityMicroUsd ?? '0'),
  });
  await ctx.write('packets', raw);
  await ctx.write('prompts', { packetDigest: run.packetDigest, ...prompt });
  await ctx.write('replies', { packetDigest: run.packetDigest, model: reply.model, text: reply.text });
  const parsed = parseReply(reply.text);
  if (parsed.status === 'refused') {
    const refusals = [{ code: 'reply_refused', detail: replyRefusalDetail(parsed) }];
    return { parse: 'refused', verdict: 'refused', stage: 'parse', refusals, action: null, order: null };
  }
  const info = market.asset(run.asset);
  const assetMaxLeverage = info?.maxLeverage ?? 1;
  const facts = ctx.source.facts(run, packet.data as StoredPacket);
  const validation = validateAction(parsed.action, {
    runAsset: run.asset,
    candidates: facts.candidates,
    assetEnabled: facts.assetEnabled,
    confidenceThreshold: facts.confidenceThreshold,
    tierMaxLeverage: rules.maxLeverage,
    assetMaxLeverage,
    headroomMicroUsd: section
      ? actionHeadroomMicroUsd(section.headroomMicroUsd, run.asset, Math.min(rules.maxLeverage, assetMaxLeverage))
      : 0n,
    position: held && { side: held.side },
  });
  const base = { parse: parsed.status, stage: null, refusals: [] };
  if (validation.status === 'refused') {
    return { ...base, verdict: 'refused', stage: 'validation', refusals: [...validation.refusals], action: null, order: null };
  }
  const action = validation.action;
  if (action.action === 'hold') return { ...base, verdict: 'accepted', action, order: null };
  const events = account.submitAction(orderInputOf(run.runId, action), {
    orderId: run.runId,
    assetInfo: (asset) => market.asset(asset) ?? null,
    quotes: quotesAt(market, [run.asset, ...heldAssets(account.state)], at),
    at,
  });
  const rejection = events.find((e) => e.type === 'ActionRejected');
  const order =
    rejection?.type === 'ActionRejected'
      ? { status: 'refused' as const, code: rejection.data.reasonCode }
      : { status: 'executed' as const, code: null };
  return { ...base, verdict: 'accepted', action, order };
}

/** The decision part of an outcome (parse, verdict, refusals with their figures, action): what "decisions reproduced" compares. */
const decisionOf = (o: RunOutcome) =>
  canonicalJson({ parse: o.parse, verdict: o.verdict, stage: o.stage, refusals: o.refusals, action: o.action });

/** How a re-run step compares with its live run: whether the decision and the order are the same. */
export function compareOutcomes(live: RunOutcome, rerun: RunOutcome): { decision: boolean; order: boolean } {
  return { decision: decisionOf(live) === decisionOf(rerun), order: canonicalJson(live.order) === canonicalJson(rerun.order) };
}

/**
 * The tally of a live window re-run: per step whether the decision and the order are the live
 * run's, the divergent runs with both outcomes (at most `MAX_DIVERGENCES`, the rest counted),
 * and the summary the report carries (`zLiveRerun`).
 */
export class LiveTally {
  private decisions = 0;
  private orders = 0;
  private omitted = 0;
  private readonly divergences: LiveRerun['divergences'][number][] = [];

  constructor(
    private readonly propAccountId: string,
    private readonly runs: number,
  ) {}

  /** Judges `rerun` against the step's live run; returns what was reproduced. */
  record(step: LiveStep, rerun: RunOutcome): { decision: boolean; order: boolean } {
    const same = compareOutcomes(step.run.outcome, rerun);
    this.decisions += same.decision ? 1 : 0;
    this.orders += same.order ? 1 : 0;
    if (same.decision && same.order) return same;
    if (this.divergences.length >= MAX_DIVERGENCES) this.omitted += 1;
    else {
      const { runId, asset, outcome: live } = step.run;
      const at = new Date(step.at).toISOString();
      this.divergences.push({ runId, asset, at, decisionReproduced: same.decision, orderReproduced: same.order, live, rerun });
    }
    return same;
  }

  /** The report's section: the counts, the divergences, and whether the re-run's metrics equal the live account's byte for byte. */
  summary(metrics: BacktestMetrics, liveMetrics: BacktestMetrics): LiveRerun {
    return {
      propAccountId: this.propAccountId,
      runs: this.runs,
      decisionsReproduced: this.decisions,
      ordersReproduced: this.orders,
      divergences: this.divergences,
      divergencesOmitted: this.omitted,
      liveMetrics,
      metricsReproduced: canonicalJson(liveMetrics) === canonicalJson(metrics),
    };
  }
}

/** What `BacktestFinished` records of a re-run (`zLiveWindowVerdict`): its counts, every divergence (listed or omitted) counted. */
export function liveWindowVerdict(rerun: LiveRerun): LiveWindowVerdict {
  return {
    runs: rerun.runs,
    decisionsReproduced: rerun.decisionsReproduced,
    ordersReproduced: rerun.ordersReproduced,
    divergences: rerun.divergences.length + rerun.divergencesOmitted,
    metricsReproduced: rerun.metricsReproduced,
  };
}

/**
 * The live account valued from its own events at the re-run's samples, and the metrics of that
 * curve by the same functions (`sampling.ts`): it starts from the same seed, follows every event
 * recorded at or before each sample T, is valued at market memory's marks of T, and is closed
 * at its marks at `toMs` as the re-run's account is (`FinalizeAccount`, no fee). Pure.
 */
export function liveAccountMetrics(
  events: readonly PropAccountEvent[],
  run: Pick<RunShape, 'fromMs' | 'toMs' | 'stepMs' | 'assets'>,
  market: ReplayMarket,
): BacktestMetrics {
  const closed: ClosedTrade[] = [];
  const book = new TradeBook((t) => closed.push(t.metrics));
  const live = new SimAccount((e) => book.observe(e));
  live.follow(before(events, run.fromMs), run.fromMs);
  const later = events.slice(1).filter((e) => eventTime(e) >= run.fromMs);
  const steps = Math.ceil((run.toMs - run.fromMs) / run.stepMs);
  const equity: EquityPoint[] = [];
  let next = 0;
  for (let i = 0; i <= steps; i += 1) {
    const at = Math.min(run.fromMs + i * run.stepMs, run.toMs);
    const due: PropAccountEvent[] = [];
    while (next < later.length && eventTime(later[next] as PropAccountEvent) <= at) due.push(later[next++] as PropAccountEvent);
    live.follow(due, at);
    if (i === steps && live.state.status === 'active') live.finalize(quotesAt(market, heldAssets(live.state), at), at);
    const f = live.figures(marksAt(live.state, market, at));
    equity.push({ at, equityMicroUsd: f.equityMicroUsd, exposureMicroUsd: f.exposureMicroUsd });
  }
  return metricsOf({
    run,
    market,
    equity,
    closed,
    tradedNotionalMicroUsd: book.tradedNotionalMicroUsd,
    state: live.state,
    first: firstPrices(market, run.assets, run.fromMs),
  });
}
