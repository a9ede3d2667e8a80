// Wards and their residential groups (tổ dân phố) as data: the request and
// answer shapes of /api/v1/wards and /api/v1/setup, and the parser that turns
// a pasted list ("TDP 1\nTDP 2", or a range "TDP 1-28") into groups.
//
// A group's `code` is what records carry in `group` (e.g. "TDP 1") and never
// changes once records use it; `name` is only what people read ("Tổ dân phố
// số 1"). The app, the server and the setup page all parse with these.
import { z } from 'zod';

/** A ward code: letters, digits, "_" and "-", so "*" (the city's ward code) can never be one. */
export const wardCodeSchema = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9_-]{1,40}$/, 'validation.wardCode');
const wardNameSchema = z.string().trim().min(1, 'validation.required').max(100, 'validation.tooLong');
/** A group code: the text records carry in `group` (same bounds as before groups were data). */
export const groupCodeSchema = z.string().trim().min(1, 'validation.required').max(40, 'validation.tooLong');
const groupNameSchema = z.string().trim().min(1, 'validation.required').max(100, 'validation.tooLong');

/** At most this many groups in one ward (Cửa Nam has 28; the largest wards have about 100). */
export const MAX_GROUPS_PER_WARD = 200;

export const wardGroupSchema = z
  .object({
    code: groupCodeSchema,
    name: groupNameSchema,
    targetHouseholds: z.number().int().min(0).max(1_000_000).nullish(),
  })
  .strict();
export type WardGroup = z.infer<typeof wardGroupSchema>;

/** Group codes must be unique within the list (compared as stored: trimmed, case-sensitive). */
export const wardGroupListSchema = z
  .array(wardGroupSchema)
  .max(MAX_GROUPS_PER_WARD)
  .superRefine((groups, ctx) => {
    const seen = new Set<string>();
    groups.forEach((g, i) => {
      if (seen.has(g.code)) ctx.addIssue({ code: 'custom', message: 'validation.duplicateGroup', path: [i, 'code'] });
      seen.add(g.code);
    });
  });

/** POST /api/v1/wards */
export const createWardSchema = z.object({ code: wardCodeSchema, name: wardNameSchema }).strict();
export type CreateWard = z.infer<typeof createWardSchema>;

// The answer of GET /api/v1/wards/:code, which devices store: its own small
// module, so the device's first bundle does not carry the rest of this file.
export { wardSchema, type Ward } from './wardSchema';

// ------------------------------------------------------------ pasted lists

/** The most groups a range may expand to ("TDP 1-28" is 28). */
const MAX_RANGE = MAX_GROUPS_PER_WARD;

export type GroupListError = { line: number; reason: 'too_long' | 'range_too_large' | 'duplicate' | 'too_many' };

/**
 * Parses one group per line. A line "TDP 1-28" (a prefix, then a first and a
 * last number) expands to TDP 1 … TDP 28. A line "code<TAB>name" (pasted from
 * a spreadsheet) gives a group a name; otherwise its name is its code. Blank
 * lines are skipped; spaces inside a code are kept as typed (collapsed to one).
 */
export function parseGroupList(text: string): { groups: { code: string; name: string }[]; errors: GroupListError[] } {
  const groups: { code: string; name: string }[] = [];
  const errors: GroupListError[] = [];
  const seen = new Set<string>();
  const add = (code: string, name: string, line: number): void => {
    if (code.length > 40 || name.length > 100) errors.push({ line, reason: 'too_long' });
    else if (seen.has(code)) errors.push({ line, reason: 'duplicate' });
    else if (groups.length >= MAX_GROUPS_PER_WARD) errors.push({ line, reason: 'too_many' });
    else {
      seen.add(code);
      groups.push({ code, name });
    }
  };
  text.split(/\r\n|\r|\n/).forEach((raw, i) => {
    const line = i + 1;
    const [codePart = '', ...rest] = raw.split('\t');
    const code = codePart.replace(/\s+/g, ' ').trim();
    const name = rest.join(' ').replace(/\s+/g, ' ').trim();
    if (code === '') return;
    const range = /^(.*?)(\d+)\s*[-–]\s*(\d+)$/.exec(code);
    if (range && name === '') {
      const [, prefix = '', a = '', b = ''] = range;
      const first = Number(a);
      const last = Number(b);
      if (last >= first) {
        if (last - first + 1 > MAX_RANGE) return void errors.push({ line, reason: 'range_too_large' });
        for (let n = first; n <= last; n++) add(`${prefix}${n}`, `${prefix}${n}`, line);
        return;
      }
    }
    add(code, name || code, line);
  });
  return { groups, errors };
}

// ------------------------------------------------------------ first run

/** POST /api/v1/setup: the first city user, the first ward and its groups, in one transaction. */
export const setupRequestSchema = z
  .object({
    token: z.string().min(1).max(100),
    username: z.string().max(100),
    password: z.string().max(200),
    displayName: z.string().trim().min(1, 'validation.required').max(100, 'validation.tooLong'),
    ward: createWardSchema,
    /** A pasted list (parseGroupList) or the groups themselves. */
    groups: z.union([z.string().max(20_000), wardGroupListSchema]),
  })
  .strict();
export type SetupRequest = z.infer<typeof setupRequestSchema>;
