/**
 * Facts the competition process managers read from other modules' read models (Clone Service,
 * Identity, Prop Trading). Wired to the read models in `projections/competition/facts.ts`;
 * tests may hand in their own.
 */
import type { Address } from 'viem';
import type { AuditionFigures } from './audition-events.ts';

export interface CompetitionFacts {
  /** The owning user's id, or undefined when there is no such clone. */
  ownerOf(cloneId: string): string | undefined;
  /** The wallet a user signed in with (a creator's royalties go there). */
  walletOf(userId: string): Address | undefined;
  /** The clone's active (newest published) strategy version id. */
  activeVersionOf(cloneId: string): string | undefined;
  /** Of these clones, the ones whose public profile is approved (not retired by moderation). */
  approved(cloneIds: readonly string[]): string[];
  /** An audition prop account's figures as Prop Trading's read models hold them now. */
  auditionFigures(propAccountId: string): AuditionFigures | undefined;
}
