/**
 * The artifact store: named blobs beside the ledger (market archives, decision packets, prompts
 * and replies, backups). The log keeps keys and digests; the bytes live here. Three backends
 * behind one interface — `memory:`, `file:PATH` and S3-compatible `s3://bucket/prefix` — chosen
 * by URL (`openArtifactStore`, `open.ts`).
 *
 * Keys are relative slash-separated paths (`market/hyperliquid/BTC/2026-01-05.ndjson.gz`):
 * 1–512 characters of `[A-Za-z0-9._=-]` segments, no empty, `.` or `..` segment, so a key
 * names the same object on every backend and never escapes a file store's folder.
 */
import { z } from 'zod';

/** One stored object, as `list` reports it. `size` in bytes. */
export interface ArtifactInfo {
  readonly key: string;
  readonly size: number;
}

/**
 * A blob store. `put` replaces an existing object whole (readers see the old bytes or the
 * new, never a part); `get` answers `undefined` for a missing key; `delete` of a missing key
 * is not an error (archive-then-delete must be repeatable after a crash); `list` returns every
 * key that starts with `prefix`, sorted by key. Keys are checked with `zArtifactKey` and a bad
 * one throws `InvalidArtifactKey`.
 */
export interface ArtifactStore {
  /** The URL the store was opened from, without credentials (`file:/data/artifacts`). */
  readonly url: string;
  put(key: string, bytes: Uint8Array): Promise<void>;
  get(key: string): Promise<Uint8Array | undefined>;
  list(prefix?: string): Promise<ArtifactInfo[]>;
  delete(key: string): Promise<void>;
}

const segment = /^[A-Za-z0-9_=-][A-Za-z0-9._=-]*$/;

/** An artifact key: 1–512 characters, slash-separated segments of `[A-Za-z0-9._=-]`, none `.`/`..`. */
export const zArtifactKey = z
  .string()
  .min(1)
  .max(512)
  .refine((key) => key.split('/').every((s) => segment.test(s) && s !== '..'), 'expected slash-separated segments of [A-Za-z0-9._=-]');

/** Thrown for a key or prefix outside `zArtifactKey`. */
export class InvalidArtifactKey extends Error {
  constructor(readonly key: string) {
    super(`invalid artifact key ${JSON.stringify(key.slice(0, 80))}`);
    this.name = 'InvalidArtifactKey';
  }
}

/** `key` if it is a valid artifact key, else throws `InvalidArtifactKey`. */
export function checkKey(key: string): string {
  if (!zArtifactKey.safeParse(key).success) throw new InvalidArtifactKey(key);
  return key;
}

/** `prefix` if it is empty or a valid key with an optional trailing `/`, else throws `InvalidArtifactKey`. */
export function checkPrefix(prefix: string): string {
  const bare = prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
  if (bare !== '' && !zArtifactKey.safeParse(bare).success) throw new InvalidArtifactKey(prefix);
  return prefix;
}

/** `infos` sorted by key in code-unit order, the order every backend's `list` returns. */
export function sortedByKey(infos: ArtifactInfo[]): ArtifactInfo[] {
  return infos.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
