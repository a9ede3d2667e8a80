// The page GET /api/v1/audit/exports answers, as docs/API.md's contract names
// it: `{ entries, cursor?, hasMore }`, newest first. One entry is
// exportAuditSchema (src/shared/exports.ts, with the rest of the export
// contract); this file only adds the page around it, which the dashboard's
// audit list parses. Move it into exports.ts when that file's owner next
// changes it.
import { z } from 'zod';
import { exportAuditSchema } from './exports';

export const exportAuditPageSchema = z.object({
  entries: z.array(exportAuditSchema),
  /** The last id of this page, to ask for the next; absent (or null) on the last page. */
  cursor: z.string().nullish(),
  hasMore: z.boolean(),
});
export type ExportAuditPage = z.infer<typeof exportAuditPageSchema>;
