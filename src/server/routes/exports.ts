// GET /api/v1/exports/{dataset}.{csv|xlsx} and GET /api/v1/audit/exports.
// The contract is src/shared/exports.ts; docs/API.md, "Exports", explains it.
//
// Everything is checked BEFORE the first byte: session, role, every query
// parameter, the ward, the reason for full detail. Only then is the audit row
// written ('started') and its id sent as X-Export-Id with the headers. From
// there the file streams (exports/stream.ts); when the response ends the row
// is completed: 'complete' if the client got every byte, 'incomplete' if the
// connection closed first or the database failed (the connection is then cut,
// so a truncated file never looks complete). Nothing here is logged: the rows
// are personal data.
import { PassThrough } from 'node:stream';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { DATASETS, DATASET_VERSIONS, FORMATS, exportQuerySchema, AUDIT_DEFAULT_LIMIT, AUDIT_MAX_LIMIT, type Dataset, type ExportFormat } from '../../shared/exports';
import type { ServerContext } from '../context';
import { notFound, parseOr400 } from '../errors';
import { EXPORT_ROLES, planExport } from '../exports/access';
import { finishAudit, listAudit, startAudit } from '../exports/audit';
import { hanoiDay } from '../exports/hanoi';
import { checkSheetFits, streamExport, type ExportParams } from '../exports/stream';
import { seesAllWards } from '../scope';
import { requireRole } from '../sessions';
import { wardExists } from '../wards';
import { countParam } from './query';

const CONTENT_TYPES: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/** gocua-<dataset>-<WARD>-<Hanoi day>-v<dataset version>[-full].<format> */
export function exportFileName(dataset: Dataset, format: ExportFormat, ward: string, now: Date, full: boolean): string {
  return `gocua-${dataset}-${ward}-${hanoiDay(now.getTime())}-v${DATASET_VERSIONS[dataset]}${full ? '-full' : ''}.${format}`;
}

/**
 * RFC 5987 ext-value: UTF-8, percent-encoded except attr-char. encodeURIComponent
 * leaves ' ( ) * unencoded, but ' is the ext-value's own delimiter and the
 * others are not attr-char, so they are encoded too.
 */
const rfc5987 = (text: string) => encodeURIComponent(text).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

/** attachment; filename="<ASCII fallback>"; filename*=UTF-8''<the exact name> (RFC 6266 / RFC 5987). */
function disposition(name: (ward: string) => string, wardCode: string): string {
  const ascii = wardCode.replace(/[^A-Za-z0-9_-]/g, '_');
  return `attachment; filename="${name(ascii)}"; filename*=UTF-8''${rfc5987(name(wardCode))}`;
}

/** '{dataset}.{format}' of the URL, or 404 like any unknown route. */
function parseFile(file: string): { dataset: Dataset; format: ExportFormat } {
  const m = /^([a-z]+)\.([a-z]+)$/.exec(file);
  const dataset = m?.[1] as Dataset | undefined;
  const format = m?.[2] as ExportFormat | undefined;
  if (!dataset || !format || !DATASETS.includes(dataset) || !FORMATS.includes(format)) throw notFound('No such export');
  return { dataset, format };
}

const auditQuerySchema = z.object({ limit: countParam(AUDIT_MAX_LIMIT, AUDIT_DEFAULT_LIMIT), cursor: z.uuid().optional() }).strict();

export function exportRoutes(app: FastifyInstance, ctx: ServerContext) {
  const exporter = requireRole(ctx, EXPORT_ROLES, 'Exports are for supervisors and the city');

  app.get<{ Params: { file: string } }>('/api/v1/exports/:file', async (request, reply) => {
    const user = await exporter(request, reply);
    const { dataset, format } = parseFile(request.params.file);
    const q = parseOr400(exportQuerySchema, request.query);
    const now = ctx.now();
    const { params, audit } = planExport({ id: user.id, role: user.role, wardCode: user.wardCode }, dataset, format, q, now);
    if (seesAllWards(user) && !(await wardExists(ctx.db, params.ward))) throw notFound('No such ward');
    await checkSheetFits(ctx.db, params, ctx.hooks.exportMaxSheetRows);
    const auditId = await startAudit(ctx.db, audit);
    const body = new PassThrough();
    reply
      .header('content-type', CONTENT_TYPES[format])
      .header('content-disposition', disposition((w) => exportFileName(dataset, format, w, now, params.detail === 'full'), params.ward))
      .header('cache-control', 'no-store')
      .header('x-export-id', auditId);
    void run(ctx, reply, body, auditId, params);
    return reply.send(body);
  });

  app.get('/api/v1/audit/exports', async (request, reply) => {
    const user = await exporter(request, reply);
    const q = parseOr400(auditQuerySchema, request.query);
    // The city sees every ward's exports.
    return listAudit(ctx.db, seesAllWards(user) ? '*' : user.wardCode, q.limit, q.cursor);
  });
}

/** Streams the export into `body` and completes its audit row when the response ends. */
async function run(ctx: ServerContext, reply: FastifyReply, body: PassThrough, auditId: string, params: ExportParams) {
  const abort = new AbortController();
  const progress = { rows: 0 };
  // The response is over when it finished (every byte handed to the socket)
  // or closed before that (the client went away).
  const ended = new Promise<boolean>((resolve) => {
    reply.raw.on('close', () => {
      if (!reply.raw.writableFinished) abort.abort();
      resolve(reply.raw.writableFinished);
    });
  });
  let ok = false;
  try {
    await streamExport(ctx.db, params, body, { signal: abort.signal, progress, afterPage: ctx.hooks.afterExportPage, maxSheetRows: ctx.hooks.exportMaxSheetRows });
    ok = await ended;
  } catch {
    // Cut the connection: the file must not look complete.
    body.destroy(new Error('export failed'));
  }
  await finishAudit(ctx.db, auditId, progress.rows, ok ? 'complete' : 'incomplete').catch(() => undefined);
}
