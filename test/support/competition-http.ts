/** The competition over HTTP for end-to-end tests: expected answers, clones, trades through Prop Trading's service route, audits of a copied database. */
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import * as assert from 'uvu/assert';
import type { Db } from '../../core/database.ts';
import type { TestEconomy } from './competition-economy.ts';
import { chainGraph } from './graphs.ts';
import { startTestServer, type TestServer } from './server.ts';
import { newAccount } from './siwe.ts';
import { tempDir } from './store.ts';

export interface Audition {
  auditionId: string;
  status: string;
  propAccountId: string;
  failureReason: string | null;
  attempt: number;
  feePaymentId: string;
}

export function competitionClient(server: TestServer, serviceToken: string) {
  /** The answer's body, asserting its status. */
  const ok = async <T>(status: number, method: string, path: string, options: { body?: unknown; auth?: string } = {}): Promise<T> => {
    const res = await server.call(method, path, options);
    assert.is(res.status, status, `${method} ${path}: ${JSON.stringify(res.body)}`);
    return res.body as T;
  };
  /** A new clone with a draft strategy; publishing needs an entitlement (a dev grant, or a paid audition fee). */
  const draftClone = async (auth: string, name: string): Promise<string> => {
    const { id } = await ok<{ id: string }>(201, 'POST', '/api/v1/clones', { auth, body: { name, modelTier: 'basic' } });
    await ok(200, 'PUT', `/api/v1/clones/${id}/draft`, { auth, body: { graph: chainGraph(), layout: {} } });
    return id;
  };
  const publish = (auth: string, cloneId: string) => ok(201, 'POST', `/api/v1/clones/${cloneId}/versions`, { auth });
  /** A decision's action on a prop account, sent as the decision runner would. */
  const trade = (accountId: string, body: Record<string, unknown>) =>
    ok<{ events: { type: string }[]; rejections: { reasonCode: string }[] }>(200, 'POST', `/api/v1/prop-accounts/${accountId}/actions`, {
      auth: `Bearer ${serviceToken}`,
      body: { decisionRunId: `run-${server.clock.now()}`, asset: 'BTC', ...body },
    });
  const submitAudition = (auth: string, cloneId: string) => ok<Audition>(201, 'POST', `/api/v1/clones/${cloneId}/auditions`, { auth });
  const audition = (auth: string, auditionId: string) => ok<Audition>(200, 'GET', `/api/v1/auditions/${auditionId}`, { auth });
  const lifecycle = async (auth: string, cloneId: string) =>
    (await ok<{ lifecycleState: string }>(200, 'GET', `/api/v1/clones/${cloneId}`, { auth })).lifecycleState;
  return { ok, draftClone, publish, trade, submitAudition, audition, lifecycle };
}

/** A consistent copy of a live database (VACUUM INTO) in a fresh temporary folder. */
export function copyOfDb(db: Db): string {
  const file = join(tempDir('clash-audit-').path, 'audit.db');
  db.exec(`VACUUM INTO '${file}'`);
  return file;
}

/** A copy of `file` where `sql` (with `params`) has changed the log: the copy's append-only trigger is dropped first. */
export function tamperedCopy(file: string, sql: string, ...params: string[]): string {
  const tampered = file.replace(/\.db$/, '-tampered.db');
  copyFileSync(file, tampered);
  const db = new Database(tampered);
  db.exec('DROP TRIGGER events_append_only_update');
  assert.is(db.prepare(sql).run(...params).changes, 1, 'one event tampered with');
  db.close();
  return tampered;
}

/**
 * A test server for the competition over HTTP at `now`: the dev identity, an admin wallet, a
 * worker service token, the competition's own tick off (tests tick a worker themselves) and
 * this Economy double. Returns the server and the admin's account.
 */
export async function startCompetitionServer(now: number, serviceToken: string, economy: TestEconomy) {
  const adminAccount = newAccount();
  const server = await startTestServer(
    {
      CLASH_DEV_IDENTITY: 'true',
      CLASH_ADMIN_ADDRESSES: adminAccount.address,
      CLASH_SERVICE_TOKENS: `worker:${serviceToken}`,
      CLASH_COMPETITION_TICK_MS: '0',
    },
    now,
    { competitionEconomy: economy },
  );
  return { server, adminAccount };
}
