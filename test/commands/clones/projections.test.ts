/**
 * The module's read models equal a replay of the log, and a rebuild answers the lifecycle and
 * moderation reads as before; ownership lookup; lifecycle derivation.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { rebuildProjection, verifyProjection } from '../../../core/projection-rebuild.ts';
import { lifecycleProjection } from '../../../projections/clones/lifecycle.ts';
import { lifecycleStateOf } from '../../../projections/clones/lifecycle-state.ts';
import { lifecycleSummaryOf } from '../../../projections/clones/lifecycle-summary.ts';
import { moderationQueue } from '../../../projections/clones/moderation.ts';
import { cloneOwnership } from '../../../projections/clones/ownership.ts';
import { profilesProjection } from '../../../projections/clones/profiles.ts';
import { productComposition } from '../../../server/composition.ts';
import { chainGraph } from '../../support/graphs.ts';
import { startTestServer } from '../../support/server.ts';
import { newAccount, signIn } from '../../support/siwe.ts';

test('after a busy session every projection verifies against a replay, and ownerOf answers', async () => {
  const adminAccount = newAccount();
  const server = await startTestServer({ CLASH_DEV_IDENTITY: 'true', CLASH_ADMIN_ADDRESSES: adminAccount.address });
  const admin = await signIn(server, adminAccount);
  const owner = await signIn(server, newAccount());
  await server.call('POST', '/api/v1/auth/refresh', { body: { refreshToken: owner.refreshToken } });
  await server.call('POST', '/api/v1/auth/refresh', { body: { refreshToken: owner.refreshToken } }); // reuse: revoked
  const fresh = await signIn(server, newAccount());
  const res = await server.call('POST', '/api/v1/clones', { auth: fresh.auth, body: { name: 'Replay', modelTier: 'basic' } });
  const id = (res.body as { id: string }).id;
  for (const symbols of [['BTC'], ['ETH', 'SOL']]) {
    await server.call('PUT', `/api/v1/clones/${id}/draft`, { auth: fresh.auth, body: { graph: chainGraph(symbols), layout: {} } });
    await server.call('POST', `/api/v1/admin/clones/${id}/entitlement`, { auth: admin.auth, body: { tier: 'builder', reason: 'beta' } });
    await server.call('POST', `/api/v1/clones/${id}/versions`, { auth: fresh.auth });
  }
  await server.call('POST', `/api/v1/clones/${id}/reports`, { auth: admin.auth, body: { reason: 'check it' } });
  await server.call('POST', `/api/v1/admin/clones/${id}/retire`, { auth: admin.auth, body: { reason: 'review' } });
  const other = await signIn(server, newAccount());
  await server.call('POST', `/api/v1/clones/${id}/reports`, { auth: other.auth, body: { reason: 'again' } });
  await server.call('POST', `/api/v1/admin/clones/${id}/reinstate`, { auth: admin.auth, body: { reason: 'fine after all' } });
  await server.call('POST', `/api/v1/clones/${id}/reports`, { auth: fresh.auth, body: { reason: 'my own, for the test' } });

  const versions = server.ledger.store.db.prepare('SELECT number FROM strategy_versions WHERE clone_id = ? ORDER BY number').all(id);
  assert.equal(versions, [{ number: 1 }, { number: 2 }]);
  for (const p of productComposition.projections) {
    const r = verifyProjection(server.ledger.store, p);
    assert.ok(r.ok, `${p.name}: ${JSON.stringify(r.firstDifference)}`);
  }
  const db = server.ledger.store.db;
  const reads = () => ({
    lifecycle: lifecycleSummaryOf(db, id),
    queue: moderationQueue(db, { reports: 'all', sort: 'newest', limit: 10 }),
  });
  const before = reads();
  assert.is(before.queue.items[0]?.openReports, 1);
  assert.equal(
    before.queue.items[0]?.history.map((h) => h.kind),
    ['reported', 'reinstated', 'reported', 'retired', 'reported'],
  );
  assert.is(before.lifecycle?.clone.activeVersion, 2);
  for (const p of [lifecycleProjection, profilesProjection]) rebuildProjection(server.ledger.store, p, { batchSize: 3 });
  assert.equal(reads(), before, 'a rebuild answers the same');
  const ownership = cloneOwnership(server.ledger.store.db);
  assert.is(ownership.ownerOf(id), fresh.user.id);
  assert.is(ownership.ownerOf('missing'), undefined);
  await server.stop();
});

test('lifecycle state: later facts win', () => {
  const base = { hasActiveVersion: false, audition: 'none', arena: 'none' } as const;
  const cases: [Partial<Parameters<typeof lifecycleStateOf>[0]>, string][] = [
    [{}, 'setup_required'],
    [{ hasActiveVersion: true }, 'configured'],
    [{ hasActiveVersion: true, audition: 'running' }, 'audition_running'],
    [{ hasActiveVersion: true, audition: 'failed' }, 'audition_failed'],
    [{ hasActiveVersion: true, audition: 'voided' }, 'audition_voided'],
    [{ hasActiveVersion: true, audition: 'passed' }, 'competition_eligible'],
    [{ audition: 'passed', arena: 'queued' }, 'competition_eligible'],
    [{ audition: 'passed', arena: 'competing' }, 'competing'],
    [{ audition: 'passed', arena: 'retired' }, 'retired'],
  ];
  for (const [facts, state] of cases) assert.is(lifecycleStateOf({ ...base, ...facts }), state, JSON.stringify(facts));
});

test.run();
