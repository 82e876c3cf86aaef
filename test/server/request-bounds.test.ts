/**
 * Every string and collection a client can send is bounded: walks the request side (path,
 * query and header parameters, JSON bodies) of every operation in the served OpenAPI document.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { type OperationObject, operationsOf, requestSchemasOf, type ServedDocument, unboundedIn } from '../support/openapi.ts';
import { startTestServer } from '../support/server.ts';

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

test.after(() => server.stop());
test.run();
