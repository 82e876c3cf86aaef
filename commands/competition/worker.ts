/**
 * The competition worker: one `tick(now)` runs every due step at that time — the process
 * manager's hand-offs, the audition evaluator, admissions, and the race scheduler — through a
 * Competition whose clock is the tick's time, so every command it sends carries `now`.
 * Repeating a tick at the same time appends nothing. The server runs it on an interval
 * (`CLASH_COMPETITION_TICK_MS`); tests call `tick` directly with a manual clock's time.
 */
import { ManualClock } from '../../core/clock.ts';
import { defaultRetryPolicy } from '../../core/operations/retry.ts';
import { WorkUnits } from '../../core/operations/work-units.ts';
import { evaluateAuditions } from './audition-evaluator.ts';
import { Competition, type CompetitionDeps } from './handlers.ts';
import { HANDOFF_WORKER, runHandOffs } from './process-manager.ts';
import { admitFromQueue, moveRaces, openArenaOnce, scheduleRace } from './race-scheduler.ts';

export interface TickReport {
  readonly handOffs: number;
  readonly evaluated: number;
  readonly waiting: { auditionId: string; reason: string }[];
  /** Hand-offs parked after a failure (retrying, dead letters, or waiting behind one) when the tick ended. */
  readonly parked: number;
}

export class CompetitionWorker {
  private readonly clock = new ManualClock(0);
  readonly competition: Competition;
  /** Where failed hand-offs are parked (the default retry policy unless `units` is given). */
  readonly units: WorkUnits;

  constructor(deps: Omit<CompetitionDeps, 'clock'>, options: { units?: WorkUnits } = {}) {
    this.competition = new Competition({ ...deps, clock: this.clock });
    this.units = options.units ?? new WorkUnits(deps.store.db, defaultRetryPolicy);
  }

  /** Runs hand-offs until none is left, so steps that cause steps finish in the same tick. */
  private async handOffs(): Promise<number> {
    const run = () => runHandOffs(this.competition, this.units, this.clock.now());
    let total = 0;
    for (let n = await run(); n > 0; n = await run()) total += n;
    return total;
  }

  /** Ticks never overlap: a tick that is still running when the next one is due makes it wait. */
  private running: Promise<TickReport> = Promise.resolve({ handOffs: 0, evaluated: 0, waiting: [], parked: 0 });

  tick(now: number): Promise<TickReport> {
    this.running = this.running.then(
      () => this.tickAt(now),
      () => this.tickAt(now),
    );
    return this.running;
  }

  private async tickAt(now: number): Promise<TickReport> {
    this.clock.set(now);
    const c = this.competition;
    openArenaOnce(c);
    let handOffs = await this.handOffs();
    const round = evaluateAuditions(c);
    handOffs += await this.handOffs();
    admitFromQueue(c);
    scheduleRace(c);
    handOffs += await this.handOffs();
    moveRaces(c, now);
    handOffs += await this.handOffs();
    scheduleRace(c);
    handOffs += await this.handOffs();
    return { handOffs, evaluated: round.evaluated, waiting: round.waiting, parked: this.units.parked(HANDOFF_WORKER).length };
  }
}
