// The reports contract: the supervisor's ward summary and the city report,
// read on the server from the incremental aggregates (SQLite and PostgreSQL),
// shown by the supervisor dashboard and the city console page.
//
// The visits export's columns live with the other export datasets in
// ./exports.ts (VISITS_COLUMNS, VISITS_VERSION); EXPORT_COLUMNS and
// EXPORT_FORMAT_VERSION are their names as the first CSV export knew them.
import { z } from 'zod';
import { VISITS_COLUMNS, VISITS_VERSION } from './exports';
import { BLOCKERS, ESCALATION_REASONS, PLATFORMS } from './platforms';

export const EXPORT_FORMAT_VERSION = VISITS_VERSION;

/** The visits export's header, in order (see VISITS_COLUMNS). */
export const EXPORT_COLUMNS = VISITS_COLUMNS.map((c) => c.name);
export type ExportColumn = (typeof VISITS_COLUMNS)[number]['name'];

const groupCoverageSchema = z.object({
  group: z.string(),
  households: z.number().int(),
  visited: z.number().int(),
  notHome: z.number().int(),
  declined: z.number().int(),
  unknocked: z.number().int(),
  people: z.number().int(),
  priorityPeople: z.number().int(),
});

const funnelSchema = z.object({
  platform: z.enum(PLATFORMS),
  people: z.number().int(),
  steps: z.array(z.object({ step: z.string(), done: z.number().int(), blocked: z.number().int() })),
  independent: z.number().int(),
});

const blockerCountSchema = z.object({
  platform: z.enum(PLATFORMS),
  blocker: z.enum(BLOCKERS),
  count: z.number().int(),
});

/**
 * Escalation cases still waiting for the response team: `open` (nobody took it
 * yet) and `inProgress`; per reason, how many wait and their median age in
 * days since the case was opened (reasons with none waiting are left out).
 * medianAgeDays is null when nothing waits.
 */
const openCasesSchema = z.object({
  open: z.number().int(),
  inProgress: z.number().int(),
  medianAgeDays: z.number().nullable(),
  byReason: z.array(z.object({ reason: z.enum(ESCALATION_REASONS), count: z.number().int(), medianAgeDays: z.number() })),
});

export const reportSummarySchema = z.object({
  wardCode: z.string(),
  generatedAt: z.string(),
  coverage: z.array(groupCoverageSchema),
  funnel: z.array(funnelSchema),
  blockers: z.array(blockerCountSchema),
  visits: z.object({
    total: z.number().int(),
    door: z.number().int(),
    literacyPoint: z.number().int(),
    helped: z.number().int(),
    escalations: z.number().int(),
  }),
  cases: openCasesSchema,
});
export type ReportSummary = z.infer<typeof reportSummarySchema>;

// ---------------------------------------------------------------- city

/** GET /api/v1/reports/city takes no query parameters: any is invalid_request. */
export const cityReportQuerySchema = z.object({}).strict();

/** The console path of a ward's dashboard (the city page links every row to it). */
export const wardDashboardPath = (wardCode: string) => `#/console/dashboard?ward=${encodeURIComponent(wardCode)}`;

export const cityWardSchema = z.object({
  /** The ward's code, as users and records name it. */
  code: z.string(),
  /** From the wards table when the ward is there, else the code. */
  name: z.string(),
  /** wardDashboardPath(code). */
  dashboard: z.string(),
  households: z.number().int(),
  /** Households whose latest visit was helped or revisit (the summary's `visited`). */
  visited: z.number().int(),
  people: z.number().int(),
  priorityPeople: z.number().int(),
  /** Priority people of visited households. */
  priorityPeopleReached: z.number().int(),
  /** People who did at least one platform alone (a checklist's `independent`). */
  independentPeople: z.number().int(),
  /** The ward's target for independentPeople, when the wards table has one. */
  targetIndependent: z.number().int().nullable(),
  funnel: z.array(funnelSchema),
  /** Escalation cases by status (0 until cases exist). */
  openCases: z.number().int(),
  inProgressCases: z.number().int(),
});
export type CityWard = z.infer<typeof cityWardSchema>;

export const cityReportSchema = z.object({
  generatedAt: z.string(),
  wards: z.array(cityWardSchema),
});
export type CityReport = z.infer<typeof cityReportSchema>;
