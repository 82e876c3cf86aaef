/** The `memory:` artifact store: a map in the process, for tests and benchmarks. */
import { type ArtifactInfo, type ArtifactStore, checkKey, checkPrefix, sortedByKey } from './store.ts';

/** An `ArtifactStore` in memory; bytes are copied in and out, so callers cannot alias them. */
export class MemoryArtifactStore implements ArtifactStore {
  readonly url = 'memory:';
  readonly #objects = new Map<string, Uint8Array>();

  async put(key: string, bytes: Uint8Array): Promise<void> {
    this.#objects.set(checkKey(key), Uint8Array.from(bytes));
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    const bytes = this.#objects.get(checkKey(key));
    return bytes && Uint8Array.from(bytes);
  }

  async list(prefix = ''): Promise<ArtifactInfo[]> {
    checkPrefix(prefix);
    return sortedByKey(
      [...this.#objects].filter(([key]) => key.startsWith(prefix)).map(([key, bytes]) => ({ key, size: bytes.byteLength })),
    );
  }

  async delete(key: string): Promise<void> {
    this.#objects.delete(checkKey(key));
  }
}
