/**
 * Running one decision run (issue 13; seed `002_…` "Runtime Pipeline" steps 6–11): schedule the
 * due unit, compile its context, store the packet and prompt, call the engine, store and parse
 * the reply, validate the action, send it to Prop Trading, and record each step as an event of
 * `decisions-<propAccountId>`. An engine or context error ends the run as `DecisionRunFailed`
 * (with the error's code) and is rethrown, so the worker can retry the unit; a refused reply or
 * action is a completed run, not an error. Latency is the engine call's, in ms by the clock.
 */

import type { DecisionEngine } from '../../adapters/models/engine.ts';
import { canonicalJson } from '../../core/canonical-json.ts';
import type { Clock } from '../../core/clock.ts';
import { CommandHandler } from '../../core/decider.ts';
import { ClashError } from '../../core/errors.ts';
import type { EventStore } from '../../core/event-store.ts';
import { type DecisionCommand, type DecisionState, decisionDecider } from './decider.ts';
import type { SkipReason } from './events.ts';
import type { ArtifactSink, DecisionContextSource, DueUnit, OrderOutcome, OrderPort } from './ports.ts';
import { parseReply } from './reply.ts';
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
   * Runs `unit` to its end. With `retry`, the unit may be the asset's last one again when it has
   * not completed (failed, or abandoned by a dead worker: `decider.ts`). Errors: `run_not_due`/
   * `run_exists` (409) before anything runs; the engine's or context's `ClashError` after
   * recording the failure.
   */
  async run(unit: DueUnit, options: { readonly retry?: boolean } = {}): Promise<RunOutcome> {
    const { runId, propAccountId, cloneId, asset, dueAt } = unit;
    const retry = options.retry === true;
    this.decide(propAccountId, { type: 'ScheduleRun', runId, propAccountId, cloneId, asset, dueAt, retry, at: this.now() });
    try {
      return await this.steps(unit);
    } catch (error) {
      const code = error instanceof ClashError ? error.code : 'run_error';
      this.decide(propAccountId, {
        type: 'FailRun',
        runId,
        code,
        message: String((error as Error).message ?? error).slice(0, 500),
        at: this.now(),
      });
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

  private async steps(unit: DueUnit): Promise<RunOutcome> {
    const { runId, propAccountId, asset } = unit;
    const { engine, artifacts } = this.deps;
    const ctx = await this.deps.context.compile(unit);
    const packet = await artifacts.put('packets', utf8(canonicalJson(ctx.packet)));
    const prompt = await artifacts.put('prompts', utf8(canonicalJson({ system: ctx.system, prompt: ctx.prompt })));
    const model = engine.name === 'anthropic' ? `tier:${ctx.modelStrength}` : engine.name;
    this.decide(propAccountId, {
      type: 'StartRun',
      runId,
      engine: engine.name,
      model,
      packetDigest: packet.sha256,
      promptTemplateVersion: ctx.promptTemplateVersion,
      packet,
      prompt,
      at: this.now(),
    });
    const started = this.now();
    const reply = await engine.decide({
      runId,
      asset,
      packetDigest: packet.sha256,
      system: ctx.system,
      prompt: ctx.prompt,
      modelStrength: ctx.modelStrength,
      lastPrice: ctx.lastPrice,
      indicators: ctx.indicators,
      position: ctx.position,
      equityMicroUsd: ctx.equityMicroUsd,
    });
    const latencyMs = Math.max(0, this.now() - started);
    const replyRef = await artifacts.put('replies', utf8(reply.text));
    const parsed = parseReply(reply.text);
    this.decide(propAccountId, {
      type: 'RecordReply',
      runId,
      model: reply.model,
      reply: replyRef,
      inputTokens: reply.usage.inputTokens,
      outputTokens: reply.usage.outputTokens,
      costMicroUsd: reply.costMicroUsd,
      latencyMs,
      attempts: reply.attempts,
      parse:
        parsed.status === 'refused'
          ? { status: 'refused', reason: parsed.reason, issues: [...parsed.issues] }
          : { status: parsed.status, reason: null, issues: [] },
      at: this.now(),
    });
    if (parsed.status === 'refused') {
      const issue = parsed.issues[0];
      const detail = `${parsed.reason}${issue ? `: ${[issue.path, issue.message].filter(Boolean).join(' ')}` : ''}`.slice(0, 300);
      return this.refuse(propAccountId, runId, 'parse', [{ code: 'reply_refused', detail }]);
    }
    const validation = validateAction(parsed.action, { runAsset: asset, ...ctx });
    if (validation.status === 'refused') return this.refuse(propAccountId, runId, 'validation', [...validation.refusals]);
    const action = validation.action;
    this.decide(propAccountId, { type: 'AcceptAction', runId, action, at: this.now() });
    if (action.action === 'hold') {
      this.decide(propAccountId, { type: 'CompleteRun', runId, order: null, at: this.now() });
      return { status: 'held' };
    }
    const order = await this.deps.orders.submit(propAccountId, runId, action);
    this.decide(propAccountId, { type: 'CompleteRun', runId, order, at: this.now() });
    return { status: 'ordered', order };
  }

  private refuse(
    propAccountId: string,
    runId: string,
    stage: 'parse' | 'validation',
    refusals: Extract<DecisionCommand, { type: 'RefuseAction' }>['refusals'],
  ): RunOutcome {
    this.decide(propAccountId, { type: 'RefuseAction', runId, stage, refusals, at: this.now() });
    this.decide(propAccountId, { type: 'CompleteRun', runId, order: null, at: this.now() });
    return { status: 'refused', stage };
  }

  private now(): number {
    return this.deps.clock.now();
  }

  /** Decides one command on the account's decisions stream; returns the state after it. */
  private decide(propAccountId: string, command: DecisionCommand): DecisionState {
    return this.handler.handle({ streamId: decisionStream(propAccountId), command, metadata: { actor: 'decision-runtime' } }).state;
  }
}
