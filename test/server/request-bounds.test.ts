/**
 * Every string and collection a client can send is bounded: walks the request side (path,
 * query and header parameters, JSON bodies) of every operation in the served OpenAPI document.
 * Every object of a JSON body is closed: an unknown field is a 400 naming it, never dropped
 * silently (a misspelt optional field would otherwise change nothing without a word).
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  type OperationObject,
  openObjectsIn,
  operationsOf,
  requestSchemasOf,
  type ServedDocument,
  unboundedIn,
} from '../support/openapi.ts';
import { startTestServer } from '../support/server.ts';
import { newAccount } from '../support/siwe.ts';
import { SessionUser } from '../support/users.ts';

const server = await startTestServer();
const doc = (await (await fetch(`${server.url}/api/v1/openapi.json`)).json()) as ServedDocument;

test('every request string has a maxLength (or an enum), every array a maxItems, every map a maxProperties', () => {
  const problems: string[] = [];
  for (const op of operationsOf(doc)) {
    for (const [where, schema] of requestSchemasOf(op.operation as OperationObject)) {
      for (const p of unboundedIn(doc, schema)) problems.push(`${op.method.toUpperCase()} ${op.path} ${where}${p}`);
    }
  }
  assert.equal(problems, []);
});

test('every object of a request body declares additionalProperties: false', () => {
  const open: string[] = [];
  for (const op of operationsOf(doc)) {
    const body = (op.operation as OperationObject).requestBody?.content?.['application/json']?.schema;
    if (body) for (const p of openObjectsIn(doc, body)) open.push(`${op.method.toUpperCase()} ${op.path} json${p}`);
  }
  assert.equal(open, []);
});

test('an unknown field is a 400 naming it, and appends nothing', async () => {
  const user = await SessionUser.signIn(server, newAccount());
  const head = server.ledger.store.headPosition();
  const res = await user.call('POST', '/api/v1/clones', { name: 'Typo', modelTier: 'basic', modeltier: 'advanced' });
  assert.is(res.status, 400, JSON.stringify(res.body));
  assert.match(JSON.stringify(res.body), /modeltier/);
  assert.is(server.ledger.store.headPosition(), head);
});

test.after(() => server.stop());
test.run();
