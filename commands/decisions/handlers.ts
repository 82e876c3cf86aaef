/**
 * Running one decision run (issue 13; seed `002_…` "Runtime Pipeline" steps 6–11): schedule the
 * due unit, compile its context, store the packet and prompt, call the engine, store and parse
 * the reply, validate the action, send it to Prop Trading, and record each step as an event of
 * `decisions-<propAccountId>`, all in one append when the run ends — for an order, in the same
 * SQLite transaction as Prop Trading's fill. While the engine runs nothing is in the log (the
 * worker's lease is the in-flight record); a crash mid-run leaves the unit unscheduled, so it is
 * retried rather than stuck open. An engine, context or order error ends the run as
 * `DecisionRunFailed` (with the unit, and the start when the context was stored) and is
 * rethrown, so the worker can retry the unit; a refused reply or action is a completed run, not
 * an error. Latency is the engine call's, in ms by the clock.
 */

import type { DecisionEngine } from '../../adapters/models/engine.ts';
import { canonicalJson } from '../../core/canonical-json.ts';
import type { Clock } from '../../core/clock.ts';
import { CommandHandler } from '../../core/decider.ts';
import { ClashError } from '../../core/errors.ts';
import type { EventStore } from '../../core/event-store.ts';
import {
  checkDue,
  type DecisionCommand,
  type DecisionState,
  decisionDecider,
  type Reply,
  type RunUnit,
  type Start,
  type Verdict,
} from './decider.ts';
import type { SkipReason } from './events.ts';
import type { ArtifactSink, DecisionContextSource, DueUnit, OrderOutcome, OrderPort, RunContext } from './ports.ts';
import { parseReply, replyRefusalDetail } from './reply.ts';
import { validateAction } from './validate.ts';

export const DECISIONS_CATEGORY = 'decisions';
export const decisionStream = (propAccountId: string) => `${DECISIONS_CATEGORY}-${propAccountId}`;

/** How a run ended. */
export type RunOutcome =
  | { readonly status: 'held' }
  | { readonly status: 'refused'; readonly stage: 'parse' | 'validation' }
  | { readonly status: 'ordered'; readonly order: OrderOutcome };

export interface DecisionRunDeps {
  readonly store: EventStore;
  readonly clock: Clock;
  readonly engine: DecisionEngine;
  readonly context: DecisionContextSource;
  readonly artifacts: ArtifactSink;
  readonly orders: OrderPort;
}

const utf8 = (text: string) => new TextEncoder().encode(text);

export class DecisionRuns {
  private readonly handler;

  constructor(private readonly deps: DecisionRunDeps) {
    this.handler = new CommandHandler(deps.store, decisionDecider);
  }

  /**
   * Runs `unit` to its end. With `retry`, the unit may be the asset's last one again when it
   * failed (`decider.ts`). Errors: `run_not_due`/`run_exists` (409) before anything runs; the
   * engine's, context's or order's error after recording the failure (`DecisionRunFailed`).
   */
  async run(unit: DueUnit, options: { readonly retry?: boolean } = {}): Promise<RunOutcome> {
    const { runId, propAccountId, cloneId, asset, dueAt } = unit;
    const retry = options.retry === true;
    const scheduled: RunUnit = { runId, propAccountId, cloneId, asset, dueAt, scheduledAt: this.now() };
    checkDue(this.state(propAccountId), scheduled, retry);
    let start: Start | undefined;
    try {
      const ctx = await this.deps.context.compile(unit);
      start = await this.start(ctx);
      return await this.decideAndRecord(scheduled, retry, start, ctx);
    } catch (error) {
      const code = error instanceof ClashError ? error.code : 'run_error';
      const message = String((error as Error).message ?? error).slice(0, 500);
      const failure = { type: 'FailRun' as const, runId, code, message, unit: scheduled, retry, at: this.now() };
      this.decide(propAccountId, { ...failure, ...(start ? { start } : {}) });
      throw error;
    }
  }

  /** Records `unit` as not run, with its reason (`guards.ts`). Errors: `run_not_due` (409) when its due time is used up. */
  skip(unit: DueUnit, skip: { readonly reason: SkipReason; readonly detail: string }): void {
    const { runId, propAccountId, cloneId, asset, dueAt } = unit;
    this.decide(propAccountId, { type: 'SkipRun', runId, propAccountId, cloneId, asset, dueAt, ...skip, at: this.now() });
  }

  /** The account's decisions state: its stream folded (cached; events appended since are read on each call). */
  state(propAccountId: string): DecisionState {
    return this.handler.load(decisionStream(propAccountId)).state;
  }

  /** Stores the packet and the prompt: what `DecisionRunStarted` records. */
  private async start(ctx: RunContext): Promise<Start> {
    const { artifacts, engine } = this.deps;
    const packet = await artifacts.put('packets', utf8(canonicalJson(ctx.packet)));
    const prompt = await artifacts.put('prompts', utf8(canonicalJson({ system: ctx.system, prompt: ctx.prompt })));
    return {
      engine: engine.name,
      model: engine.name === 'anthropic' ? `tier:${ctx.modelStrength}` : engine.name,
      packetDigest: packet.sha256,
      promptTemplateVersion: ctx.promptTemplateVersion,
      packet,
      prompt,
      startedAt: this.now(),
    };
  }

  /** Calls the engine, stores and parses the reply, validates, and records the run (with its order) in one transaction. */
  private async decideAndRecord(unit: RunUnit, retry: boolean, start: Start, ctx: RunContext): Promise<RunOutcome> {
    const { runId, propAccountId, asset } = unit;
    const { engine, artifacts } = this.deps;
    const reply = await engine.decide({
      runId,
      asset,
      packetDigest: start.packetDigest,
      system: ctx.system,
      prompt: ctx.prompt,
      modelStrength: ctx.modelStrength,
      lastPrice: ctx.lastPrice,
      indicators: ctx.indicators,
      position: ctx.position,
      equityMicroUsd: ctx.equityMicroUsd,
    });
    const recordedAt = this.now();
    const replyRef = await artifacts.put('replies', utf8(reply.text));
    const parsed = parseReply(reply.text);
    const recorded: Reply = {
      model: reply.model,
      reply: replyRef,
      inputTokens: reply.usage.inputTokens,
      outputTokens: reply.usage.outputTokens,
      costMicroUsd: reply.costMicroUsd,
      latencyMs: Math.max(0, recordedAt - start.startedAt),
      attempts: reply.attempts,
      parse:
        parsed.status === 'refused'
          ? { status: 'refused', reason: parsed.reason, issues: [...parsed.issues] }
          : { status: parsed.status, reason: null, issues: [] },
      recordedAt,
    };
    const record = (verdict: Verdict, order: OrderOutcome | null) =>
      this.decide(propAccountId, { type: 'RecordRun', unit, retry, start, reply: recorded, verdict, order, at: this.now() });
    if (parsed.status === 'refused') {
      record({ status: 'refused', stage: 'parse', refusals: [{ code: 'reply_refused', detail: replyRefusalDetail(parsed) }] }, null);
      return { status: 'refused', stage: 'parse' };
    }
    const validation = validateAction(parsed.action, { runAsset: asset, ...ctx });
    if (validation.status === 'refused') {
      record({ status: 'refused', stage: 'validation', refusals: [...validation.refusals] }, null);
      return { status: 'refused', stage: 'validation' };
    }
    const action = validation.action;
    if (action.action === 'hold') {
      record({ status: 'accepted', action }, null);
      return { status: 'held' };
    }
    // The order and the run commit together: no fill without its run, nor a run claiming a fill that is not there.
    // All or nothing (no error is caught inside, so the appends need no savepoints of their own); the store notes a rollback itself.
    const order = this.deps.store.transaction(
      () => {
        const sent = this.deps.orders.submit(propAccountId, runId, action);
        record({ status: 'accepted', action }, sent);
        return sent;
      },
      { allOrNothing: true },
    );
    return { status: 'ordered', order };
  }

  private now(): number {
    return this.deps.clock.now();
  }

  /** Decides one command on the account's decisions stream; returns the state after it. */
  private decide(propAccountId: string, command: DecisionCommand): DecisionState {
    return this.handler.handle({ streamId: decisionStream(propAccountId), command, metadata: { actor: 'decision-runtime' } }).state;
  }
}
