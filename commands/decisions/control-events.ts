/**
 * Events of the `decision-controls-main` stream: admins pause and resume decision runs of one clone,
 * or of a whole source family — every run of one engine (`anthropic`, `rules`, `recorded`,
 * `none`), e.g. every Anthropic call (issue 13 "Admin controls"; seed `002_…` "Runtime
 * Pipeline"). The worker honours the state at the next due unit (`worker.ts`). Times in ms.
 */
import { z } from 'zod';
import { engineNames } from '../../adapters/models/engine.ts';
import { defineEvent, type EventOf } from '../../core/event-registry.ts';

/** What a pause covers: one clone (`target` its id) or one engine's runs (`target` the engine name). */
export const zControlTarget = z.discriminatedUnion('scope', [
  z.object({ scope: z.literal('clone'), target: z.string().min(1).max(200) }).strict(),
  z.object({ scope: z.literal('source'), target: z.enum(engineNames) }).strict(),
]);
export type ControlTarget = z.output<typeof zControlTarget>;

const by = z.string().min(1).max(200);
const reason = z.string().min(1).max(300);
const at = z.number().int().nonnegative();

export const DecisionsPaused = defineEvent(
  'DecisionsPaused',
  z.object({ scope: z.enum(['clone', 'source']), target: z.string().min(1).max(200), reason, by, pausedAt: at }).strict(),
);

export const DecisionsResumed = defineEvent(
  'DecisionsResumed',
  z.object({ scope: z.enum(['clone', 'source']), target: z.string().min(1).max(200), reason, by, resumedAt: at }).strict(),
);

export const decisionControlEvents = [DecisionsPaused, DecisionsResumed];
export type DecisionControlEvent = EventOf<typeof DecisionsPaused> | EventOf<typeof DecisionsResumed>;
