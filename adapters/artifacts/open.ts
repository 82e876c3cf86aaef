/**
 * Opening an artifact store from its URL: `memory:`, `file:PATH` (relative paths resolve from
 * the working directory) or `s3://bucket[/prefix]` with `S3Options` from configuration.
 */
import { resolve } from 'node:path';
import { FileArtifactStore } from './file.ts';
import { MemoryArtifactStore } from './memory.ts';
import { S3ArtifactStore, type S3Options } from './s3.ts';
import type { ArtifactStore } from './store.ts';

const S3_URL = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(?:\/([A-Za-z0-9._=/-]*[A-Za-z0-9._=-]))?\/?$/;

/** True when `url` names a store `openArtifactStore` can open (used by configuration schemas). */
export function isArtifactStoreUrl(url: string): boolean {
  return url === 'memory:' || (url.startsWith('file:') && url.length > 5) || S3_URL.test(url);
}

/**
 * The store `url` names. Throws `Error` naming the URL when it is none of the three forms.
 * `s3` is needed only for `s3://` URLs (region defaults to `us-east-1`, path-style on).
 */
export function openArtifactStore(url: string, s3: Partial<S3Options> = {}): ArtifactStore {
  if (url === 'memory:') return new MemoryArtifactStore();
  if (url.startsWith('file:') && url.length > 5) return new FileArtifactStore(resolve(url.slice(5)));
  const match = S3_URL.exec(url);
  if (match?.[1]) {
    return new S3ArtifactStore(match[1], match[2] ?? '', { region: 'us-east-1', forcePathStyle: true, ...s3 });
  }
  throw new Error(`unsupported artifact store URL ${JSON.stringify(url)}: expected memory:, file:PATH or s3://bucket/prefix`);
}
