// The exports' audit trail as the wire carries it: GET /api/v1/audit/exports.
// One row per export request, written by the server when the file starts and
// closed when it ends ('complete') or is cut off ('incomplete': the user
// cancelled, the connection dropped, the database failed half-way).
//
// The supervisor console reads these; the server writes them. Changing a field
// here changes docs/API.md and what older app builds can parse: add fields as
// optional, never rename one.
import { z } from 'zod';
import { isoDate } from './schemas';

/** What can be exported; the path is /api/v1/exports/{dataset}.{format}. */
export const EXPORT_DATASETS = ['visits', 'people', 'households'] as const;
export type ExportDataset = (typeof EXPORT_DATASETS)[number];
export const EXPORT_FORMATS = ['csv', 'xlsx'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
/** 'redacted' unless the request asked for detail=full with a reason. */
export const EXPORT_DETAILS = ['redacted', 'full'] as const;
/** The shortest reason the server accepts with detail=full. */
export const EXPORT_REASON_MIN = 10;

/** Ids and cursors are opaque: a number from one database is as good as a string. */
const opaque = z.union([z.string(), z.number()]).transform(String);

export const exportAuditEntrySchema = z.object({
  id: opaque,
  at: z.iso.datetime({ offset: true }),
  userId: z.string(),
  role: z.string(),
  ward: z.string(),
  dataset: z.enum(EXPORT_DATASETS),
  format: z.enum(EXPORT_FORMATS),
  from: isoDate.nullish(),
  to: isoDate.nullish(),
  group: z.string().nullish(),
  detail: z.enum(EXPORT_DETAILS),
  reason: z.string().nullish(),
  /** Rows written so far; null while the server does not know yet. */
  rows: z.number().int().nonnegative().nullish(),
  status: z.enum(['started', 'complete', 'incomplete']),
});
export type ExportAuditEntry = z.infer<typeof exportAuditEntrySchema>;

export const exportAuditPageSchema = z.object({
  entries: z.array(exportAuditEntrySchema),
  cursor: opaque.nullish(),
  hasMore: z.boolean(),
});
export type ExportAuditPage = z.infer<typeof exportAuditPageSchema>;
