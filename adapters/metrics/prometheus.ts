/**
 * Prometheus metrics (`prom-client`), served as text at `/metrics`. One registry per server; the
 * hooks the workers call are methods here, so ingestion and decision workers record their
 * figures without knowing prom-client. Gauges that read the database or the file system are
 * filled at scrape time by `collect` callbacks (`server/metrics.ts`), so nothing is counted per
 * request. Units are in the names (seconds, bytes, events, micro-USD). Issue 15, "Metrics".
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** One gauge of `scrapedTogether`: its name, help and labels, and how it is filled from the shared read. */
export interface ScrapedGauge<T> {
  readonly name: string;
  readonly help: string;
  readonly labelNames: readonly string[];
  collect(value: T, set: (labels: Record<string, string>, value: number) => void): void;
}

/** Latency buckets in seconds, 1 ms to 10 s. */
const LATENCY = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export class Metrics {
  readonly registry = new Registry();
  readonly httpRequests = new Counter({
    name: 'clash_http_requests_total',
    help: 'HTTP requests by method, route pattern and status',
    labelNames: ['method', 'route', 'status'],
    registers: [this.registry],
  });
  readonly httpDuration = new Histogram({
    name: 'clash_http_request_duration_seconds',
    help: 'HTTP request latency by method, route pattern and status',
    labelNames: ['method', 'route', 'status'],
    buckets: LATENCY,
    registers: [this.registry],
  });
  readonly appendDuration = new Histogram({
    name: 'clash_append_duration_seconds',
    help: 'Latency of committed appends (the write transaction with inline projections)',
    buckets: LATENCY,
    registers: [this.registry],
  });
  readonly eventsAppended = new Counter({
    name: 'clash_events_appended_total',
    help: 'Events appended by this process (events per second: rate())',
    registers: [this.registry],
  });
  readonly workerTicks = new Histogram({
    name: 'clash_worker_tick_duration_seconds',
    help: 'Worker tick duration by worker and outcome (ok, failed)',
    labelNames: ['worker', 'outcome'],
    buckets: LATENCY,
    registers: [this.registry],
  });
  readonly decisionDuration = new Histogram({
    name: 'clash_decision_duration_seconds',
    help: 'Decision run latency by engine',
    labelNames: ['engine'],
    buckets: [...LATENCY, 30, 60, 120],
    registers: [this.registry],
  });
  readonly decisionFailures = new Counter({
    name: 'clash_decision_failures_total',
    help: 'Failed decision runs by engine',
    labelNames: ['engine'],
    registers: [this.registry],
  });
  readonly modelTokens = new Counter({
    name: 'clash_model_tokens_total',
    help: 'Model tokens by engine, model and kind (input, output)',
    labelNames: ['engine', 'model', 'kind'],
    registers: [this.registry],
  });
  readonly modelCost = new Counter({
    name: 'clash_model_cost_micro_usd_total',
    help: 'Model cost in micro-USD by engine and model',
    labelNames: ['engine', 'model'],
    registers: [this.registry],
  });
  readonly ingestionLag = new Gauge({
    name: 'clash_ingestion_lag_seconds',
    help: 'Age of the newest ingested data per channel',
    labelNames: ['channel'],
    registers: [this.registry],
  });

  /**
   * The request counter and latency histogram of one method, route and status, made on first use
   * and kept: prom-client hashes a label object on every call otherwise (issue 17's read profile).
   * Bounded: methods, route patterns and statuses are each a small fixed set.
   */
  private readonly requestSeries = new Map<string, { count: { inc(): void }; latency: { observe(seconds: number): void } }>();

  /** Records one HTTP request; `route` is the matched pattern (`/api/v1/clones/:id`), never the raw path. */
  request(method: string, route: string, status: number, seconds: number): void {
    const key = `${method} ${status} ${route}`;
    let series = this.requestSeries.get(key);
    if (!series) {
      const labels = { method, route, status: String(status) };
      series = { count: this.httpRequests.labels(labels), latency: this.httpDuration.labels(labels) };
      this.requestSeries.set(key, series);
    }
    series.count.inc();
    series.latency.observe(seconds);
  }

  /** Records one committed append of `events` events taking `ms` milliseconds (an `AppendObserver`). */
  append(events: number, ms: number): void {
    this.eventsAppended.inc(events);
    this.appendDuration.observe(ms / 1000);
  }

  /** Records a worker tick of `ms` milliseconds (`WorkerDeps.onTick`). */
  tick(worker: string, ms: number, ok: boolean): void {
    this.workerTicks.observe({ worker, outcome: ok ? 'ok' : 'failed' }, ms / 1000);
  }

  /** Hook for decision workers: one run of `engine` taking `ms` milliseconds, failed or not. */
  decision(engine: string, ms: number, failed: boolean): void {
    this.decisionDuration.observe({ engine }, ms / 1000);
    if (failed) this.decisionFailures.inc({ engine });
  }

  /** Hook for decision workers: tokens and cost (micro-USD, an integer) of one model call. */
  modelUsage(engine: string, model: string, usage: { inputTokens: number; outputTokens: number; costMicroUsd: bigint }): void {
    this.modelTokens.inc({ engine, model, kind: 'input' }, usage.inputTokens);
    this.modelTokens.inc({ engine, model, kind: 'output' }, usage.outputTokens);
    this.modelCost.inc({ engine, model }, Number(usage.costMicroUsd));
  }

  /** Hook for the ingestion worker: how old (seconds) the newest data of `channel` is. */
  ingestion(channel: string, lagSeconds: number): void {
    this.ingestionLag.set({ channel }, lagSeconds);
  }

  /** A gauge filled at scrape time by `collect` (reads the database or the file system). */
  scraped(
    name: string,
    help: string,
    labelNames: readonly string[],
    collect: (set: (labels: Record<string, string>, value: number) => void) => void,
  ): void {
    new Gauge({
      name,
      help,
      labelNames: [...labelNames],
      registers: [this.registry],
      collect() {
        this.reset();
        collect((labels, value) => this.set(labels, value));
      },
    });
  }

  /**
   * Gauges filled at scrape time from one read: `read` runs once per scrape (`text()`; outside
   * one, once per gauge) and each gauge's `collect` fills it from the result.
   */
  scrapedTogether<T>(read: () => T, gauges: readonly ScrapedGauge<T>[]): void {
    let kept: { scrape: number; value: T } | undefined;
    const value = () => {
      if (this.scrape === 0) return read();
      if (kept?.scrape !== this.scrape) kept = { scrape: this.scrape, value: read() };
      return kept.value;
    };
    for (const g of gauges) this.scraped(g.name, g.help, g.labelNames, (set) => g.collect(value(), set));
  }

  /** Scrapes so far, and the one `text()` is serving (0 outside one): what `scrapedTogether` keeps its read for. */
  private scrapes = 0;
  private scrape = 0;

  /** The registry in the Prometheus text exposition format. */
  async text(): Promise<string> {
    const scrape = ++this.scrapes;
    this.scrape = scrape;
    try {
      return await this.registry.metrics();
    } finally {
      if (this.scrape === scrape) this.scrape = 0;
    }
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
