/**
 * The backtest worker (issue 14, "Jobs"; `001_…` "Queue and concurrency limits"): each tick
 * deletes expired artifacts and records it, then takes runnable jobs and starts their replays
 * (each run the cycle of `job-cycle.ts`, which `clash backtest run --clone` shares).
 *
 * - **Leases.** A job is run under its stream lease (`LeaseBacktest`, renewed by every progress
 *   event): two workers never run one job, and a crashed worker's job is taken over once its
 *   lease has run out, as the next attempt, from the start (the replay is deterministic).
 * - **Concurrency.** Before leasing a job the worker takes one of `global` slots and one of the
 *   job owner's `perUser` slots, each a lease of `core/operations/leases.ts` (units
 *   `backtests:slot:<n>`, `backtests:user:<userId>:<n>`), renewed with the job's lease and given
 *   back when the run ends; a crashed worker's slots expire with its job's lease.
 * - **Failures.** A run is one unit of `WorkUnits.run` (the one retry policy): an error the job
 *   cannot recover from (`invalid`, `not_found`, `forbidden`, `unprocessable`, `corrupt`: a strategy that no
 *   longer compiles, an engine that is not configured, a stored payload failing its sha-256)
 *   fails the job at once; any other is
 *   retried with backoff by whichever worker leases it next, and after the last attempt the job
 *   fails and the unit stays a dead letter. A lost lease stops the run silently: another worker has it.
 * - **Retention.** Packets, prompts and replies expire `retentionMs` after the run finished;
 *   the worker deletes them and records `BacktestArtifactsExpired`.
 * Replays run beside the worker loop (a tick only starts them), so heartbeats keep flowing. An
 * error a run's bookkeeping throws after its tick returned (a busy database while recording the
 * failure) is kept and thrown by the next tick, so the worker loop reports it like any tick's
 * (heartbeat `failing`, the log) instead of the process dying of an unhandled rejection; the
 * job's lease then runs out and the job is taken over.
 */
import type { ArtifactStore } from '../../adapters/artifacts/store.ts';
import type { Clock } from '../../core/clock.ts';
import { ClashError } from '../../core/errors.ts';
import type { Leases } from '../../core/operations/leases.ts';
import type { WorkUnits } from '../../core/operations/work-units.ts';
import { dueArtifacts } from './decider.ts';
import { failJob, type JobRecording, type JobToRun, type ReplaySetup, runJob } from './job-cycle.ts';
import type { ReplayMarket } from './ports.ts';

export const BACKTEST_WORKER = 'backtests';

/** A job as the read model lists it: the job and its owner. */
export interface RunnableJob extends JobToRun {
  readonly userId: string;
}

/** What the worker reads of the backtests read model (implemented by `server/backtests.ts`). */
export interface BacktestJobs {
  /** Queued or running jobs, oldest first, at most `limit`. */
  runnable(limit: number): readonly RunnableJob[];
  /** Finished jobs with artifacts due to expire at `now`, at most `limit`. */
  dueForExpiry(now: number, limit: number): readonly string[];
}

/** Limits of the worker (README: `BACKTEST_*` variables); the lease and retention are the recording's. */
export interface BacktestWorkerLimits {
  readonly global: number;
  readonly perUser: number;
  /** Steps between progress events (each renews the leases). */
  readonly progressEvery: number;
}

export interface BacktestWorkerDeps {
  /** How runs are recorded: the commands, this worker's id (`host:pid` in a process, the lease holder), the lease and the retention (ms). */
  readonly recording: JobRecording;
  readonly jobs: BacktestJobs;
  readonly setup: ReplaySetup;
  readonly market: ReplayMarket;
  readonly artifacts: ArtifactStore;
  readonly leases: Leases;
  readonly units: WorkUnits;
  readonly clock: Clock;
  readonly limits: BacktestWorkerLimits;
}

/** Error kinds that retrying cannot fix: the job fails at once. */
const final = new Set(['invalid', 'not_found', 'forbidden', 'unprocessable', 'corrupt']);
const LIST_LIMIT = 100;

export class BacktestWorker {
  private readonly running = new Map<string, Promise<void>>();
  /** The first error a run threw after its tick returned, thrown by the next tick. */
  private runError: unknown = null;

  constructor(readonly deps: BacktestWorkerDeps) {}

  /** Expires due artifacts, then starts runnable jobs while slots are free; returns the runs in flight. */
  async tick(now: number): Promise<{ started: number; expired: number; inFlight: number }> {
    if (this.runError !== null) {
      const error = this.runError;
      this.runError = null;
      throw error;
    }
    const expired = await this.expire(now);
    let started = 0;
    const parked = new Map(this.deps.units.parked(BACKTEST_WORKER).map((u) => [u.id, u]));
    for (const job of this.deps.jobs.runnable(LIST_LIMIT)) {
      const unit = parked.get(unitId(job.backtestId));
      // A parked job runs again only once its backoff is over; a dead one waits for an operator.
      if (this.running.has(job.backtestId) || (unit && !(unit.state === 'retrying' && unit.nextAttemptAt <= now))) continue;
      const slots = this.takeSlots(job, now);
      if (slots === null) continue;
      try {
        this.deps.recording.commands.lease(job.backtestId, this.deps.recording.workerId, this.deps.recording.leaseMs);
      } catch (error) {
        this.release(job, slots);
        if (error instanceof ClashError && (error.code === 'backtest_leased' || error.code === 'backtest_not_runnable')) continue;
        throw error;
      }
      started += 1;
      const run = this.run(job, slots)
        .finally(() => {
          this.running.delete(job.backtestId);
          this.release(job, slots);
        })
        .catch((error: unknown) => {
          this.runError ??= error;
        });
      this.running.set(job.backtestId, run);
    }
    return { started, expired, inFlight: this.running.size };
  }

  /** Waits for every run in flight (tests; shutdown). */
  async drain(): Promise<void> {
    await Promise.all(this.running.values());
  }

  private async run(job: RunnableJob, slots: readonly string[]): Promise<void> {
    const id = job.backtestId;
    let failure: ClashError | Error | null = null;
    let lost = false;
    const outcome = await this.deps.units.run(
      BACKTEST_WORKER,
      { id: unitId(id), orderingKey: null, position: null, description: `backtest ${id} of clone ${job.cloneId}` },
      this.deps.clock.now(),
      async () => {
        try {
          await this.replayJob(job, slots);
        } catch (error) {
          if (error instanceof ClashError && (error.code === 'lease_lost' || error.code === 'backtest_not_runnable')) {
            lost = true;
            return;
          }
          failure = error as Error;
          if (error instanceof ClashError && final.has(error.kind)) return;
          throw error;
        }
      },
    );
    if (lost || failure === null) return;
    const f = failure as Error;
    if (outcome === 'dead' || (f instanceof ClashError && final.has(f.kind))) failJob(this.deps.recording, id, f);
  }

  private async replayJob(job: RunnableJob, slots: readonly string[]): Promise<void> {
    const { recording, limits, leases, clock } = this.deps;
    await runJob(job, this.deps.setup, {
      market: this.deps.market,
      artifacts: this.deps.artifacts,
      clock,
      progressEvery: limits.progressEvery,
      recording,
      onProgress: async () => {
        for (const slot of slots) leases.acquire(slot, slotHolder(recording.workerId, job), clock.now(), recording.leaseMs);
        await new Promise((resolve) => setImmediate(resolve)); // let the worker loop beat between chunks
      },
    });
  }

  /** Deletes the due artifacts of finished jobs and records each expiry; returns how many jobs. */
  private async expire(now: number): Promise<number> {
    let done = 0;
    for (const id of this.deps.jobs.dueForExpiry(now, LIST_LIMIT)) {
      const due = dueArtifacts(this.deps.recording.commands.state(id), now);
      if (due.length === 0) continue;
      let objects = 0;
      for (const ref of due) {
        for (const info of await this.deps.artifacts.list(ref.key)) {
          await this.deps.artifacts.delete(info.key);
          objects += 1;
        }
      }
      this.deps.recording.commands.expireArtifacts(id, objects, `worker:${this.deps.recording.workerId}`);
      done += 1;
    }
    return done;
  }

  /** One global slot and one of the job owner's slots, held for this job, or null (then nothing is held). */
  private takeSlots(job: RunnableJob, now: number): string[] | null {
    const { leases, limits, recording } = this.deps;
    const holder = slotHolder(recording.workerId, job);
    const take = (names: string[]) => names.find((n) => leases.acquire(n, holder, now, recording.leaseMs)) ?? null;
    const global = take(Array.from({ length: limits.global }, (_, n) => `backtests:slot:${n}`));
    if (global === null) return null;
    const user = take(Array.from({ length: limits.perUser }, (_, n) => `backtests:user:${job.userId}:${n}`));
    if (user === null) {
      leases.release(global, holder);
      return null;
    }
    return [global, user];
  }

  private release(job: RunnableJob, slots: readonly string[]): void {
    for (const slot of slots) this.deps.leases.release(slot, slotHolder(this.deps.recording.workerId, job));
  }
}

const unitId = (backtestId: string) => `backtest:${backtestId}`;
/** A slot is held per job (one worker may run several jobs, each in its own slot). */
const slotHolder = (workerId: string, job: RunnableJob) => `${workerId}/${job.backtestId}`;
