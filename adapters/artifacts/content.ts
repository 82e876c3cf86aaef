/**
 * Content-addressed artifacts: the key is derived from the bytes' SHA-256, so the same payload
 * is stored once and an event can name it by digest (`doc/architecture.md`: large payloads live
 * in the artifact store, the log keeps keys and digests).
 */
import { sha256Hex } from '../../core/canonical-json.ts';
import type { ArtifactStore } from './store.ts';

/** What an event records of a stored payload: its key, hex SHA-256 and size in bytes. */
export interface ArtifactRef {
  readonly key: string;
  readonly sha256: string;
  readonly size: number;
}

/**
 * Stores `bytes` under `<kind>/sha256/<first two hex>/<hex>` and returns its reference. `kind`
 * groups payloads that share a retention (`packets`, `prompts`, `replies`); it must be a valid
 * key segment. Writing the same bytes twice is harmless: the key and content are the same.
 */
export async function putContent(store: ArtifactStore, kind: string, bytes: Uint8Array): Promise<ArtifactRef> {
  const sha256 = sha256Hex(bytes);
  const key = `${kind}/sha256/${sha256.slice(0, 2)}/${sha256}`;
  await store.put(key, bytes);
  return { key, sha256, size: bytes.byteLength };
}

/**
 * The bytes of `ref`, checked against its digest. Returns `undefined` when the object is gone
 * (expired by retention); throws `Error` naming the key when the bytes do not match the digest.
 */
export async function getContent(store: ArtifactStore, ref: ArtifactRef): Promise<Uint8Array | undefined> {
  const bytes = await store.get(ref.key);
  if (bytes && sha256Hex(bytes) !== ref.sha256) throw new Error(`artifact ${ref.key} does not match its sha256`);
  return bytes;
}
