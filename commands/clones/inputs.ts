/**
 * What owners, reporters and admins send about a clone, validated at the boundary (issue 10):
 * every text field is public text (no control, bidi-override or lone-surrogate characters;
 * `core/text.ts`) and the avatar is a public URL (`core/public-url.ts`). The event schemas stay
 * as they were, so events recorded before these rules still replay.
 */
import { z } from 'zod';
import { zPublicUrl } from '../../core/public-url.ts';
import { zPublicText } from '../../core/text.ts';

/** A clone's name: 1–80 characters of single-line public text. */
export const zCloneNameInput = zPublicText(1, 80);

/** A report's reason (shown to admins): 3–1000 characters. */
export const zReportReasonInput = zPublicText(3, 1000, { multiline: true });

/** A moderation or admin reason: 3–500 characters. */
export const zAdminReasonInput = zPublicText(3, 500, { multiline: true });

/**
 * The public profile. `allowHttp` admits http avatars (development only); production takes
 * https ones. The shape is the event's `zProfile`.
 */
export function zProfileInput(options: { allowHttp: boolean }) {
  return z
    .object({
      name: zCloneNameInput,
      description: zPublicText(0, 2000, { multiline: true }),
      avatarUrl: zPublicUrl(500, options).nullable(),
      /** Short public tags the creator chooses to show; never derived from the private graph. */
      capabilitySignals: z.array(zPublicText(1, 40)).max(12),
    })
    .strict();
}
