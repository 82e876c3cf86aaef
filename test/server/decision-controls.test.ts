/**
 * Admin controls of the decision runtime over HTTP: an operator pauses a clone and an engine,
 * lists the pauses, cannot pause twice (409), name an unknown engine (400, naming the field) or a
 * clone that does not exist (404, nothing appended), resumes; each change is an event of
 * `decision-controls` with the caller as actor.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CONTROLS_STREAM } from '../../commands/decisions/controls.ts';
import { codeOf, startTestServer } from '../support/server.ts';
import { newAccount } from '../support/siwe.ts';
import { SessionUser } from '../support/users.ts';

const serviceToken = 'ops:0123456789abcdefghijklmnop';
const server = await startTestServer({ CLASH_SERVICE_TOKENS: serviceToken });
const auth = `Bearer ${serviceToken.split(':')[1]}`;
const PAUSES = '/api/v1/admin/decisions/pauses';
const owner = await SessionUser.signIn(server, newAccount());
const created = await owner.call('POST', '/api/v1/clones', { name: 'Paused', modelTier: 'basic' });
const cloneId = (created.body as { id: string }).id;

test('pause a clone and an engine, list them, refuse a second pause and a bad target, resume', async () => {
  const clone = await server.call('POST', PAUSES, { auth, body: { scope: 'clone', target: cloneId, reason: 'odd fills' } });
  assert.is(clone.status, 201);
  const engine = await server.call('POST', PAUSES, { auth, body: { scope: 'source', target: 'anthropic', reason: 'provider incident' } });
  assert.is(engine.status, 201);
  const listed = (await server.call('GET', PAUSES, { auth })).body as {
    items: { scope: string; target: string; by: string; pausedAt: string }[];
  };
  assert.equal(
    listed.items.map((p) => [p.scope, p.target, p.by]),
    [
      ['clone', cloneId, 'service:ops'],
      ['source', 'anthropic', 'service:ops'],
    ],
  );
  assert.match(listed.items[0]?.pausedAt ?? '', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  const again = await server.call('POST', PAUSES, { auth, body: { scope: 'clone', target: cloneId, reason: 'twice' } });
  assert.is(again.status, 409);
  assert.is(codeOf(again.body), 'already_paused');
  const bad = await server.call('POST', PAUSES, { auth, body: { scope: 'source', target: 'gpt', reason: 'x' } });
  assert.is(bad.status, 400);
  assert.match(JSON.stringify(bad.body), /target/);
  const resumed = await server.call('POST', `${PAUSES}/resume`, { auth, body: { scope: 'clone', target: cloneId, reason: 'checked' } });
  assert.is(resumed.status, 200);
  assert.equal(
    (resumed.body as { items: { target: string }[] }).items.map((p) => p.target),
    ['anthropic'],
  );
  const notPaused = await server.call('POST', `${PAUSES}/resume`, { auth, body: { scope: 'clone', target: cloneId, reason: 'again' } });
  assert.is(codeOf(notPaused.body), 'not_paused');
  const events = server.ledger.store.readStream(CONTROLS_STREAM);
  assert.equal(
    events.map((e) => [e.type, e.metadata.actor]),
    [
      ['DecisionsPaused', 'service:ops'],
      ['DecisionsPaused', 'service:ops'],
      ['DecisionsResumed', 'service:ops'],
    ],
  );
});

test('pausing a clone that does not exist is a 404 naming it, and appends nothing', async () => {
  const head = server.ledger.store.headPosition();
  const typo = await server.call('POST', PAUSES, { auth, body: { scope: 'clone', target: `${cloneId}x`, reason: 'odd fills' } });
  assert.is(typo.status, 404, JSON.stringify(typo.body));
  assert.is(codeOf(typo.body), 'clone_not_found');
  assert.match(JSON.stringify(typo.body), `${cloneId}x`);
  assert.is(server.ledger.store.headPosition(), head);
});

test.after(() => server.stop());
test.run();
