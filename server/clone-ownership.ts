/**
 * Who owns a clone, as far as read access is concerned. The identity/clones module answers
 * this for real; until it is wired, the default knows no owners, so only admins and services
 * can read prop accounts.
 */
import type { Principal } from './auth.ts';
import { Forbidden, Unauthorized } from './auth.ts';

export interface CloneOwnership {
  /** The user id owning the clone, undefined when unknown. */
  ownerOf(cloneId: string): string | undefined;
}

export const noKnownOwners: CloneOwnership = { ownerOf: () => undefined };

/** Services and admins read every clone's data; a user only their own clone's. */
export function requireCloneReader(p: Principal | null, cloneId: string, ownership: CloneOwnership): void {
  if (!p) throw new Unauthorized();
  if (p.kind === 'service' || p.admin) return;
  if (ownership.ownerOf(cloneId) !== p.userId) throw new Forbidden('only the clone owner or an admin can read this account');
}
