/** Read access to a clone's data (its prop accounts, auditions, …) by who is asking. */
import type { CloneOwnership } from '../projections/clones/ownership.ts';
import type { Principal } from './auth.ts';
import { Forbidden, Unauthorized } from './auth.ts';

/** Services and admins read every clone's data; a user only their own clone's. */
export function requireCloneReader(p: Principal | null, cloneId: string, ownership: CloneOwnership): void {
  if (!p) throw new Unauthorized();
  if (p.kind === 'service' || p.admin) return;
  if (ownership.ownerOf(cloneId) !== p.userId) throw new Forbidden('only the clone owner or an admin can read this account');
}
