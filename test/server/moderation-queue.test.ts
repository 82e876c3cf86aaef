/**
 * The moderation queue over HTTP: given profiles reported by several users and moderated by an
 * admin, the queue lists those with open reports newest (or most reported) first, with the
 * public profile, the open reports and the history of reports and decisions; filters by state;
 * pages by cursor without skipping or repeating; bad queries are 400s naming the field.
 */
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startTestServer } from '../support/server.ts';
import { newAccount } from '../support/siwe.ts';
import { SessionUser } from '../support/users.ts';

const adminAccount = newAccount();
const server = await startTestServer({ CLASH_ADMIN_ADDRESSES: adminAccount.address });
const admin = await SessionUser.signIn(server, adminAccount);
const owner = await SessionUser.signIn(server, newAccount());
const reporters = [
  await SessionUser.signIn(server, newAccount()),
  await SessionUser.signIn(server, newAccount()),
  await SessionUser.signIn(server, newAccount()),
];

interface Item {
  cloneId: string;
  profile: { cloneId: string; name: string; moderationStatus: string };
  moderationStatus: string;
  openReports: number;
  totalReports: number;
  lastReportedAt: string;
  reports: { reason: string; reporterUserId: string }[];
  history: { kind: string; reason: string; by: string; resolvedReports?: number }[];
}
interface Page {
  items: Item[];
  next: string | null;
}

async function expectOk<T>(res: Promise<{ status: number; body: unknown }>, status = 200): Promise<T> {
  const r = await res;
  assert.is(r.status, status, JSON.stringify(r.body));
  return r.body as T;
}
const queue = (query = '') => expectOk<Page>(admin.call('GET', `/api/v1/admin/moderation${query}`));
const tick = () => server.clock.set(server.clock.now() + 1_000);

async function clone(name: string): Promise<string> {
  return (await expectOk<{ id: string }>(owner.call('POST', '/api/v1/clones', { name, modelTier: 'basic' }), 201)).id;
}
async function report(id: string, by: SessionUser, reason: string) {
  tick();
  await expectOk(by.call('POST', `/api/v1/clones/${id}/reports`, { reason }), 201);
}
async function moderate(id: string, action: 'retire' | 'reinstate', reason: string) {
  tick();
  await expectOk(admin.call('POST', `/api/v1/admin/clones/${id}/${action}`, { reason }));
}

const [a, b, c, d] = [await clone('Alpha'), await clone('Bravo'), await clone('Charlie'), await clone('Delta')];
const [r0, r1, r2] = reporters as [SessionUser, SessionUser, SessionUser];
await report(b, r0, 'spam name');
await report(b, r1, 'spam name');
await report(c, r0, 'misleading');
await report(c, r1, 'impersonation');
await moderate(c, 'retire', 'impersonates a brand');
await report(d, r0, 'rude avatar');
await moderate(d, 'retire', 'rude avatar');
await moderate(d, 'reinstate', 'avatar changed');
await report(a, r0, 'scam claims');
await report(b, r2, 'offensive');
await report(c, r2, 'still impersonating');

test('open reports, newest first: the public profile, counts, reasons, history with the decisions', async () => {
  const page = await queue();
  assert.equal(
    page.items.map((i) => [i.profile.name, i.openReports, i.totalReports]),
    [
      ['Charlie', 1, 3],
      ['Bravo', 3, 3],
      ['Alpha', 1, 1],
    ],
  );
  assert.is(page.next, null);
  const charlie = page.items[0] as Item;
  assert.equal([charlie.cloneId, charlie.moderationStatus, charlie.profile.moderationStatus], [c, 'retired', 'retired']);
  assert.equal(
    charlie.reports.map((r) => [r.reason, r.reporterUserId]),
    [['still impersonating', r2.userId]],
  );
  assert.equal(
    charlie.history.map((h) => [h.kind, h.reason, h.resolvedReports]),
    [
      ['reported', 'still impersonating', undefined],
      ['retired', 'impersonates a brand', 2],
      ['reported', 'impersonation', undefined],
      ['reported', 'misleading', undefined],
    ],
  );
  assert.is(charlie.history[1]?.by, admin.userId);
  const pub = await expectOk<Record<string, unknown>>(server.call('GET', `/api/v1/public/clones/${c}`));
  assert.equal(charlie.profile, pub, 'the profile as the public sees it');
  assert.is(charlie.lastReportedAt, new Date(server.clock.now()).toISOString());
});

test('most reported first; filtered by state; resolved profiles only with reports=all', async () => {
  assert.equal(
    (await queue('?sort=most_reported')).items.map((i) => i.profile.name),
    ['Bravo', 'Charlie', 'Alpha'],
  );
  assert.equal(
    (await queue('?state=retired')).items.map((i) => i.profile.name),
    ['Charlie'],
  );
  assert.equal(
    (await queue('?state=active')).items.map((i) => i.profile.name),
    ['Bravo', 'Alpha'],
  );
  const all = await queue('?reports=all');
  assert.equal(
    all.items.map((i) => [i.profile.name, i.openReports]),
    [
      ['Charlie', 1],
      ['Bravo', 3],
      ['Alpha', 1],
      ['Delta', 0],
    ],
  );
  const delta = all.items.find((i) => i.cloneId === d);
  assert.equal(
    delta?.history.map((h) => [h.kind, h.resolvedReports]),
    [
      ['reinstated', 0],
      ['retired', 1],
      ['reported', undefined],
    ],
  );
});

test('paging by cursor visits every item once, in order, for both sorts', async () => {
  for (const sort of ['newest', 'most_reported']) {
    const whole = (await queue(`?reports=all&sort=${sort}`)).items.map((i) => i.cloneId);
    const paged: string[] = [];
    let after: string | null = null;
    do {
      const page: Page = await queue(`?reports=all&sort=${sort}&limit=1${after ? `&after=${after}` : ''}`);
      paged.push(...page.items.map((i) => i.cloneId));
      after = page.next;
    } while (after);
    assert.equal(paged, whole, sort);
    assert.is(paged.length, 4);
  }
});

test('admins only; a bad query is a 400 naming the field', async () => {
  assert.is((await server.call('GET', '/api/v1/admin/moderation')).status, 401);
  assert.is((await owner.call('GET', '/api/v1/admin/moderation')).status, 403);
  for (const [query, field] of [
    ['?limit=0', 'limit'],
    ['?state=banned', 'state'],
    ['?after=x', 'after'],
    ['?sort=oldest', 'sort'],
  ] as const) {
    const res = await admin.call('GET', `/api/v1/admin/moderation${query}`);
    assert.is(res.status, 400, query);
    assert.match(JSON.stringify(res.body), field);
  }
});

test.after(() => server.stop());
test.run();
