/**
 * Operations over real HTTP: `/metrics` scraped and parsed as the Prometheus text format, the
 * public health saying only up or degraded, worker health for services and admins only, and
 * dead letters listed, shown, retried and discarded through the admin routes.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { codeOf, startTestServer } from '../support/server.ts';

const SERVICE = 'ops-secret-0123456789abcdefghij';
const server = await startTestServer({
  CLASH_SERVICE_TOKENS: `prometheus:${SERVICE}`,
  CLASH_DEV_IDENTITY: 'true',
  CLASH_COMPETITION_TICK_MS: '60000',
});
const service = `Bearer ${SERVICE}`;
const user = `Dev 0x${'ab'.repeat(20)}`;

interface Sample {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
}

/** A strict reader of the text exposition format 0.0.4: every line is a comment (HELP/TYPE) or a sample; throws on anything else. */
function parsePrometheus(text: string): { samples: Sample[]; types: Map<string, string> } {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (-?(?:\d+(?:\.\d+)?(?:e[+-]?\d+)?|NaN|\+Inf|-Inf))(?: \d+)?$/;
  const label = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(?:,|$)/g;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const type = /^# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped)$/.exec(line);
    if (type) {
      types.set(type[1] as string, type[2] as string);
      continue;
    }
    if (/^# HELP [a-zA-Z_:][a-zA-Z0-9_:]* .*$/.test(line)) continue;
    const m = sample.exec(line);
    if (!m) throw new Error(`not Prometheus text format: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(label)) labels[l[1] as string] = l[2] as string;
    samples.push({ name: m[1] as string, labels, value: Number(m[3]) });
  }
  return { samples, types };
}

test('/metrics: refused without a token or to a plain user; served to a service as Prometheus text', async () => {
  assert.is((await fetch(`${server.url}/metrics`)).status, 401);
  assert.is((await fetch(`${server.url}/metrics`, { headers: { authorization: user } })).status, 403);
  await server.call('GET', '/api/v1/health');
  await server.call('GET', '/api/v1/health');
  await server.call('GET', '/api/v1/me/withdrawals', { auth: user });
  await server.ledger.projections.catchUpAll();
  const res = await fetch(`${server.url}/metrics`, { headers: { authorization: service } });
  assert.is(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  const { samples, types } = parsePrometheus(await res.text());
  const find = (name: string, labels: Record<string, string> = {}) =>
    samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
  // HTTP requests by route pattern and status, with a latency histogram
  assert.is(find('clash_http_requests_total', { method: 'GET', route: '/api/v1/health', status: '200' })?.value, 2);
  assert.is(types.get('clash_http_request_duration_seconds'), 'histogram');
  assert.is(find('clash_http_request_duration_seconds_count', { route: '/api/v1/health', status: '200' })?.value, 2);
  assert.ok(find('clash_http_requests_total', { route: '/metrics', status: '401' }), 'refusals are counted too');
  // Appends (the dev identity's first call registers its user), projection lag, the file sizes
  assert.ok((find('clash_events_appended_total')?.value ?? 0) > 0, 'events appended');
  assert.ok((find('clash_append_duration_seconds_count')?.value ?? 0) > 0);
  assert.is(types.get('clash_projection_lag_events'), 'gauge');
  assert.ok(samples.some((s) => s.name === 'clash_projection_lag_events' && s.labels.mode === 'async'));
  assert.ok((find('clash_sqlite_bytes', { file: 'db' })?.value ?? 0) > 0);
  assert.ok(find('clash_sqlite_bytes', { file: 'wal' }));
  // Worker beats: the projections worker has beaten (its interval is 200 ms)
  await new Promise((resolve) => setTimeout(resolve, 450));
  const again = parsePrometheus(await (await fetch(`${server.url}/metrics`, { headers: { authorization: service } })).text());
  const beat = again.samples.find((s) => s.name === 'clash_worker_state' && s.labels.worker === 'projections' && s.labels.state === 'ok');
  assert.is(beat?.value, 1);
  assert.ok(again.samples.some((s) => s.name === 'clash_worker_tick_duration_seconds_count' && s.labels.worker === 'projections'));
  // One read of the heartbeats and one of the last backup per scrape, whatever the gauges over them
  const reads = { beats: 0, backups: 0 };
  const { heartbeats, backups } = server.ops;
  const list = heartbeats.list.bind(heartbeats);
  const latest = backups.latestRecorded.bind(backups);
  heartbeats.list = (...args) => {
    reads.beats += 1;
    return list(...args);
  };
  backups.latestRecorded = () => {
    reads.backups += 1;
    return latest();
  };
  const scraped = parsePrometheus(await server.ops.metrics.text()).samples;
  heartbeats.list = list;
  backups.latestRecorded = latest;
  assert.equal(reads, { beats: 1, backups: 1 });
  assert.equal(
    ['clash_worker_last_beat_timestamp_seconds', 'clash_worker_state', 'clash_worker_units_in_flight'].map((name) =>
      scraped.some((s) => s.name === name && s.labels.worker === 'projections'),
    ),
    [true, true, true],
    'each gauge filled from the one read',
  );
  // The hooks the ingestion and decision workers call
  server.ops.metrics.decision('claude', 1200, true);
  server.ops.metrics.modelUsage('claude', 'sonnet', { inputTokens: 900, outputTokens: 100, costMicroUsd: 4200n });
  server.ops.metrics.ingestion('hyperliquid:BTC', 3);
  const hooks = parsePrometheus(await server.ops.metrics.text()).samples;
  assert.ok(hooks.some((s) => s.name === 'clash_decision_failures_total' && s.labels.engine === 'claude' && s.value === 1));
  assert.ok(hooks.some((s) => s.name === 'clash_model_cost_micro_usd_total' && s.value === 4200));
  assert.ok(hooks.some((s) => s.name === 'clash_ingestion_lag_seconds' && s.labels.channel === 'hyperliquid:BTC' && s.value === 3));
});

test('public health says only up or degraded; worker health is for services and admins', async () => {
  assert.equal((await server.call('GET', '/api/v1/health')).body, { status: 'up' });
  assert.equal(codeOf((await server.call('GET', '/api/v1/internal/health/workers')).body), 'unauthorized');
  assert.is((await server.call('GET', '/api/v1/internal/health/workers', { auth: user })).status, 403);
  const { status, body } = await server.call('GET', '/api/v1/internal/health/workers', { auth: service });
  assert.is(status, 200);
  const health = body as { status: string; workers: { worker: string; state: string; lastBeatAt: string }[]; deadLetters: number };
  assert.is(health.status, 'up');
  assert.equal(
    health.workers.map((w) => w.worker).sort(),
    ['alerts', 'backups', 'competition', 'marking', 'projections'],
    'no chain: no reconciliation',
  );
  const projections = health.workers.find((w) => w.worker === 'projections');
  assert.is(projections?.state, 'ok');
  assert.is(projections?.lastBeatAt, new Date(server.clock.now()).toISOString());
  // When the clock moves past three missed beats of the competition worker (60 s each), it is stale and the service degraded
  server.clock.advance(180_001);
  const stale = (await server.call('GET', '/api/v1/internal/health/workers', { auth: service })).body as typeof health;
  assert.is(stale.workers.find((w) => w.worker === 'competition')?.state, 'stale');
  assert.is(stale.workers.find((w) => w.worker === 'backups')?.state, 'ok', 'an hourly worker has missed no beat yet');
  assert.is(stale.status, 'degraded');
  assert.equal((await server.call('GET', '/api/v1/health')).body, { status: 'degraded' });
  server.clock.advance(-180_001);
});

test('dead letters: listed, shown, retried and discarded by operators; a dead letter degrades health', async () => {
  const units = server.ops.units;
  const failing = { id: 'poll:hyperliquid:BTC', orderingKey: null, position: null, description: 'poll hyperliquid BTC' };
  const now = server.clock.now();
  for (let i = 0; i < units.policy.maxAttempts; i++) {
    await units.run('ingestion', failing, now + i * 400_000, () => {
      throw new Error('429 Too Many Requests');
    });
  }
  assert.equal((await server.call('GET', '/api/v1/health')).body, { status: 'degraded' });
  assert.is((await server.call('GET', '/api/v1/admin/dead-letters', { auth: user })).status, 403);
  const list = await server.call('GET', '/api/v1/admin/dead-letters?state=dead', { auth: service });
  const [item] = (list.body as { items: { id: number; unit: string; attempts: number; lastError: string; firstFailureAt: string }[] })
    .items;
  assert.equal([item?.unit, item?.attempts, item?.lastError], ['poll:hyperliquid:BTC', 5, 'Error: 429 Too Many Requests']);
  assert.is(item?.firstFailureAt, new Date(now).toISOString());
  assert.is(codeOf((await server.call('GET', '/api/v1/admin/dead-letters?state=gone', { auth: service })).body), 'validation_failed');
  const shown = await server.call('GET', `/api/v1/admin/dead-letters/${item?.id}`, { auth: service });
  assert.equal(shown.body, item);
  const retried = await server.call('POST', `/api/v1/admin/dead-letters/${item?.id}/retry`, { auth: service });
  assert.equal([retried.status, (retried.body as { state: string; attempts: number }).state], [200, 'retrying']);
  const discarded = await server.call('POST', `/api/v1/admin/dead-letters/${item?.id}/discard`, { auth: service });
  assert.is(discarded.status, 200);
  assert.is(codeOf((await server.call('GET', `/api/v1/admin/dead-letters/${item?.id}`, { auth: service })).body), 'not_found');
  assert.equal((await server.call('GET', '/api/v1/admin/dead-letters', { auth: service })).body, { items: [] });
});

test.after(() => server.stop());
test.run();
