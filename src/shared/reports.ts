// The supervisor reports contract: computed on the server by SQL aggregates
// (SQLite and PostgreSQL), shown by the supervisor dashboard.
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
