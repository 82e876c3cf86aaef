/**
 * The derived lifecycle state of a clone, from the facts other modules report about it:
 * `hasActiveVersion` from Clone Service, `audition` from the audition streams and `arena` from
 * the arena stream, through the lifecycle projection's event table.
 */
export const lifecycleStates = [
  'setup_required',
  'configured',
  'audition_running',
  'audition_failed',
  'audition_voided',
  'competition_eligible',
  'competing',
  'retired',
] as const;
export type LifecycleState = (typeof lifecycleStates)[number];

export interface LifecycleFacts {
  readonly hasActiveVersion: boolean;
  /** The latest audition's outcome (`voided`: an operator voided it and its fee is refunded). */
  readonly audition: 'none' | 'running' | 'failed' | 'voided' | 'passed';
  readonly arena: 'none' | 'queued' | 'competing' | 'retired';
}

export const initialFacts: LifecycleFacts = { hasActiveVersion: false, audition: 'none', arena: 'none' };

/** Later facts win: retirement over competing over eligibility over audition progress over setup. */
export function lifecycleStateOf(f: LifecycleFacts): LifecycleState {
  if (f.arena === 'retired') return 'retired';
  if (f.arena === 'competing') return 'competing';
  if (f.arena === 'queued' || f.audition === 'passed') return 'competition_eligible';
  if (f.audition === 'failed') return 'audition_failed';
  if (f.audition === 'voided') return 'audition_voided';
  if (f.audition === 'running') return 'audition_running';
  return f.hasActiveVersion ? 'configured' : 'setup_required';
}
