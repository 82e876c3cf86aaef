/**
 * What a decision run needs from outside this module, as narrow ports the server wires:
 * the decision context (packet, prompt, candidates and figures — the decision-context
 * compiler of issue 12 behind it), the artifact store, and Prop Trading for the order.
 */

import type { IndicatorSnapshot, PositionView } from '../../adapters/models/engine.ts';
import type { TradingAction } from '../ai-trading/action.ts';
import type { ModelStrength } from '../entitlements/tiers.ts';
import type { ValidationContext } from './validate.ts';

/** One due unit of a prop account: the run id is derived from it by the scheduler. */
export interface DueUnit {
  readonly runId: string;
  readonly propAccountId: string;
  readonly cloneId: string;
  readonly asset: string;
  /** The due time, ms. */
  readonly dueAt: number;
}

/**
 * The compiled context of one run, as of its due time: the packet and prompt, what the engines
 * read, and what validation checks (`ValidationContext` without the run's asset).
 */
export interface RunContext extends Omit<ValidationContext, 'runAsset'> {
  /** The packet (JSON-serializable; stored canonically, its sha-256 is the packet digest). */
  readonly packet: unknown;
  readonly promptTemplateVersion: string;
  readonly system: string;
  readonly prompt: string;
  readonly modelStrength: ModelStrength;
  /** micro-USD. */
  readonly equityMicroUsd: bigint;
  /** Last 1m close, decimal USD. */
  readonly lastPrice: string;
  readonly indicators: IndicatorSnapshot | null;
  readonly position: PositionView | null;
}

/** Compiles the context of a unit. Errors: throws `ClashError` (recorded as the run's failure). */
export interface DecisionContextSource {
  compile(unit: DueUnit): Promise<RunContext>;
}

/** Stores a payload content-addressed under `kind` (`packets`, `prompts`, `replies`) and returns its reference. */
export interface ArtifactSink {
  put(kind: 'packets' | 'prompts' | 'replies', bytes: Uint8Array): Promise<{ key: string; sha256: string; size: number }>;
}

/** The order a validated action sent: executed, or refused by Prop Trading's gates with their code. */
export interface OrderOutcome {
  readonly orderId: string;
  readonly status: 'executed' | 'refused';
  readonly code: string | null;
}

/**
 * Prop Trading as a decision run sees it; the run id is the action's `decisionRunId` (its
 * idempotency key). Synchronous: the run calls it inside the transaction that records the run's
 * completion, so the fill and the completion commit together.
 */
export interface OrderPort {
  submit(propAccountId: string, runId: string, action: Exclude<TradingAction, { action: 'hold' }>): OrderOutcome;
}
