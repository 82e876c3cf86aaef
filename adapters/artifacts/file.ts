/**
 * The `file:PATH` artifact store: one file per key under a folder. A `put` writes a temporary
 * file, fsyncs it and renames it over the key, so a crash leaves the old object or the new one,
 * never a torn file; temporary files (`*.partial-*`) are skipped by `list`.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { type ArtifactInfo, type ArtifactStore, checkKey, checkPrefix, sortedByKey } from './store.ts';

const PARTIAL = '.partial-';

/** An `ArtifactStore` in the folder `root` (created on the first `put`). */
export class FileArtifactStore implements ArtifactStore {
  readonly url: string;

  constructor(readonly root: string) {
    this.url = `file:${root}`;
  }

  async put(key: string, bytes: Uint8Array): Promise<void> {
    const path = join(this.root, checkKey(key));
    await mkdir(dirname(path), { recursive: true });
    const partial = `${path}${PARTIAL}${randomBytes(6).toString('hex')}`;
    const handle = await open(partial, 'wx');
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(partial, path);
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    try {
      return new Uint8Array(await readFile(join(this.root, checkKey(key))));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  async list(prefix = ''): Promise<ArtifactInfo[]> {
    checkPrefix(prefix);
    const found: ArtifactInfo[] = [];
    let names: string[];
    try {
      names = await readdir(this.root, { recursive: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    for (const name of names) {
      const key = relative(this.root, join(this.root, name)).split(sep).join('/');
      if (!key.startsWith(prefix) || key.includes(PARTIAL)) continue;
      const info = await stat(join(this.root, name));
      if (info.isFile()) found.push({ key, size: info.size });
    }
    return sortedByKey(found);
  }

  async delete(key: string): Promise<void> {
    await rm(join(this.root, checkKey(key)), { force: true });
  }
}
