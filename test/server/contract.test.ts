/** The contract check every HTTP test runs (test/support/contract.ts) catches drift: a wrong field, an unlisted status. */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { contractOf } from '../support/contract.ts';
import { startTestServer } from '../support/server.ts';

const server = await startTestServer();
const contract = await contractOf(server.url);

test('Given a real answer, When it is checked, Then it matches its route and status', async () => {
  const health = await server.call('GET', '/api/v1/health');
  contract.check('GET', '/api/v1/health', health.status, health.body);
  assert.is(contract.templateOf('/api/v1/races/current'), '/api/v1/races/current');
  assert.is(contract.templateOf('/api/v1/races/r-1?limit=2'), '/api/v1/races/{id}');
});

test('Given an answer whose field drifted, When it is checked, Then it throws naming the field', async () => {
  const { body } = await server.call('GET', '/api/v1/health');
  const drifted = { ...(body as object), status: 'ok' };
  assert.throws(() => contract.check('GET', '/api/v1/health', 200, drifted), /\/status must be equal to one of the allowed values/);
  const extra = { ...(body as object), head: 12 };
  assert.throws(() => contract.check('GET', '/api/v1/health', 200, extra), /must NOT have additional properties/);
});

test('Given a status the document does not list, When it is checked, Then it throws', () => {
  assert.throws(() => contract.check('GET', '/api/v1/health', 500, { error: {} }), /does not list/);
  assert.throws(
    () => contract.check('GET', '/api/v1/races/r-1', 404, { error: { code: 'not_found' } }),
    /does not match its schema: \/error must have required property 'message'/,
  );
});

test('Every response is typed: no open object anywhere but the error details', async () => {
  const doc = (await server.call('GET', '/api/v1/openapi.json')).body;
  const open: string[] = [];
  const walk = (node: unknown, at: string) => {
    if (Array.isArray(node)) {
      for (const [i, n] of node.entries()) walk(n, `${at}/${i}`);
    } else if (node && typeof node === 'object') {
      const o = node as Record<string, unknown>;
      const extra = o.additionalProperties;
      if (extra !== undefined && typeof extra === 'object' && extra !== null && Object.keys(extra).length === 0) open.push(at);
      if (o.type === 'object' && !o.properties && extra === undefined) open.push(at);
      for (const [k, v] of Object.entries(o)) walk(v, `${at}/${k}`);
    }
  };
  walk(doc, '');
  assert.equal(open, ['/components/schemas/Error/properties/error/properties/details']);
});

test.after(() => server.stop());
test.run();
