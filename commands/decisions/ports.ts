/**
 * What a decision run needs from outside this module, as narrow ports the server wires:
 * the decision context (packet, prompt, candidates and figures — the decision-context
 * compiler of issue 12 behind it), the artifact store, and Prop Trading for the order.
 */

import type { IndicatorSnapshot, PositionView } from '../../adapters/models/engine.ts';
import type { TradingAction } from '../ai-trading/action.ts';
import type { ModelStrength, TierLimits } from '../entitlements/tiers.ts';
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

/** One strategy branch (a trading-prompt node) of a running account: its cadence and the candidates of this moment. */
export interface RunningBranch {
  readonly branchId: string;
  /** `decisionCadenceSec` of the branch, seconds. */
  readonly cadenceSec: number;
  /** The branch's candidates now (held assets first; issue 12 "Candidate policy"), at most 25. */
  readonly candidates: readonly string[];
}

/**
 * A prop account whose decision runner runs: an audition's account while the audition runs, a
 * race entrant's account while its race is live. Its runner stops when the audition is decided
 * or the race closes (the account is no longer listed).
 */
export interface RunningAccount {
  readonly propAccountId: string;
  readonly cloneId: string;
  readonly purpose: 'audition' | 'race';
  /** When the runner started (the audition account opened, the race went live), ms: cadence slots count from it. */
  readonly startedAt: number;
  /** The model tier of the account's strategy version. */
  readonly modelTier: ModelStrength;
  /** Active assets of the strategy: its expanded trade universe (issue 12), counted as at publish. */
  readonly activeAssets: number;
  /** The clone's active entitlement now (a downgrade or revocation shows at the next run), or null. */
  readonly entitlement: Pick<TierLimits, 'modelStrength' | 'activeAssets'> | null;
  readonly branches: readonly RunningBranch[];
}

/** The accounts to run decisions for, read from the read models (the server implements it). */
export interface RunningAccounts {
  /** The accounts running at `at` (ms), in a stable order. */
  running(at: number): readonly RunningAccount[];
}
