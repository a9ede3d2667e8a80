// The console's report contracts: the filtered ward activity
// (GET /api/v1/reports/activity) and the printable door list
// (GET /api/v1/reports/doors). Query schemas parse the query string (values
// arrive as text; a repeated parameter arrives as an array and fails), answer
// schemas are what the console checks every answer against.
//
// docs/API.md, "Reports", explains every figure. The console keeps the same
// filter names in its own URL (#/console/dashboard?group=&from=&to=…), so a
// copied link reproduces the same request.
import { z } from 'zod';
import { PLATFORMS } from './platforms';
import { CHANNEL_FILTERS } from './consoleFilters';
import { isoDate } from './schemas';

export { ACTIVITY_FILTER_KEYS, CHANNEL_FILTERS, type ActivityFilters, type ChannelFilter } from './consoleFilters';

/** The longest date range a report accepts, in days (inclusive): a campaign is 45 days, a year is plenty. */
export const MAX_RANGE_DAYS = 366;

const DAY_MS = 86_400_000;
const daysBetween = (from: string, to: string) => Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS) + 1;

const wardParam = z.string().trim().min(1).max(40);
const groupParam = z.string().trim().min(1).max(40);

/**
 * The dashboard's filters. All optional; each narrows the VISITS the figures
 * count (docs/API.md). `from`/`to` are inclusive calendar days in Hanoi time.
 * `ward` is for the city role (a supervisor may name only their own ward).
 */
export const activityQuerySchema = z
  .object({
    group: groupParam.optional(),
    from: isoDate.optional(),
    to: isoDate.optional(),
    volunteer: z.string().trim().min(1).max(64).optional(),
    channel: z.enum(CHANNEL_FILTERS).optional(),
    ward: wardParam.optional(),
  })
  .strict()
  .refine((q) => !q.from || !q.to || q.from <= q.to, { message: 'from must not be after to', path: ['from'] })
  .refine((q) => !q.from || !q.to || daysBetween(q.from, q.to) <= MAX_RANGE_DAYS, {
    message: `the range may span at most ${MAX_RANGE_DAYS} days`,
    path: ['to'],
  });
export type ActivityQuery = z.infer<typeof activityQuerySchema>;

const count = z.number().int().min(0);

export const activityReportSchema = z.object({
  wardCode: z.string(),
  generatedAt: z.string(),
  filters: z.object({
    group: z.string().nullable(),
    from: z.string().nullable(),
    to: z.string().nullable(),
    volunteer: z.string().nullable(),
    channel: z.enum(CHANNEL_FILTERS).nullable(),
  }),
  totals: z.object({ visits: count, door: count, literacyPoint: count, households: count, people: count }),
  targets: z.object({
    groups: z.array(
      z.object({
        group: z.string(),
        name: z.string().nullable(),
        households: count,
        reached: count,
        targetHouseholds: count.nullable(),
      }),
    ),
    independent: z.object({ people: count, target: count.nullable() }),
  }),
  volunteers: z.array(
    z.object({
      userId: z.string(),
      displayName: z.string().nullable(),
      visits: count,
      households: count,
      peopleHelped: count,
      lastSyncAt: z.string().nullable(),
    }),
  ),
  literacyPoints: z.array(
    z.object({ literacyPoint: z.string(), walkIns: count, people: count, services: count, independent: count }),
  ),
  funnel: z.array(
    z.object({
      platform: z.enum(PLATFORMS),
      people: count,
      steps: z.array(z.object({ step: z.string(), done: count, blocked: count })),
      independent: count,
    }),
  ),
  visitsPerDay: z.array(z.object({ day: z.string(), door: count, literacyPoint: count })),
});
export type ActivityReport = z.infer<typeof activityReportSchema>;

// ------------------------------------------------------------------ door list

export const doorsQuerySchema = z
  .object({
    group: groupParam,
    lane: z.string().trim().min(1).max(60).optional(),
    ward: wardParam.optional(),
  })
  .strict();
export type DoorsQuery = z.infer<typeof doorsQuerySchema>;

export const DOOR_REASONS = ['unknocked', 'follow_up'] as const;

/**
 * A work list: addresses, and the head of household's name only when the
 * household gave consent (SECURITY.md, "Door lists"). Nothing else personal.
 */
export const doorListSchema = z.object({
  wardCode: z.string(),
  group: z.string(),
  generatedAt: z.string(),
  /** Today in Hanoi: follow-ups due on or before it are listed. */
  today: z.string(),
  lanes: z.array(
    z.object({
      /** The lane as households spell it; '' for doors on the street itself. */
      lane: z.string(),
      doors: z.array(
        z.object({
          householdId: z.string(),
          houseNumber: z.string(),
          subLane: z.string().nullable(),
          street: z.string(),
          headName: z.string().nullable(),
          reason: z.enum(DOOR_REASONS),
          followUpOn: z.string().nullable(),
        }),
      ),
    }),
  ),
});
export type DoorList = z.infer<typeof doorListSchema>;

// ------------------------------------------------------------------ attention

/** GET /api/v1/attention, as the console's ward view reads it (values stay on the server's terms). */
export const attentionPageSchema = z.object({
  rejected: z.array(
    z.object({
      id: z.string(),
      userId: z.string(),
      userName: z.string().nullable().optional(),
      entity: z.string(),
      recordId: z.string(),
      op: z.string(),
      error: z.object({ code: z.string(), message: z.string(), path: z.string().optional() }),
      at: z.string(),
    }),
  ),
  conflicts: z.array(
    z.object({
      id: z.string(),
      userId: z.string(),
      userName: z.string().nullable().optional(),
      entity: z.string(),
      recordId: z.string(),
      field: z.string(),
      at: z.string(),
    }),
  ),
  cursor: z.string(),
  hasMore: z.boolean(),
});
export type AttentionPage = z.infer<typeof attentionPageSchema>;
