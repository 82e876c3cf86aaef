/**
 * Who owns a clone, for other modules' owner checks (prop trading, auditions, …), read from
 * the inline `clones` read model so it is current as soon as the clone is created.
 */
import type { Db } from '../../core/database.ts';

export interface CloneOwnership {
  /** The owning user's id, or undefined when there is no such clone. */
  ownerOf(cloneId: string): string | undefined;
}

export function cloneOwnership(db: Db): CloneOwnership {
  const owner = db.prepare<[string], { owner_user_id: string }>('SELECT owner_user_id FROM clones WHERE clone_id = ?');
  return { ownerOf: (cloneId) => owner.get(cloneId)?.owner_user_id };
}
