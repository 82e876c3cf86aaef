/**
 * The interface every decision engine implements (issue 13 "Engines"): `anthropic` and
 * `recorded` here, `none` and `rules` (pure, built in) in `commands/decisions/engines/`. An engine
 * answers a raw text reply; the runtime parses it with `parseReply` whatever the engine, so the
 * built-in engines go through the same contract as a model.
 */
/** Engines by configuration name (`DECISION_MODEL_PROVIDER`). */
export const engineNames = ['none', 'rules', 'anthropic', 'recorded'] as const;
export type EngineName = (typeof engineNames)[number];

/** The latest indicator row of the asset in market memory (floats: context, not money). */
export interface IndicatorSnapshot {
  readonly ema20: number | null;
  readonly rsi14: number | null;
  readonly macd: number | null;
  readonly macdSignal: number | null;
  readonly macdHistogram: number | null;
}

/** The account's open position on the run's asset; `entryPrice` a decimal USD string. */
export interface PositionView {
  readonly side: 'long' | 'short';
  readonly entryPrice: string;
}

/** What one decision run asks an engine. */
export interface DecisionRequest {
  readonly runId: string;
  readonly asset: string;
  /** sha-256 hex of the canonical packet; the key of `recorded` replies. */
  readonly packetDigest: string;
  /** The rendered prompt (system and user parts) of the decision-context compiler. */
  readonly system: string;
  readonly prompt: string;
  /** The clone's model strength after the entitlement check of this run (`basic`, `standard`, `advanced`: `commands/entitlements/tiers.ts`). */
  readonly modelStrength: string;
  /** Last 1m close of the asset, decimal USD string. */
  readonly lastPrice: string;
  readonly indicators: IndicatorSnapshot | null;
  readonly position: PositionView | null;
  /** The account's equity in micro-USD. */
  readonly equityMicroUsd: bigint;
}

/** Token usage of one call (zero for built-in engines). */
export interface TokenUsage {
  readonly inputTokens: number;
  readonly outputTokens: number;
}

/** An engine's answer: the raw reply text and who produced it. */
export interface EngineReply {
  readonly text: string;
  /** The model id (a configured model) or the engine name for built-in engines. */
  readonly model: string;
  readonly usage: TokenUsage;
  /** What the call cost, micro-USD (0 for built-in and recorded engines). */
  readonly costMicroUsd: bigint;
  /** Calls made including retries (1 without retries, 0 for built-in engines). */
  readonly attempts: number;
}

/** A decision engine. Errors: an engine throws `ClashError` (`engine_unavailable`, `engine_refused`, `reply_missing`) when it has no reply. */
export interface DecisionEngine {
  readonly name: EngineName;
  decide(request: DecisionRequest): Promise<EngineReply>;
}
