/** Prop trading over real HTTP on 127.0.0.1: access rules, writes, reads, paging, validation, OpenAPI. */
import { type ServerType, serve } from '@hono/node-server';
import pino from 'pino';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MemoryArtifactStore } from '../../adapters/artifacts/memory.ts';
import { MarketMemory } from '../../adapters/market/market-memory.ts';
import { unconnectedEconomy } from '../../commands/competition/ports.ts';
import { DEFAULT_RULES } from '../../commands/prop-trading/rules.ts';
import { toWire } from '../../core/canonical-json.ts';
import type { CloneOwnership } from '../../projections/clones/ownership.ts';
import { createApp } from '../../server/app.ts';
import { type Authenticator, anyOf, serviceTokenAuthenticator } from '../../server/auth.ts';
import { loadConfig, servingConfig } from '../../server/config.ts';
import { openLedger } from '../../server/context.ts';
import { createIdentity } from '../../server/identity.ts';
import { openOperations } from '../../server/operations.ts';
import { propTradingRoutes } from '../../server/routes/prop-trading.ts';
import { contractOf } from '../support/contract.ts';
import { BTC, px } from '../support/prop-trading.ts';
import { tempDir } from '../support/store.ts';

const dir = tempDir();
const SERVICE = 'svc-secret-0123456789abcdefghij';
/** Test users: `Bearer user:<id>` and `Bearer admin:<id>`. */
const users: Authenticator = {
  authenticate: async (h) => {
    const m = /^Bearer (user|admin):(\w+)$/.exec(h ?? '');
    return m ? { kind: 'user', userId: m[2] as string, address: '0x0', admin: m[1] === 'admin' } : null;
  },
};
const ownership: CloneOwnership = {
  ownerOf: (cloneId) => (cloneId === 'clone-alice' ? 'alice' : undefined),
  hasVersion: (cloneId, versionId) => cloneId === 'clone-alice' && versionId === 'v1',
};

const ledger = openLedger({ dbPath: dir.file('http.db'), synchronous: 'NORMAL' });
const market = new MarketMemory(ledger.store.db);
const config = servingConfig(loadConfig({ LOG_LEVEL: 'silent' }), 'http://127.0.0.1:3000');
const app = createApp(
  {
    ledger,
    log: pino({ level: 'silent' }),
    auth: anyOf([serviceTokenAuthenticator([{ name: 'worker', secret: SERVICE }]), users]),
    config,
    identity: createIdentity(ledger, config),
    competitionEconomy: unconnectedEconomy,
    economy: null,
    ops: openOperations(ledger, config, new MemoryArtifactStore()),
  },
  [propTradingRoutes({ ownership })],
);
const server = await new Promise<ServerType>((resolve) => {
  const s = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }, () => resolve(s));
});
const address = server.address();
const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
const contract = await contractOf(base);

async function call(method: string, path: string, token?: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(base + path, {
    method,
    headers: {
      ...headers,
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const answer = await res.json();
  contract.check(method, path, res.status, answer);
  return {
    status: res.status,
    body: answer as Record<string, unknown> & { error?: { code: string; message: string; details: Record<string, unknown> } },
  };
}

const setBtc = (price: string) =>
  market.write({ assets: [BTC], candles: [], mids: [{ asset: 'BTC', time: Date.now(), price: px(price) }], funding: [] });

/** The default rules as the API shows them: ppm integers, micro-USD strings. */
const wireRules = toWire<Record<string, unknown>>(DEFAULT_RULES);

/** Decision run 1: open 0.5 BTC long at 5×. */
const halfBtcLong = { decisionRunId: 'run-1', asset: 'BTC', action: 'open', side: 'long', size: '0.5', leverage: 5 };

test('a service opens an account and trades; reads show account, positions, fills, journal', async () => {
  setBtc('100000');
  const opened = await call('POST', '/api/v1/prop-accounts', SERVICE, {
    accountId: 'h1',
    cloneId: 'clone-alice',
    strategyVersionId: 'v1',
    purpose: 'audition',
    startingEquityUsd: '20000',
    rules: { slippagePpm: 0 },
  });
  assert.is(opened.status, 201, JSON.stringify(opened.body));
  const filled = await call('POST', '/api/v1/prop-accounts/h1/actions', SERVICE, halfBtcLong);
  assert.is(filled.status, 200, JSON.stringify(filled.body));
  const events = filled.body.events as { type: string }[];
  assert.equal(
    events.map((e) => e.type),
    ['OrderFilled'],
  );
  // 0.5 × 100,000 = 50,000 notional; fee 50,000 × 0.00045 = 22.5 USD = 22,500,000 micro-USD
  const fill = (filled.body.fills as Record<string, unknown>[])[0];
  assert.is(fill?.feeMicroUsd, '22500000');
  assert.is(fill?.sizeE8, '50000000');
  assert.match(String(fill?.at), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  // A retry of the same decision run (say after a timeout) fills nothing twice…
  const head = ledger.store.headPosition();
  const retried = await call('POST', '/api/v1/prop-accounts/h1/actions', SERVICE, halfBtcLong);
  assert.is(retried.status, 200);
  assert.equal(retried.body.events, filled.body.events);
  assert.equal(retried.body.fills, filled.body.fills);
  assert.is(ledger.store.headPosition(), head);
  // …and the same run proposing another action is refused
  const conflicting = await call('POST', '/api/v1/prop-accounts/h1/actions', SERVICE, { ...halfBtcLong, size: '0.6' });
  assert.is(conflicting.status, 422);
  assert.is(conflicting.body.error?.code, 'idempotency_conflict');
  assert.is(ledger.store.headPosition(), head);
  const account = await call('GET', '/api/v1/prop-accounts/h1', 'user:alice');
  assert.is(account.status, 200);
  assert.is(account.body.cashMicroUsd, '19977500000');
  assert.is(account.body.trades, 1);
  assert.equal(account.body.rules, { ...wireRules, slippagePpm: 0 });
  const positions = await call('GET', '/api/v1/prop-accounts/h1/positions', 'user:alice');
  assert.equal(
    (positions.body.items as { asset: string; sizeE8: string }[]).map((p) => [p.asset, p.sizeE8]),
    [['BTC', '50000000']],
  );
  const fills = await call('GET', '/api/v1/prop-accounts/h1/fills', 'admin:root');
  assert.equal(fills.body.items, filled.body.fills);
  const journal = await call('GET', '/api/v1/prop-accounts/h1/journal?limit=2', SERVICE);
  assert.is(journal.body.balanced, true);
  assert.is((journal.body.items as unknown[]).length, 2);
  const page2 = await call('GET', `/api/v1/prop-accounts/h1/journal?limit=100&after=${journal.body.next}`, SERVICE);
  assert.is((page2.body.items as unknown[]).length, 4); // opening 2 lines + fill: position 2, fee 2 (no realized PnL yet)
  const lines = [...(journal.body.items as { asset: string; unit: string }[]), ...(page2.body.items as { asset: string; unit: string }[])];
  assert.equal(
    lines.map((l) => [l.asset, l.unit]),
    [
      ['USD', 'microUsd'],
      ['USD', 'microUsd'],
      ['BTC', 'e8'],
      ['BTC', 'e8'],
      ['USD', 'microUsd'],
      ['USD', 'microUsd'],
    ],
  );
  assert.is(page2.body.next, null);
  // Funding takes its hour as an ISO time on a whole hour; a zero rate moves no cash. The hour is
  // the next one: a position pays only for hours it was held at (doc/prop-trading.md, funding).
  const hour = Math.floor(Date.now() / 3_600_000) * 3_600_000 + 3_600_000;
  market.write({
    assets: [],
    candles: [],
    mids: [{ asset: 'BTC', time: hour, price: px('100000') }],
    funding: [{ asset: 'BTC', time: hour, rate: 0n, premium: 0n }],
  });
  const funded = await call('POST', '/api/v1/prop-accounts/h1/funding', SERVICE, { hour: new Date(hour).toISOString() });
  assert.is(funded.status, 200, JSON.stringify(funded.body));
  assert.equal(
    (funded.body.events as { type: string }[]).map((e) => e.type),
    ['FundingApplied'],
  );
  assert.is((funded.body.account as { cashMicroUsd: string }).cashMicroUsd, '19977500000');
  const hourEvent = ledger.store.readStream('prop-account-h1').find((e) => e.type === 'FundingApplied');
  assert.is((hourEvent?.data as { hour: number } | undefined)?.hour, hour);
});

test('retries: an open with its accountId, and a mark with its Idempotency-Key, return the first result and append nothing', async () => {
  const body = { accountId: 'h2', cloneId: 'clone-alice', strategyVersionId: 'v1', purpose: 'sandbox', startingEquityUsd: '1000' };
  const first = await call('POST', '/api/v1/prop-accounts', SERVICE, body);
  assert.is(first.status, 201);
  const head = ledger.store.headPosition();
  const again = await call('POST', '/api/v1/prop-accounts', SERVICE, body);
  assert.is(again.status, 201, JSON.stringify(again.body));
  assert.equal(again.body.events, first.body.events);
  const other = await call('POST', '/api/v1/prop-accounts', SERVICE, { ...body, startingEquityUsd: '2000' });
  assert.is(other.status, 422);
  assert.is(other.body.error?.code, 'idempotency_conflict');
  assert.is(ledger.store.headPosition(), head);
  const run = { decisionRunId: 'h2-run', asset: 'BTC', action: 'open', side: 'long', size: '0.001', leverage: 2 };
  assert.is((await call('POST', '/api/v1/prop-accounts/h2/actions', SERVICE, run)).status, 200);
  setBtc('100500');
  const key = { 'idempotency-key': 'tick-2026-01-05T12:00' };
  const marked = await call('POST', '/api/v1/prop-accounts/h2/mark-to-market', SERVICE, undefined, key);
  assert.is(marked.status, 200, JSON.stringify(marked.body));
  const markHead = ledger.store.headPosition();
  setBtc('100700');
  const retried = await call('POST', '/api/v1/prop-accounts/h2/mark-to-market', SERVICE, undefined, key);
  assert.equal(retried.body.events, marked.body.events, 'the first mark, not a second one at the new price');
  assert.is(ledger.store.headPosition(), markHead);
  const bad = await call('POST', '/api/v1/prop-accounts/h2/mark-to-market', SERVICE, undefined, { 'idempotency-key': 'no spaces' });
  assert.is(bad.status, 400);
});

test('a refused action is recorded and visible; mark, snapshots, admin freeze and close', async () => {
  const refused = await call('POST', '/api/v1/prop-accounts/h1/actions', SERVICE, {
    decisionRunId: 'run-2',
    asset: 'BTC',
    action: 'increase',
    side: 'long',
    size: '0.1',
    leverage: 45,
  });
  assert.is(refused.status, 200, JSON.stringify(refused.body));
  assert.is((refused.body.rejections as { reasonCode: string }[])[0]?.reasonCode, 'leverage_over_cap');
  const rejections = await call('GET', '/api/v1/prop-accounts/h1/rejections', 'user:alice');
  assert.is(rejections.status, 200, JSON.stringify(rejections.body));
  const rejection = (rejections.body.items as { reasonCode: string; figures: Record<string, string> }[])[0];
  assert.is(rejection?.reasonCode, 'leverage_over_cap');
  assert.is(typeof rejection?.figures, 'object', 'figures are an object, not JSON in a string');
  setBtc('101000');
  const marked = await call('POST', '/api/v1/prop-accounts/h1/mark-to-market', SERVICE);
  assert.is(marked.status, 200);
  assert.is((marked.body.account as { unrealizedPnlMicroUsd: string }).unrealizedPnlMicroUsd, '500000000'); // 0.5 × 1,000
  ledger.projections.catchUpAll();
  const snapshots = await call('GET', '/api/v1/prop-accounts/h1/snapshots', 'user:alice');
  const snapshot = (snapshots.body.items as { equityMicroUsd: string; positions: { asset: string; markPriceE8: string }[] }[])[0];
  assert.is(snapshot?.equityMicroUsd, '20477500000');
  assert.equal(
    snapshot?.positions.map((p) => [p.asset, p.markPriceE8]),
    [['BTC', '10100000000000']],
  );
  assert.is((await call('POST', '/api/v1/prop-accounts/h1/freeze', SERVICE, { reason: 'x' })).status, 403);
  const frozen = await call('POST', '/api/v1/prop-accounts/h1/freeze', 'admin:root', { reason: 'incident 7' });
  assert.is((frozen.body.account as { status: string }).status, 'frozen');
  const closed = await call('POST', '/api/v1/prop-accounts/h1/close', 'admin:root', { reason: 'audit' });
  assert.equal(
    (closed.body.events as { type: string }[]).map((e) => e.type),
    ['AccountClosed'],
  );
  assert.is((closed.body.account as { realizedPnlMicroUsd: string }).realizedPnlMicroUsd, '500000000');
  assert.equal(
    (closed.body.fills as { kind: string; sizeE8: string }[]).map((f) => [f.kind, f.sizeE8]),
    [['admin_close', '-50000000']],
  );
  const byAdmin = ledger.store.readStream('prop-account-h1').find((e) => e.type === 'AccountFrozen');
  assert.is(byAdmin?.metadata.actor, 'user:root');
});

test('access: owners and admins read, others are refused; writes need a service token', async () => {
  assert.is((await call('GET', '/api/v1/prop-accounts/h1')).status, 401);
  assert.is((await call('GET', '/api/v1/prop-accounts/h1', 'user:bob')).status, 403);
  assert.is((await call('GET', '/api/v1/prop-accounts/h1/fills', 'user:bob')).status, 403);
  assert.is((await call('GET', '/api/v1/prop-accounts/nope', 'admin:root')).status, 404);
  assert.is((await call('POST', '/api/v1/prop-accounts/h1/mark-to-market', 'user:alice')).status, 403);
});

test('bad input is a 400 naming the field and appends nothing', async () => {
  const head = ledger.store.headPosition();
  const bad = await call('POST', '/api/v1/prop-accounts/h1/actions', SERVICE, {
    decisionRunId: 'r',
    asset: 'BTC',
    action: 'open',
    side: 'up',
    size: '1',
    leverage: 2,
  });
  assert.is(bad.status, 400);
  assert.match(JSON.stringify(bad.body.error?.details), 'side');
  const decimals = await call('POST', '/api/v1/prop-accounts/h1/actions', SERVICE, {
    decisionRunId: 'r',
    asset: 'BTC',
    action: 'open',
    side: 'long',
    size: '0.123456789',
    leverage: 2,
  });
  assert.is(decimals.status, 400);
  assert.match(decimals.body.error?.message ?? '', 'size');
  const noLeverage = await call('POST', '/api/v1/prop-accounts/h1/actions', SERVICE, {
    decisionRunId: 'r',
    asset: 'BTC',
    action: 'open',
    side: 'long',
    size: '1',
  });
  assert.is(noLeverage.status, 400);
  assert.match(noLeverage.body.error?.message ?? '', 'leverage');
  assert.is((await call('GET', '/api/v1/prop-accounts/h1/fills?limit=0', SERVICE)).status, 400);
  // not a whole hour, not a string, and whole hours that no calendar has (February 30, hour 25)
  for (const hour of ['2026-01-05T13:30:00.000Z', 1767618000000, '2026-02-30T13:00:00.000Z', '2026-01-05T25:00:00.000Z']) {
    const funding = await call('POST', '/api/v1/prop-accounts/h1/funding', SERVICE, { hour });
    assert.is(funding.status, 400, String(hour));
    assert.match(JSON.stringify(funding.body.error?.details), 'json.hour');
  }
  assert.is(ledger.store.headPosition(), head);
});

test('amounts beyond the stated maxima and unsafe or unknown ids are refused, naming the field; nothing is appended', async () => {
  const head = ledger.store.headPosition();
  const open = (fields: Record<string, unknown>) =>
    call('POST', '/api/v1/prop-accounts', SERVICE, { cloneId: 'clone-alice', strategyVersionId: 'v1', purpose: 'audition', ...fields });
  const fieldsOf = (r: Awaited<ReturnType<typeof call>>) =>
    (r.body.error?.details.issues as { path: string }[] | undefined)?.map((i) => i.path) ?? [];
  for (const [fields, field] of [
    [{ startingEquityUsd: '9'.repeat(200_000) }, 'json.startingEquityUsd'],
    [{ startingEquityUsd: (2n ** 256n).toString() }, 'json.startingEquityUsd'],
    [{ startingEquityUsd: '1000000000.000001' }, 'json.startingEquityUsd'],
    [{ startingEquityUsd: '0' }, 'json.startingEquityUsd'],
    [{ startingEquityUsd: '0.000000' }, 'json.startingEquityUsd'],
    [{ rules: { maxPositionNotionalMicroUsd: '1'.repeat(100) } }, 'json.rules.maxPositionNotionalMicroUsd'],
    [{ accountId: '__proto__' }, 'json.accountId'],
    [{ accountId: 'constructor' }, 'json.accountId'],
    [{ cloneId: '__proto__' }, 'json.cloneId'],
  ] as const) {
    const refused = await open(fields);
    assert.is(refused.status, 400, JSON.stringify(fields).slice(0, 80));
    assert.ok(fieldsOf(refused).includes(field), `${field} in ${JSON.stringify(refused.body).slice(0, 300)}`);
  }
  const unknownClone = await open({ cloneId: 'clone-nobody' });
  assert.is(unknownClone.status, 404);
  assert.is(unknownClone.body.error?.code, 'clone_not_found');
  const unknownVersion = await open({ strategyVersionId: 'v-unknown' });
  assert.is(unknownVersion.status, 404);
  assert.is(unknownVersion.body.error?.code, 'strategy_version_not_found');
  const huge = await call('POST', '/api/v1/prop-accounts/h1/actions', SERVICE, {
    decisionRunId: 'r-huge',
    asset: 'BTC',
    action: 'open',
    side: 'long',
    notionalUsd: '1'.repeat(100_000),
    leverage: 2,
  });
  assert.is(huge.status, 400);
  assert.ok(fieldsOf(huge).includes('json.notionalUsd'));
  const control = await call('POST', '/api/v1/prop-accounts/h1/actions', SERVICE, {
    decisionRunId: 'run\u001b[31m',
    asset: 'BTC',
    action: 'close',
    side: 'long',
  });
  assert.is(control.status, 400);
  assert.ok(fieldsOf(control).includes('json.decisionRunId'));
  assert.is(ledger.store.headPosition(), head);
  // At the maximum itself the account opens.
  assert.is((await open({ accountId: 'at-max', startingEquityUsd: '1000000000' })).status, 201);
});

test('an open may carry an exit plan: placed as protective orders; a bad plan is a 400 naming the field and appends nothing', async () => {
  setBtc('100000');
  const opened = await call('POST', '/api/v1/prop-accounts', SERVICE, {
    accountId: 'x1',
    cloneId: 'clone-alice',
    strategyVersionId: 'v1',
    purpose: 'race',
  });
  assert.is(opened.status, 201, JSON.stringify(opened.body));
  const order = { decisionRunId: 'run-x1', asset: 'BTC', action: 'open', side: 'long', size: '0.01', leverage: 2 };
  const fieldsOf = (r: Awaited<ReturnType<typeof call>>) =>
    (r.body.error?.details.issues as { path: string }[] | undefined)?.map((i) => i.path) ?? [];
  const head = ledger.store.headPosition();
  for (const [exitPlan, field, extra] of [
    [{ takeProfitPrice: '104000.123456789' }, 'json.exitPlan.takeProfitPrice', {}],
    [{ stopLossPrice: '1'.repeat(20) }, 'json.exitPlan.stopLossPrice', {}],
    [{ stopLossPrice: '0' }, 'json.exitPlan.stopLossPrice', {}],
    [{ invalidation: 'no prices' }, 'json.exitPlan.takeProfitPrice', {}],
    [{ stopLossPrice: '98000', invalidation: 'x'.repeat(301) }, 'json.exitPlan.invalidation', {}],
    [{ stopLossPrice: '98000', trailing: true }, 'json.exitPlan', {}],
    [{ stopLossPrice: '98000' }, 'json.exitPlan', { action: 'reduce' }],
  ] as const) {
    const refused = await call('POST', '/api/v1/prop-accounts/x1/actions', SERVICE, { ...order, ...extra, exitPlan });
    assert.is(refused.status, 400, JSON.stringify(exitPlan));
    assert.ok(fieldsOf(refused).includes(field), `${field} in ${JSON.stringify(refused.body).slice(0, 300)}`);
  }
  assert.is(ledger.store.headPosition(), head);
  const exitPlan = { takeProfitPrice: '104000', stopLossPrice: '98000.5', invalidation: 'loses 98,000' };
  const filled = await call('POST', '/api/v1/prop-accounts/x1/actions', SERVICE, { ...order, exitPlan });
  assert.is(filled.status, 200, JSON.stringify(filled.body));
  assert.equal(
    (filled.body.events as { type: string }[]).map((e) => e.type),
    ['OrderFilled', 'ProtectiveOrderPlaced', 'ProtectiveOrderPlaced'],
  );
  const resting = await call('GET', '/api/v1/prop-accounts/x1/protective-orders', 'user:alice');
  assert.is(resting.status, 200, JSON.stringify(resting.body));
  const orderId = (filled.body.fills as { orderId: string }[])[0]?.orderId;
  const placedAt = (filled.body.account as { updatedAt: string }).updatedAt;
  assert.equal(
    resting.body.items,
    [
      ['sl', 'stop_loss', '98000'],
      ['tp', 'take_profit', '104000'],
    ].map(([suffix, kind, price]) => ({
      protectiveOrderId: `${orderId}:${suffix}`,
      decisionRunId: 'run-x1',
      asset: 'BTC',
      kind,
      side: 'long',
      triggerPriceE8: String(px(price as string)),
      invalidation: 'loses 98,000',
      placedAt,
    })),
  );
  assert.is((await call('GET', '/api/v1/prop-accounts/x1/protective-orders', 'user:bob')).status, 403);
  const closed = await call('POST', '/api/v1/prop-accounts/x1/actions', SERVICE, {
    decisionRunId: 'run-x2',
    asset: 'BTC',
    action: 'close',
    side: 'long',
  });
  assert.is(closed.status, 200, JSON.stringify(closed.body));
  assert.equal((await call('GET', '/api/v1/prop-accounts/x1/protective-orders', SERVICE)).body.items, [], 'cancelled with the close');
});

test('the OpenAPI document lists every prop trading route', async () => {
  const doc = await call('GET', '/api/v1/openapi.json');
  const paths = Object.keys(doc.body.paths as object);
  for (const p of [
    '',
    '/positions',
    '/fills',
    '/journal',
    '/snapshots',
    '/rejections',
    '/actions',
    '/mark-to-market',
    '/funding',
    '/finalize',
    '/freeze',
    '/unfreeze',
    '/close',
  ]) {
    assert.ok(paths.includes(`/api/v1/prop-accounts/{id}${p}`), p);
  }
  assert.ok(paths.includes('/api/v1/prop-accounts'));
  const funding = (doc.body.components as { schemas: Record<string, { properties: Record<string, { pattern: string }> }> }).schemas
    .FundingInput;
  assert.is(funding?.properties.hour?.pattern, '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:00:00\\.000Z$', 'the whole-hour rule is in the document');
});

test.after(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  ledger.close();
  dir.remove();
});
test.run();
