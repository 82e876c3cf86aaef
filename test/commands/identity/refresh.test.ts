/** Refresh-token rotation, reuse detection, logout and token lifetimes, through the real endpoints. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { RefreshTokenRotated } from '../../../commands/identity/events.ts';
import { dataFieldSql } from '../../../core/event-registry.ts';
import { codeOf, startTestServer } from '../../support/server.ts';
import { newAccount, type SignedIn, signIn } from '../../support/siwe.ts';

/** SQL: a stored RefreshTokenRotated's session id. */
const SESSION_ID = dataFieldSql('events', [RefreshTokenRotated], 'sessionId');

const server = await startTestServer();
const refresh = (refreshToken: string) => server.call('POST', '/api/v1/auth/refresh', { body: { refreshToken } });
const me = (s: { accessToken: string }) => server.call('GET', '/api/v1/me', { auth: `Bearer ${s.accessToken}` });

test('refresh rotates: a new pair each time, the old access token keeps working until it expires', async () => {
  const s = await signIn(server, newAccount());
  const r1 = await refresh(s.refreshToken);
  assert.is(r1.status, 200);
  const next = r1.body as SignedIn;
  assert.is.not(next.refreshToken, s.refreshToken);
  assert.is(next.user.id, s.user.id);
  assert.is((await me(next)).status, 200);
  assert.is((await refresh(next.refreshToken)).status, 200);
});

test('reusing a rotated refresh token after the grace window revokes the whole family', async () => {
  const s = await signIn(server, newAccount());
  const rotated = (await refresh(s.refreshToken)).body as SignedIn;
  server.clock.advance(10_000);
  const reuse = await refresh(s.refreshToken);
  assert.is(reuse.status, 401);
  assert.is(codeOf(reuse.body), 'refresh_token_reused');
  assert.is(codeOf((await refresh(rotated.refreshToken)).body), 'refresh_token_revoked', 'the current token of the family is dead too');
  assert.is((await me(rotated)).status, 401, 'access tokens of a revoked session are refused');
  const row = server.ledger.store.db.prepare('SELECT revoke_reason FROM sessions WHERE session_id = ?').get(s.refreshToken.split('.')[1]);
  assert.equal(row, { revoke_reason: 'refresh_token_reused' });
});

test('grace window: a retried refresh gets the same successor and appends nothing; after the window reuse revokes', async () => {
  const s = await signIn(server, newAccount());
  const sessionId = s.refreshToken.split('.')[1];
  const rotations = () =>
    server.ledger.store.db
      .prepare(`SELECT COUNT(*) AS n FROM events WHERE type = 'RefreshTokenRotated' AND ${SESSION_ID} = ?`)
      .get(sessionId) as { n: number };
  const first = (await refresh(s.refreshToken)).body as SignedIn;
  server.clock.advance(9_000);
  const retry = await refresh(s.refreshToken);
  assert.is(retry.status, 200);
  assert.is((retry.body as SignedIn).refreshToken, first.refreshToken, 'the same successor');
  assert.equal(rotations(), { n: 1 });
  assert.is((await me(retry.body as SignedIn)).status, 200);
  server.clock.advance(1_000);
  const late = await refresh(s.refreshToken);
  assert.is(codeOf(late.body), 'refresh_token_reused', 'outside the 10 s window reuse revokes the family');
  assert.is(codeOf((await refresh(first.refreshToken)).body), 'refresh_token_revoked');
});

test('grace window: only the token rotated away last; an older one revokes even inside the window', async () => {
  const s = await signIn(server, newAccount());
  const second = (await refresh(s.refreshToken)).body as SignedIn;
  assert.is((await refresh(second.refreshToken)).status, 200);
  assert.is(codeOf((await refresh(s.refreshToken)).body), 'refresh_token_reused');
});

test('concurrent refreshes with one token: one rotation, every caller gets the same successor', async () => {
  const s = await signIn(server, newAccount());
  const answers = await Promise.all(Array.from({ length: 6 }, () => refresh(s.refreshToken)));
  assert.equal(
    answers.map((a) => a.status),
    Array(6).fill(200),
  );
  const successors = new Set(answers.map((a) => (a.body as SignedIn).refreshToken));
  assert.is(successors.size, 1);
  assert.is((await refresh([...successors][0] as string)).status, 200, 'the successor is the family’s current token');
});

test('two servers on one file: a refresh retried on the other server gets the same successor; one rotation', async () => {
  const other = await startTestServer({ CLASH_DB: server.ledger.store.db.name }, server.clock.now());
  try {
    const s = await signIn(server, newAccount());
    const first = (await refresh(s.refreshToken)).body as SignedIn;
    const there = await other.call('POST', '/api/v1/auth/refresh', { body: { refreshToken: s.refreshToken } });
    assert.is(there.status, 200, JSON.stringify(there.body));
    assert.is((there.body as SignedIn).refreshToken, first.refreshToken);
    const rotations = server.ledger.store.db
      .prepare(`SELECT COUNT(*) AS n FROM events WHERE type = 'RefreshTokenRotated' AND ${SESSION_ID} = ?`)
      .get(s.refreshToken.split('.')[1]);
    assert.equal(rotations, { n: 1 });
  } finally {
    await other.stop();
  }
});

test('logout revokes the session; its tokens stop working; other sessions live on', async () => {
  const account = newAccount();
  const a = await signIn(server, account);
  const b = await signIn(server, account);
  assert.is((await server.call('POST', '/api/v1/auth/logout', { body: { refreshToken: a.refreshToken } })).status, 204);
  assert.is((await me(a)).status, 401);
  assert.is(codeOf((await refresh(a.refreshToken)).body), 'refresh_token_revoked');
  assert.is((await me(b)).status, 200);
});

test('forged or malformed refresh tokens are refused without touching the family', async () => {
  const s = await signIn(server, newAccount());
  const [user, session] = s.refreshToken.split('.');
  const forged = `${user}.${session}.${'A'.repeat(43)}`;
  assert.is(codeOf((await refresh(forged)).body), 'refresh_token_invalid');
  assert.is(codeOf((await refresh('nonsense')).body), 'refresh_token_invalid');
  assert.is((await refresh(s.refreshToken)).status, 200, 'the genuine token still rotates');
});

test('access tokens last 15 minutes; sessions end after the refresh lifetime', async () => {
  const s = await signIn(server, newAccount());
  server.clock.advance(15 * 60_000 + 1000);
  assert.is((await me(s)).status, 401);
  const r = await refresh(s.refreshToken);
  assert.is(r.status, 200);
  server.clock.advance(30 * 24 * 3600_000);
  assert.is(codeOf((await refresh((r.body as SignedIn).refreshToken)).body), 'refresh_token_expired');
});

test('a token signed by another key (another server process) is refused', async () => {
  const elsewhere = await startTestServer();
  const s = await signIn(elsewhere, newAccount());
  await elsewhere.stop();
  assert.is((await me(s)).status, 401);
});

test.after(() => server.stop());
test.run();
