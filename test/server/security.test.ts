/**
 * The document's `security` is what each route really accepts: every operation is called with
 * no credentials, a service token and a plain user's token (and no body: access is checked
 * before input), and the answers must agree with the schemes the operation lists.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startTestServer } from '../support/server.ts';
import { newAccount, signIn } from '../support/siwe.ts';

const SERVICE = 'svc-secret-0123456789abcdefghij';
const server = await startTestServer({ CLASH_SERVICE_TOKENS: `worker:${SERVICE}` });
const user = await signIn(server, newAccount());

interface Operation {
  security?: Record<string, string[]>[];
}
const doc = (await server.call('GET', '/api/v1/openapi.json')).body as {
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, { type: string; scheme: string }> };
  servers: { url: string }[];
};
const operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
  Object.entries(ops).map(([method, op]) => ({ method: method.toUpperCase(), path, security: op.security ?? [] })),
);
const concrete = (path: string) => path.replace('{number}', '1').replace(/\{[^}]+\}/g, 'x-1');
const accepts = (security: Record<string, string[]>[], scheme: string, role?: string) =>
  security.some((s) => scheme in s && (s[scheme]?.length === 0 || (role !== undefined && s[scheme]?.includes(role))));

test('The document declares both bearer schemes and where the API is served', () => {
  assert.equal(Object.keys(doc.components.securitySchemes).sort(), ['serviceToken', 'userToken']);
  for (const scheme of Object.values(doc.components.securitySchemes)) assert.equal([scheme.type, scheme.scheme], ['http', 'bearer']);
  assert.equal(
    doc.servers.map((s) => s.url),
    ['/'],
  );
  assert.ok(operations.length > 50, `${operations.length} operations`);
  const undeclared = Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops)
      .filter(([, op]) => op.security === undefined)
      .map(([method]) => `${method} ${path}`),
  );
  assert.equal(undeclared, [], 'every operation declares who may call it (secured(...), [] for public)');
});

test('Given each operation, When called without credentials, as a service and as a plain user, Then it answers as its security says', async () => {
  const wrong: string[] = [];
  for (const { method, path, security } of operations) {
    const url = concrete(path);
    const anonymous = (await server.call(method, url)).status;
    const service = (await server.call(method, url, { auth: `Bearer ${SERVICE}` })).status;
    const plain = (await server.call(method, url, { auth: user.auth })).status;
    const pub = security.length === 0;
    const expect = (who: string, status: number, ok: boolean) => {
      const refused = status === 401 || status === 403;
      if (ok === refused) wrong.push(`${method} ${path} as ${who}: ${status} but security is ${JSON.stringify(security)}`);
    };
    expect('anonymous', anonymous, pub);
    if (!pub && anonymous !== 401) wrong.push(`${method} ${path} anonymous: ${anonymous}, expected 401`);
    expect('service', service, pub || accepts(security, 'serviceToken'));
    expect('user', plain, pub || accepts(security, 'userToken'));
  }
  assert.equal(wrong, []);
});

test.after(() => server.stop());
test.run();
