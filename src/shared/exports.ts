// The export contract: the datasets a ward office can download (CSV or XLSX),
// their columns, the query that asks for one, and the audit row every export
// leaves. The server (src/server/exports/), the CLI (npm run export), the
// dashboard and the benchmark all read this file; docs/API.md explains it.
//
// Each dataset's columns are a VERSIONED list. Ward offices build spreadsheets
// and upward reports on the column names and their positions:
//   - add columns only at the END of a list;
//   - renaming, removing or reordering a column, or changing what a cell
//     means, breaks those spreadsheets silently: bump the dataset's version
//     (it is written into the file name) and say so in docs/API.md.
// Redaction never changes the columns: a `full`-only column is present in
// every file and EMPTY unless the export was asked for with detail=full, so a
// spreadsheet reads the same column positions from both kinds of file.
import { z } from 'zod';
import { PLATFORMS, PLATFORM_STEPS } from './platforms';
import { isoDate } from './schemas';

/**
 * How a cell is written: `text` and `number` as such; `date` is a calendar
 * day YYYY-MM-DD (in Hanoi); `datetime` is an instant (ISO 8601 with offset in
 * CSV; in XLSX a date-time cell showing Hanoi wall-clock time).
 */
export type ColumnKind = 'text' | 'number' | 'date' | 'datetime';

export interface ExportColumnSpec {
  readonly name: string;
  readonly kind: ColumnKind;
  /** Personal detail: empty unless detail=full. */
  readonly full?: true;
  /** XLSX column width in characters. */
  readonly width: number;
}

const col = (name: string, kind: ColumnKind, width: number, full?: true): ExportColumnSpec =>
  full ? { name, kind, width, full } : { name, kind, width };

// ------------------------------------------------------------------ visits

/** Bump when a visits column is renamed, removed, reordered or changes meaning. */
export const VISITS_VERSION = 1;

/** One row per non-deleted visit, in (at in UTC, visit id) order. */
export const VISITS_COLUMNS = [
  col('visit_id', 'text', 38),
  col('visited_at', 'datetime', 20),
  col('channel', 'text', 15),
  col('literacy_point', 'text', 20),
  col('outcome', 'text', 10),
  col('group', 'text', 10),
  col('house_number', 'text', 10, true),
  col('lane', 'text', 16),
  col('sub_lane', 'text', 16),
  col('street', 'text', 20),
  col('head_of_household', 'text', 24, true),
  col('people_helped', 'number', 8),
  col('steps_done', 'number', 8),
  col('steps_blocked', 'number', 8),
  col('blockers', 'text', 24),
  col('independent_platforms', 'text', 24),
  col('services', 'text', 30),
  col('follow_up_on', 'date', 12),
  col('escalation_reason', 'text', 20),
  col('volunteer', 'text', 24),
  // Added with the export datasets (at the end: version 1 still holds).
  col('escalation_detail', 'text', 40, true),
  /** The status of the visit's escalation case (open, in_progress, resolved); empty without one. */
  col('case_status', 'text', 12),
  /** yes: a literacy-point walk-in (no household); no: a visit to a household. */
  col('walk_in', 'text', 8),
] as const satisfies readonly ExportColumnSpec[];

// ------------------------------------------------------------------ people

/** Bump when a people column is renamed, removed, reordered or changes meaning. */
export const PEOPLE_VERSION = 1;

export const AGE_BANDS = ['<40', '40-59', '60-69', '70-79', '80+'] as const;
export type AgeBand = (typeof AGE_BANDS)[number];

/** The band of an age in years (export year − birth year, in Hanoi). */
export function ageBand(age: number): AgeBand {
  if (age < 40) return '<40';
  if (age < 60) return '40-59';
  if (age < 70) return '60-69';
  if (age < 80) return '70-79';
  return '80+';
}

/** Per platform: `<platform>_<step>` (status), `<platform>_<step>_blocker`, then `<platform>_independent`. */
const checklistColumns = PLATFORMS.flatMap((platform) => [
  ...PLATFORM_STEPS[platform].flatMap((step) => [col(`${platform}_${step}`, 'text', 12), col(`${platform}_${step}_blocker`, 'text', 16)]),
  col(`${platform}_independent`, 'text', 10),
]);

/**
 * One row per non-deleted person of a non-deleted household, in (household
 * id, person id) order. The checklist columns follow PLATFORMS and
 * PLATFORM_STEPS (src/shared/platforms.ts): a step added there adds columns in
 * the middle of this list, which is a new PEOPLE_VERSION.
 */
export const PEOPLE_COLUMNS = [
  col('person_id', 'text', 38),
  col('household_id', 'text', 38),
  col('group', 'text', 10),
  col('house_number', 'text', 10, true),
  col('lane', 'text', 16),
  col('sub_lane', 'text', 16),
  col('street', 'text', 20),
  col('full_name', 'text', 24, true),
  col('birth_year', 'number', 8, true),
  /** AGE_BANDS, or empty when the birth year is unknown. */
  col('age_band', 'text', 8),
  /** personPriority() reasons (src/shared/priority.ts), joined with '; '. */
  col('priority', 'text', 20),
  ...checklistColumns,
  col('first_visit_on', 'date', 12),
  col('last_visit_on', 'date', 12),
] as const satisfies readonly ExportColumnSpec[];

// -------------------------------------------------------------- households

/** Bump when a households column is renamed, removed, reordered or changes meaning. */
export const HOUSEHOLDS_VERSION = 1;

/** One row per non-deleted household (door), in (group, household id) order. */
export const HOUSEHOLDS_COLUMNS = [
  col('household_id', 'text', 38),
  col('group', 'text', 10),
  col('house_number', 'text', 10, true),
  col('lane', 'text', 16),
  col('sub_lane', 'text', 16),
  col('street', 'text', 20),
  /** yes / no */
  col('consent', 'text', 8),
  col('people', 'number', 8),
  col('priority_people', 'number', 8),
  col('visits', 'number', 8),
  col('last_outcome', 'text', 10),
  col('last_visit_on', 'date', 12),
] as const satisfies readonly ExportColumnSpec[];

// ------------------------------------------------------------------- cases

/** Bump when a cases column is renamed, removed, reordered or changes meaning. */
export const CASES_VERSION = 1;

/**
 * One row per escalation case (one per escalated visit), in case id order.
 * from/to select cases by the day they were opened (in Hanoi); group by the
 * household's current group (walk-ins have none). The escalation's detail and
 * the resolution are free text a person wrote, so they are `full` only.
 */
export const CASES_COLUMNS = [
  col('case_id', 'text', 38),
  col('visit_id', 'text', 38),
  col('opened_at', 'datetime', 20),
  col('group', 'text', 10),
  /** yes: the escalated visit was a literacy-point walk-in; no: a door. */
  col('walk_in', 'text', 8),
  col('house_number', 'text', 10, true),
  col('lane', 'text', 16),
  col('sub_lane', 'text', 16),
  col('street', 'text', 20),
  /** ESCALATION_REASONS code. */
  col('reason', 'text', 20),
  /** open, in_progress or resolved. */
  col('status', 'text', 12),
  /** The display name of the responder or supervisor who took it; empty when nobody has. */
  col('assignee', 'text', 24),
  col('resolved_at', 'datetime', 20),
  col('detail', 'text', 40, true),
  col('resolution', 'text', 40, true),
] as const satisfies readonly ExportColumnSpec[];

// ---------------------------------------------------------------- datasets

export const DATASETS = ['visits', 'people', 'households', 'cases'] as const;
export type Dataset = (typeof DATASETS)[number];
export const FORMATS = ['csv', 'xlsx'] as const;
export type ExportFormat = (typeof FORMATS)[number];

export const DATASET_COLUMNS: Record<Dataset, readonly ExportColumnSpec[]> = {
  visits: VISITS_COLUMNS,
  people: PEOPLE_COLUMNS,
  households: HOUSEHOLDS_COLUMNS,
  cases: CASES_COLUMNS,
};
export const DATASET_VERSIONS: Record<Dataset, number> = {
  visits: VISITS_VERSION,
  people: PEOPLE_VERSION,
  households: HOUSEHOLDS_VERSION,
  cases: CASES_VERSION,
};

/** A `reason` for detail=full must say why in at least this many characters. */
export const MIN_REASON_LENGTH = 10;
export const MAX_REASON_LENGTH = 500;

/**
 * The query of GET /api/v1/exports/{dataset}.{format}, and of the CLI's flags.
 * `ward` is a ward code or `*` (all wards: the city role, not built yet).
 * The reason rule (detail=full needs MIN_REASON_LENGTH characters) is checked
 * apart, after the role, so that it answers its own code (reason_required).
 */
export const exportQuerySchema = z
  .object({
    from: isoDate.optional(),
    to: isoDate.optional(),
    group: z.string().trim().min(1).max(40).optional(),
    detail: z.literal('full').optional(),
    reason: z.string().trim().max(MAX_REASON_LENGTH).optional(),
    ward: z.string().trim().min(1).max(40).optional(),
  })
  .strict()
  .refine((q) => !q.from || !q.to || q.from <= q.to, { message: 'from must not be after to', path: ['from'] });
export type ExportQuery = z.infer<typeof exportQuerySchema>;

// ------------------------------------------------------------------- audit

export const EXPORT_STATUSES = ['started', 'complete', 'incomplete'] as const;
export const AUDIT_DEFAULT_LIMIT = 50;
export const AUDIT_MAX_LIMIT = 200;

/** One export, as GET /api/v1/audit/exports lists it. `rows` counts data rows written. */
export const exportAuditSchema = z.object({
  id: z.string(),
  at: z.string(),
  userId: z.string(),
  role: z.string(),
  ward: z.string(),
  dataset: z.enum(DATASETS),
  format: z.enum(FORMATS),
  from: z.string().nullable(),
  to: z.string().nullable(),
  group: z.string().nullable(),
  detail: z.enum(['redacted', 'full']),
  reason: z.string().nullable(),
  rows: z.number().int(),
  status: z.enum(EXPORT_STATUSES),
});
export type ExportAudit = z.infer<typeof exportAuditSchema>;

