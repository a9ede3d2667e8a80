// Supervisor reports: GET /api/v1/reports/summary and GET /api/v1/exports/visits.csv.
// Supervisor only (a volunteer gets 403), always the supervisor's own ward.
// The contract is src/shared/reports.ts; docs/API.md, "Reports", explains it.
import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { EXPORT_FORMAT_VERSION } from '../../shared/reports';
import { isoDate } from '../../shared/schemas';
import type { ServerContext } from '../context';
import { parseOr400 } from '../errors';
import { visitsCsv } from '../reports/export';
import { reportSummary } from '../reports/summary';
import { requireRole } from '../sessions';

/**
 * Dates in the export's ?from=&to= are calendar days in Hanoi (UTC+07:00, no
 * daylight saving), where every ward of the campaign is: a visit at 06:30 on
 * 2 Aug in Hanoi (23:30Z on 1 Aug) is a visit of 2 Aug.
 */
const WARD_UTC_OFFSET = '+07:00';
const DAY_MS = 24 * 60 * 60 * 1000;
const startOfDay = (day: string) => new Date(`${day}T00:00:00.000${WARD_UTC_OFFSET}`);
/** Today's date in Hanoi, YYYY-MM-DD. */
const wardToday = (now: Date) => new Date(now.getTime() + 7 * 60 * 60 * 1000).toISOString().slice(0, 10);

const exportQuerySchema = z
  .object({ from: isoDate.optional(), to: isoDate.optional() })
  .strict()
  .refine((q) => !q.from || !q.to || q.from <= q.to, { message: 'from must not be after to', path: ['from'] });

/**
 * RFC 5987 ext-value: UTF-8, percent-encoded except attr-char. encodeURIComponent
 * leaves ' ( ) * unencoded, but ' is the ext-value's own delimiter and the
 * others are not attr-char, so they are encoded too.
 */
const rfc5987 = (text: string) => encodeURIComponent(text).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** attachment; filename="<ASCII fallback>"; filename*=UTF-8''<the exact name> (RFC 6266 / RFC 5987). */
function exportDisposition(wardCode: string, day: string): string {
  const name = (ward: string) => `gocua-visits-${ward}-${day}-v${EXPORT_FORMAT_VERSION}.csv`;
  const ascii = wardCode.replace(/[^A-Za-z0-9_-]/g, '_');
  return `attachment; filename="${name(ascii)}"; filename*=UTF-8''${rfc5987(name(wardCode))}`;
}

export function reportRoutes(app: FastifyInstance, ctx: ServerContext) {
  const supervisor = requireRole(ctx, ['supervisor'], 'Reports are for supervisors');

  app.get('/api/v1/reports/summary', async (request, reply) => {
    const user = await supervisor(request, reply);
    return reportSummary(ctx.db, user.wardCode, ctx.now());
  });

  app.get('/api/v1/exports/visits.csv', async (request, reply) => {
    const user = await supervisor(request, reply);
    const q = parseOr400(exportQuerySchema, request.query);
    const range = {
      ...(q.from ? { from: startOfDay(q.from) } : {}),
      ...(q.to ? { to: new Date(startOfDay(q.to).getTime() + DAY_MS) } : {}),
    };
    // Nothing here is logged: the rows are personal data. If the database fails
    // half-way, the headers are already sent and the connection is cut, so a
    // truncated file never looks complete (no final CRLF-terminated row count
    // is promised, but the download fails in the browser).
    reply
      .header('content-type', 'text/csv; charset=utf-8')
      .header('content-disposition', exportDisposition(user.wardCode, wardToday(ctx.now())))
      .header('cache-control', 'no-store');
    return reply.send(Readable.from(visitsCsv(ctx.db, user.wardCode, range), { objectMode: false }));
  });
}
