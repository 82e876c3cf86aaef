/**
 * The compact stored forms of schema 3 (doc/event-store.md, "Storage layout") are lossless:
 * metadata reads back as written in either form, the array form is used exactly when every key
 * is a usual one; an event id reads back as written, two ids never share a stored form, and an
 * event's Merkle leaf is the same whether its id is stored as text or as 16 bytes.
 */
import fc from 'fast-check';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { eventIdText, eventLeafHash, type RawEventRow, storedEventId, storedRow } from '../../core/event-leaf.ts';
import { decodeMetadata, encodeMetadata } from '../../core/stored-metadata.ts';
import { fcRuns, fcSeed } from '../support/store.ts';

const USUAL = ['actor', 'correlationId', 'causationId', 'commandName', 'idempotencyKey'];
const key = fc.oneof(fc.constantFrom(...USUAL), fc.string({ minLength: 1, maxLength: 12 }));
const metadata = fc.dictionary(key, fc.string({ maxLength: 40 }), { maxKeys: 7 });
const options = { seed: fcSeed, numRuns: fcRuns };

test('metadata: decode(encode(m)) is m; the array form exactly when every key is a usual one', () => {
  fc.assert(
    fc.property(metadata, (m) => {
      const stored = encodeMetadata(m);
      assert.equal(decodeMetadata(stored), { ...m });
      assert.is(
        stored.startsWith('['),
        Object.keys(m).every((k) => USUAL.includes(k)),
      );
    }),
    options,
  );
  assert.is(encodeMetadata({ commandName: 'Open', actor: 'a' }), '["a",null,null,"Open"]');
  assert.throws(() => decodeMetadata('[1]'), /not a string/);
});

test('event ids: read back as written; distinct ids never share a stored form; UUIDs take 16 bytes', () => {
  const id = fc.oneof(fc.uuid(), fc.string({ minLength: 1, maxLength: 40 }));
  fc.assert(
    fc.property(id, id, (a, b) => {
      const [sa, sb] = [storedEventId(a), storedEventId(b)];
      assert.is(eventIdText(sa), a);
      if (Buffer.isBuffer(sa)) assert.is(sa.length, 16);
      const same = Buffer.isBuffer(sa) && Buffer.isBuffer(sb) ? sa.equals(sb) : sa === sb;
      assert.is(same, a === b);
    }),
    options,
  );
});

test('the leaf of an event is the same with its id stored as text or as 16 bytes', () => {
  fc.assert(
    fc.property(fc.uuid(), fc.nat({ max: 1_000_000 }), fc.string({ maxLength: 60 }), (id, position, memo) => {
      const row = (eventId: string | Buffer): RawEventRow => [
        position + 1,
        'wallet-w',
        1,
        eventId,
        'FundsDeposited',
        2,
        JSON.stringify({ memo }),
        '["user:1"]',
        1_700_000_000_000,
      ];
      assert.ok(eventLeafHash(storedRow(row(id))).equals(eventLeafHash(storedRow(row(storedEventId(id))))));
    }),
    options,
  );
});

test.run();
