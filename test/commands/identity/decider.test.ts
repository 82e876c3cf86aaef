/** Given/When/Then for the user decider, and properties of nonces and refresh-token families. */
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { type IdentityCommand, identityDecider } from '../../../commands/identity/decider.ts';
import type { IdentityEvent } from '../../../commands/identity/events.ts';
import { NonceBook } from '../../../commands/identity/nonces.ts';
import { openDatabase } from '../../../core/database.ts';
import type { ClashError } from '../../../core/errors.ts';
import { fold, specFor } from '../../support/decider-spec.ts';
import { fcRuns, fcSeed, tempDir } from '../../support/store.ts';

const spec = specFor(identityDecider);
const h = (n: number) => n.toString(16).padStart(64, '0');
const address = '0x9D85ca56217D2bb651b00f15e694EB7E713637D4';
const linked: IdentityEvent = { type: 'WalletLinked', data: { userId: 'u', address, chainId: 1, linkedAt: 1 } };
const started: IdentityEvent = {
  type: 'SessionStarted',
  data: { userId: 'u', sessionId: 's', refreshTokenHash: h(1), nonce: 'nonce1234', startedAt: 1, expiresAt: 1000 },
};
const rotate = (presented: number, next: number, at = 10, graceMs = 0): Extract<IdentityCommand, { type: 'RotateRefreshToken' }> => ({
  type: 'RotateRefreshToken',
  userId: 'u',
  sessionId: 's',
  presentedHash: h(presented),
  refreshTokenHash: h(next),
  at,
  graceMs,
});

test('the first sign-in links the wallet and starts a session', () => {
  spec
    .given([])
    .when({
      type: 'StartSession',
      userId: 'u',
      address,
      chainId: 1,
      sessionId: 's',
      refreshTokenHash: h(1),
      nonce: 'nonce1234',
      at: 1,
      expiresAt: 1000,
    })
    .thenEmits([linked, started]);
});

test('a later sign-in only starts a session; another wallet on the same user is refused', () => {
  const command = {
    type: 'StartSession',
    userId: 'u',
    chainId: 1,
    sessionId: 't',
    refreshTokenHash: h(9),
    nonce: 'nonce5678',
    at: 2,
    expiresAt: 9,
  } as const;
  spec
    .given([linked])
    .when({ ...command, address })
    .thenEmits([
      {
        type: 'SessionStarted',
        data: { userId: 'u', sessionId: 't', refreshTokenHash: h(9), nonce: 'nonce5678', startedAt: 2, expiresAt: 9 },
      },
    ]);
  spec
    .given([linked])
    .when({ ...command, address: '0x0000000000000000000000000000000000000001' })
    .thenThrows('wallet_mismatch');
});

test('rotation: the current token rotates; a rotated one revokes the family; others are invalid', () => {
  spec
    .given([linked, started])
    .when(rotate(1, 2))
    .thenEmits([
      {
        type: 'RefreshTokenRotated',
        data: { userId: 'u', sessionId: 's', previousTokenHash: h(1), refreshTokenHash: h(2), rotatedAt: 10 },
      },
    ]);
  const rotated: IdentityEvent = {
    type: 'RefreshTokenRotated',
    data: { userId: 'u', sessionId: 's', previousTokenHash: h(1), refreshTokenHash: h(2), rotatedAt: 5 },
  };
  spec
    .given([linked, started, rotated])
    .when(rotate(1, 3))
    .thenEmits([{ type: 'SessionRevoked', data: { userId: 'u', sessionId: 's', reason: 'refresh_token_reused', revokedAt: 10 } }]);
  spec.given([linked, started]).when(rotate(7, 3)).thenThrows('refresh_token_invalid');
  spec
    .given([linked, started])
    .when(rotate(1, 2, 1000))
    .thenThrows('refresh_token_expired');
  spec.given([linked]).when(rotate(1, 2)).thenThrows('refresh_token_invalid');
});

test('grace window: the token rotated away last, again within the window, decides nothing; later, or an older one, revokes', () => {
  const rotatedAt = (n: number, at: number): IdentityEvent => ({
    type: 'RefreshTokenRotated',
    data: { userId: 'u', sessionId: 's', previousTokenHash: h(n), refreshTokenHash: h(n + 1), rotatedAt: at },
  });
  const revokedAt = (at: number): IdentityEvent => ({
    type: 'SessionRevoked',
    data: { userId: 'u', sessionId: 's', reason: 'refresh_token_reused', revokedAt: at },
  });
  spec
    .given([linked, started, rotatedAt(1, 5)])
    .when(rotate(1, 9, 14, 10))
    .thenEmits([]);
  spec
    .given([linked, started, rotatedAt(1, 5)])
    .when(rotate(1, 9, 15, 10))
    .thenEmits([revokedAt(15)]);
  spec
    .given([linked, started, rotatedAt(1, 5), rotatedAt(2, 6)])
    .when(rotate(1, 9, 7, 10))
    .thenEmits([revokedAt(7)]);
  spec
    .given([linked, started, rotatedAt(1, 5), rotatedAt(2, 6)])
    .when(rotate(2, 9, 7, 10))
    .thenEmits([]);
});

test('logout revokes once; again is a no-op; a revoked family does not rotate', () => {
  const logout: IdentityCommand = { type: 'RevokeSession', userId: 'u', sessionId: 's', presentedHash: h(1), at: 20 };
  const revoked: IdentityEvent = { type: 'SessionRevoked', data: { userId: 'u', sessionId: 's', reason: 'logout', revokedAt: 20 } };
  spec.given([linked, started]).when(logout).thenEmits([revoked]);
  spec.given([linked, started, revoked]).when(logout).thenEmits([]);
  spec.given([linked, started, revoked]).when(rotate(1, 2)).thenThrows('refresh_token_revoked');
});

test('property: in any sequence of presented tokens, a reuse revokes the family and nothing rotates after it', () => {
  fc.assert(
    fc.property(fc.array(fc.nat({ max: 6 }), { maxLength: 25 }), (presentations) => {
      let events: IdentityEvent[] = [linked, started];
      let next = 100;
      let reused = false;
      for (const k of presentations) {
        const state = fold(identityDecider, events);
        const session = state.sessions.s;
        if (!session) throw new Error('no session');
        // present the current token, or the k-th previously rotated one when there is such
        const presented = session.previousHashes[k] ?? session.currentHash;
        const wasRotated = session.previousHashes.includes(presented);
        try {
          const emitted = identityDecider.decide({ ...rotate(0, next++), presentedHash: presented }, state);
          assert.not.ok(reused, 'nothing is decided after a reuse but a refusal');
          assert.is(emitted[0]?.type, wasRotated ? 'SessionRevoked' : 'RefreshTokenRotated');
          if (wasRotated) reused = true;
          events = [...events, ...emitted];
        } catch (error) {
          assert.ok(reused && (error as ClashError).code === 'refresh_token_revoked');
        }
      }
      assert.is(fold(identityDecider, events).sessions.s?.revoked, reused);
    }),
    { seed: fcSeed, numRuns: fcRuns },
  );
});

test('property: with a grace window, only the token rotated away last, inside the window, decides nothing', () => {
  const graceMs = 50;
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.nat({ max: 4 }), fc.nat({ max: 80 })), { maxLength: 25 }), (presentations) => {
      let events: IdentityEvent[] = [linked, started];
      let at = 1;
      let next = 100;
      for (const [k, step] of presentations) {
        at += step;
        const state = fold(identityDecider, events);
        const session = state.sessions.s;
        if (!session || session.revoked || at >= session.expiresAt) return;
        const presented = session.previousHashes[k] ?? session.currentHash;
        const inGrace = presented === session.previousHashes.at(-1) && at < (session.rotatedAt ?? -Infinity) + graceMs;
        const emitted = identityDecider.decide({ ...rotate(0, next++, at, graceMs), presentedHash: presented }, state);
        const expected = inGrace ? undefined : presented === session.currentHash ? 'RefreshTokenRotated' : 'SessionRevoked';
        assert.is(emitted[0]?.type, expected);
        events = [...events, ...emitted];
      }
    }),
    { seed: fcSeed, numRuns: fcRuns },
  );
});

test('property: a nonce burns at most once, and only before it expires (real SQLite file)', () => {
  const dir = tempDir();
  const db = openDatabase(dir.file('nonces.db'), { synchronous: 'NORMAL' });
  const book = new NonceBook(db, 1_000_000);
  let round = 0;
  fc.assert(
    fc.property(fc.array(fc.record({ nonce: fc.nat({ max: 4 }), at: fc.nat({ max: 600_000 }) }), { maxLength: 30 }), (attempts) => {
      round += 1;
      const name = (n: number) => `r${round}n${n}xyz`;
      for (let n = 0; n <= 4; n++) book.issue(name(n), 0, 300_000);
      const burned = new Set<string>();
      for (const { nonce, at } of [...attempts].sort((a, b) => a.at - b.at)) {
        const key = name(nonce);
        try {
          book.burn(key, at);
          assert.ok(!burned.has(key) && at < 300_000);
          burned.add(key);
        } catch (error) {
          const code = (error as ClashError).code;
          assert.is(code, burned.has(key) ? 'siwe_nonce_used' : 'siwe_nonce_expired');
        }
      }
    }),
    { seed: fcSeed, numRuns: fcRuns },
  );
  db.close();
  dir.remove();
});

test('nonces are pruned ten minutes after they expire, and the table is capped (sign_in_busy)', () => {
  const dir = tempDir();
  const db = openDatabase(dir.file('nonces.db'), { synchronous: 'NORMAL' });
  const book = new NonceBook(db, 100);
  const rows = () => (db.prepare('SELECT count(*) AS n FROM siwe_nonces').get() as { n: number }).n;
  for (let n = 0; n < 100; n++) book.issue(`early-${n}-nonce`, 0, 300_000);
  const refusal = (nonce: string, at: number) => {
    try {
      book.issue(nonce, at, 300_000);
      return null;
    } catch (error) {
      return error as ClashError;
    }
  };
  const busy = refusal('one-too-many', 1000);
  assert.is(busy?.code, 'sign_in_busy');
  assert.is(busy?.kind, 'unavailable');
  // They expired at 300 s and are kept 10 minutes more (to answer "expired"), then pruned.
  assert.is(refusal('still-kept', 300_000 + 600_000)?.code, 'sign_in_busy');
  assert.is(rows(), 100);
  assert.is(refusal('after-pruning', 300_000 + 600_001), null);
  assert.is(rows(), 1);
  db.close();
  dir.remove();
});

test.run();
