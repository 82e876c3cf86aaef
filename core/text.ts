/**
 * Bounded text and maps at the boundaries. Text that the product shows to other people (names,
 * descriptions, tags, reasons, run ids) must render as what it says: no control characters
 * (C0, DEL, C1; a line feed only where the field is multi-line), no bidirectional embeddings,
 * overrides or isolates (U+202A–U+202E, U+2066–U+2069, which reorder what a reader sees), and
 * no unpaired UTF-16 surrogates (not text at all; they break JSON consumers). Issue 10.
 */
import { z } from 'zod';

/** C0 controls, DEL and C1 controls (Unicode general category Cc), tab and line feed excepted. */
const CONTROL = /(?![\t\n])\p{Cc}/u;
const TAB_OR_NEWLINE = /[\t\n]/;
const BIDI_CONTROL = /[\u202a-\u202e\u2066-\u2069]/;
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Why `s` is not displayable public text, or null when it is. `multiline` allows line feeds and
 * tabs (descriptions, reasons); single-line fields refuse them as well.
 */
export function publicTextProblem(s: string, multiline = false): string | null {
  if (LONE_SURROGATE.test(s)) return 'must not contain unpaired surrogates';
  if (CONTROL.test(s) || (!multiline && TAB_OR_NEWLINE.test(s))) return 'must not contain control characters';
  if (BIDI_CONTROL.test(s)) return 'must not contain bidirectional override or isolate characters';
  return null;
}

/**
 * A public text field: trimmed, `min`..`max` UTF-16 code units, refused (400 naming the field)
 * when `publicTextProblem` finds anything.
 */
export function zPublicText(min: number, max: number, options: { multiline?: boolean } = {}) {
  return z
    .string()
    .trim()
    .min(min)
    .max(max)
    .superRefine((s, ctx) => {
      const problem = publicTextProblem(s, options.multiline);
      if (problem) ctx.addIssue({ code: 'custom', message: problem });
    });
}

/**
 * A JSON object used as a map, with at most `max` entries (declared as `maxProperties` in the
 * OpenAPI document). zod's record has no size bound of its own.
 */
export function zBoundedRecord<K extends z.core.$ZodRecordKey, V extends z.ZodType>(key: K, value: V, max: number) {
  return z
    .record(key, value)
    .refine((o) => Object.keys(o).length <= max, `at most ${max} entries`)
    .meta({ maxProperties: max });
}

const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/;
const RESERVED_IDS: ReadonlySet<string> = new Set(['constructor', 'prototype', 'hasOwnProperty', 'toString', 'valueOf']);

/**
 * An id a client chooses (or names): 1–128 characters, letters, digits and `_ . : -`, starting
 * with a letter or digit (so never `__proto__`), and none of the Object.prototype member names.
 */
export const zSafeId = z
  .string()
  .max(128)
  .regex(SAFE_ID, 'letters, digits and _ . : - only, starting with a letter or digit, at most 128')
  .refine((s) => !RESERVED_IDS.has(s), 'is a reserved name');
