/**
 * Who owns a clone, and which strategy versions it has, for other modules' checks (prop
 * trading, auditions, …), read from the inline `clones` and `strategy_versions` read models so
 * they are current as soon as the clone is created or a version published.
 */
import type { Db } from '../../core/database.ts';

export interface CloneOwnership {
  /** The owning user's id, or undefined when there is no such clone. */
  ownerOf(cloneId: string): string | undefined;
  /** True when `versionId` is a published strategy version of this clone. */
  hasVersion(cloneId: string, versionId: string): boolean;
}

export function cloneOwnership(db: Db): CloneOwnership {
  const owner = db.prepare<[string], { owner_user_id: string }>('SELECT owner_user_id FROM clones WHERE clone_id = ?');
  const version = db.prepare<[string, string], { n: number }>('SELECT 1 AS n FROM strategy_versions WHERE clone_id = ? AND version_id = ?');
  return {
    ownerOf: (cloneId) => owner.get(cloneId)?.owner_user_id,
    hasVersion: (cloneId, versionId) => version.get(cloneId, versionId) !== undefined,
  };
}
