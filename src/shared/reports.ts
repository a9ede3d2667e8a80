// The supervisor reports contract: computed on the server by SQL aggregates
// (SQLite and PostgreSQL), shown by the supervisor dashboard, exported as CSV.
//
// EXPORT_COLUMNS are the CSV header, in order. Ward reports and spreadsheets
// are built on them: add columns at the end, never rename or reorder without
// bumping EXPORT_FORMAT_VERSION (it is written into the file name).
import { z } from 'zod';
import { BLOCKERS, PLATFORMS } from './platforms';

export const EXPORT_FORMAT_VERSION = 1;

export const EXPORT_COLUMNS = [
  'visit_id',
  'visited_at',
  'channel',
  'literacy_point',
  'outcome',
  'group',
  'house_number',
  'lane',
  'sub_lane',
  'street',
  'head_of_household',
  'people_helped',
  'steps_done',
  'steps_blocked',
  'blockers',
  'independent_platforms',
  'services',
  'follow_up_on',
  'escalation_reason',
  'volunteer',
] as const;
export type ExportColumn = (typeof EXPORT_COLUMNS)[number];

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
});
export type ReportSummary = z.infer<typeof reportSummarySchema>;
