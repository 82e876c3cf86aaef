/** Access rules of clone routes: sign in (401), the clone exists (404), and it is the caller's (403). */
import { z } from '@hono/zod-openapi';
import type { Db } from '../../core/database.ts';
import { ClashError } from '../../core/errors.ts';
import { type CloneSummary, findClone } from '../../projections/clones/clones.ts';
import { Forbidden, type Principal, requireUser } from '../auth.ts';

export const CloneParams = z.object({
  id: z
    .string()
    .min(1)
    .max(64)
    .openapi({ param: { name: 'id', in: 'path' } }),
});

export function existingClone(db: Db, cloneId: string): CloneSummary {
  const clone = findClone(db, cloneId);
  if (!clone) throw new ClashError('clone_not_found', 'not_found', `clone ${cloneId} not found`);
  return clone;
}

/** The clone, when the caller is a signed-in user who owns it. */
export function ownedClone(db: Db, cloneId: string, principal: Principal | null): CloneSummary {
  const user = requireUser(principal);
  const clone = existingClone(db, cloneId);
  if (clone.ownerUserId !== user.userId) throw new Forbidden(`clone ${cloneId} belongs to someone else`);
  return clone;
}

/** The clone, when the caller is its owner or an admin (services are refused: 403). */
export function readableClone(db: Db, cloneId: string, principal: Principal | null): CloneSummary {
  const user = requireUser(principal);
  const clone = existingClone(db, cloneId);
  if (clone.ownerUserId !== user.userId && !user.admin) throw new Forbidden(`clone ${cloneId} belongs to someone else`);
  return clone;
}
