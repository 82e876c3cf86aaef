/**
 * The ledger's integrity routes (doc/ledger-integrity.md): the public key that signs
 * checkpoints and every key before it (rotations), the signed checkpoints (latest, and all of them newest first, paged by tree
 * size), and RFC 9162 inclusion and consistency proofs at any tree size of the hashed log.
 * Hashes, keys and signatures are lower-case hex. Public: they reveal hashes, never events.
 */
import { createRoute, z } from '@hono/zod-openapi';
import { CHECKPOINT_ORIGIN } from '../../commands/ledger/handlers.ts';
import { keyHistory } from '../../commands/ledger/signed.ts';
import { ClashError, NotFoundError } from '../../core/errors.ts';
import { CheckpointQueries, type CheckpointRow } from '../../projections/ledger/checkpoints.ts';
import type { RouteModule } from '../route-module.ts';
import { secured } from './access.ts';
import { errorsOf, iso, json } from './schemas.ts';

const hex = (bytes: number, what: string) =>
  z.string().openapi({ description: `${what}: ${bytes} bytes, ${bytes * 2} lower-case hex digits`, pattern: `^[0-9a-f]{${bytes * 2}}$` });

const CheckpointSchema = z
  .object({
    treeSize: z.number().int().openapi({ description: 'the checkpoint covers events at positions 1..treeSize' }),
    rootHash: hex(32, 'RFC 9162 Merkle tree hash of the first treeSize events'),
    origin: z.string().openapi({ description: 'the log name, first line of the signed message' }),
    signedAt: z.string().openapi({ format: 'date-time', description: 'signing time; the signed message holds it as ms since the epoch' }),
    keyId: hex(8, 'first 8 bytes of SHA-256 of the signing public key'),
    signature: hex(64, 'Ed25519 signature of "origin\\ntreeSize\\nrootHash\\nsignedAt ms\\n"'),
    position: z.number().int().openapi({ description: 'position of the checkpoint’s own event in the log' }),
  })
  .openapi('LedgerCheckpoint');
const CheckpointPageSchema = z
  .object({
    items: z.array(CheckpointSchema),
    next: z.number().int().nullable().openapi({ description: 'cursor for `after` (a tree size); null at the end' }),
  })
  .openapi('LedgerCheckpointPage');
const KeyHistorySchema = z
  .object({
    keyId: hex(8, 'first 8 bytes of SHA-256 of the public key'),
    publicKey: hex(32, 'the raw Ed25519 public key (RFC 8032)'),
    fromPosition: z.number().int().openapi({ description: 'position of the rotation that made it the signing key; 0 for the first key' }),
    retiredAtPosition: z
      .number()
      .int()
      .nullable()
      .openapi({ description: 'position of the rotation that retired it; null for the current key' }),
    rotation: z
      .object({
        rotatedAt: z.string().openapi({ format: 'date-time', description: 'the rotation time; the signed message holds it as ms' }),
        signature: hex(64, 'the previous key’s Ed25519 signature of the rotation message'),
        nextKeySignature: hex(64, 'this key’s signature of the same message'),
      })
      .nullable()
      .openapi({ description: 'the rotation that made it current, as recorded in the log; null for the first key' }),
  })
  .openapi('LedgerKeyHistoryEntry');
const KeySchema = z
  .object({
    algorithm: z.literal('Ed25519'),
    publicKey: hex(32, 'the raw Ed25519 public key (RFC 8032) signing checkpoints now'),
    keyId: hex(8, 'first 8 bytes of SHA-256 of the public key'),
    origin: z.string(),
    history: z
      .array(KeyHistorySchema)
      .openapi({ description: 'every key that signed the log, oldest first, as its rotations record them' }),
  })
  .openapi('LedgerKey');
const InclusionSchema = z
  .object({
    position: z.number().int(),
    leafIndex: z.number().int().openapi({ description: 'RFC 9162 leaf index: position − 1' }),
    treeSize: z.number().int(),
    leafHash: hex(32, 'SHA-256(0x00 ‖ canonical event bytes) stored at the append'),
    rootHash: hex(32, 'the tree hash at treeSize'),
    inclusionPath: z.array(hex(32, 'node')).openapi({ description: 'RFC 9162 §2.1.3.1 PATH, the leaf’s sibling first' }),
  })
  .openapi('LedgerInclusionProof');
const ConsistencySchema = z
  .object({
    first: z.number().int(),
    second: z.number().int(),
    firstRootHash: hex(32, 'the tree hash at first'),
    secondRootHash: hex(32, 'the tree hash at second'),
    consistencyPath: z.array(hex(32, 'node')).openapi({ description: 'RFC 9162 §2.1.4.1 PROOF' }),
  })
  .openapi('LedgerConsistencyProof');

const size = (min: number) => z.coerce.number().int().min(min).max(Number.MAX_SAFE_INTEGER);

const routes = {
  key: createRoute({
    method: 'get',
    ...secured('public'),
    path: '/api/v1/ledger/key',
    tags: ['ledger'],
    summary: 'The public key that signs ledger checkpoints, and every key that signed before it',
    responses: { 200: { description: 'The key', content: json(KeySchema) } },
  }),
  latest: createRoute({
    method: 'get',
    ...secured('public'),
    path: '/api/v1/ledger/checkpoints/latest',
    tags: ['ledger'],
    summary: 'The latest signed checkpoint',
    responses: { 200: { description: 'The checkpoint', content: json(CheckpointSchema) }, ...errorsOf(404) },
  }),
  list: createRoute({
    method: 'get',
    ...secured('public'),
    path: '/api/v1/ledger/checkpoints',
    tags: ['ledger'],
    summary: 'Signed checkpoints, newest first',
    request: {
      query: z.object({
        after: size(1).optional().openapi({ description: 'a cursor from `next`: checkpoints of smaller tree sizes follow' }),
        limit: z.coerce.number().int().min(1).max(500).default(100),
      }),
    },
    responses: { 200: { description: 'A page of checkpoints', content: json(CheckpointPageSchema) }, ...errorsOf(400) },
  }),
  inclusion: createRoute({
    method: 'get',
    ...secured('public'),
    path: '/api/v1/ledger/proofs/inclusion',
    tags: ['ledger'],
    summary: 'RFC 9162 inclusion proof of the event at a position in the tree of a size',
    request: { query: z.object({ position: size(1), treeSize: size(1) }) },
    responses: { 200: { description: 'The proof', content: json(InclusionSchema) }, ...errorsOf(400, 422) },
  }),
  consistency: createRoute({
    method: 'get',
    ...secured('public'),
    path: '/api/v1/ledger/proofs/consistency',
    tags: ['ledger'],
    summary: 'RFC 9162 consistency proof between two tree sizes',
    request: { query: z.object({ first: size(0), second: size(0) }) },
    responses: { 200: { description: 'The proof', content: json(ConsistencySchema) }, ...errorsOf(400, 422) },
  }),
};

const wire = (c: CheckpointRow) => ({ ...c, signedAt: iso(c.signedAt) });
const hexOf = (h: Buffer) => h.toString('hex');

export const ledgerRoutes: RouteModule = (app, { ledger }) => {
  const queries = new CheckpointQueries(ledger.store.db);
  const merkle = ledger.store.merkle;
  /** Refuses a tree size beyond the hashed log (422 naming the field). */
  const withinLog = (field: string, value: number) => {
    const hashed = merkle.size();
    if (value > hashed) {
      throw new ClashError('tree_size_beyond_log', 'unprocessable', `${field} ${value} is beyond the log (${hashed} events)`, {
        field,
        hashed,
      });
    }
  };

  app.openapi(routes.key, (c) => {
    const key = ledger.ledgerKey();
    const history = keyHistory(ledger.store, { keyId: key.keyId, publicKey: key.publicKeyHex }).map((k) => ({
      ...k,
      rotation: k.rotation && { ...k.rotation, rotatedAt: iso(k.rotation.rotatedAt) },
    }));
    return c.json(
      { algorithm: 'Ed25519' as const, publicKey: key.publicKeyHex, keyId: key.keyId, origin: CHECKPOINT_ORIGIN, history },
      200,
    );
  });
  app.openapi(routes.latest, (c) => {
    const latest = queries.latest();
    if (!latest) throw new NotFoundError('checkpoint', 'latest');
    return c.json(wire(latest), 200);
  });
  app.openapi(routes.list, (c) => {
    const { after, limit } = c.req.valid('query');
    const page = queries.page(after ?? Number.MAX_SAFE_INTEGER, limit);
    const last = page.at(-1);
    return c.json({ items: page.map(wire), next: page.length === limit && last ? last.treeSize : null }, 200);
  });
  app.openapi(routes.inclusion, (c) => {
    const { position, treeSize } = c.req.valid('query');
    if (position > treeSize) {
      throw new ClashError('position_beyond_tree', 'invalid', `position ${position} is not in a tree of ${treeSize}`, {
        field: 'position',
      });
    }
    withinLog('treeSize', treeSize);
    const proof = merkle.inclusionProof(position, treeSize);
    const leaf = merkle.storedLeaf(position) as Buffer;
    return c.json(
      {
        position,
        leafIndex: position - 1,
        treeSize,
        leafHash: hexOf(leaf),
        rootHash: hexOf(merkle.rootAt(treeSize)),
        inclusionPath: proof.map(hexOf),
      },
      200,
    );
  });
  app.openapi(routes.consistency, (c) => {
    const { first, second } = c.req.valid('query');
    if (first > second) throw new ClashError('first_after_second', 'invalid', `first ${first} > second ${second}`, { field: 'first' });
    withinLog('second', second);
    const proof = merkle.consistencyProof(first, second);
    return c.json(
      {
        first,
        second,
        firstRootHash: hexOf(merkle.rootAt(first)),
        secondRootHash: hexOf(merkle.rootAt(second)),
        consistencyPath: proof.map(hexOf),
      },
      200,
    );
  });
};
