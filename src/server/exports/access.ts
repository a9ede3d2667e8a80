// Who may export what: the one place the export's role and ward rules live,
// for the route and the CLI.
//
//   - Exports are for supervisors and the city (volunteers and responders get
//     403 for any export). The CLI runs on the server with the database's own
//     rights and names its ward explicitly (role 'cli').
//   - `ward`: a supervisor exports their own ward; naming it is allowed,
//     naming another ward or '*' is 403. The city exports one ward at a time
//     and must name it (none, or '*', is 403; the route answers 404 for a
//     ward that does not exist).
//   - detail=full: only roles in FULL_DETAIL_ROLES (not the city: it is
//     read-mostly and sees figures, not people), and only with a reason of
//     at least MIN_REASON_LENGTH characters (400 reason_required).
import { MIN_REASON_LENGTH, type Dataset, type ExportFormat, type ExportQuery } from '../../shared/exports';
import type { Role } from '../../shared/schemas';
import { ApiError, forbidden } from '../errors';
import type { AuditStart } from './audit';
import type { ExportParams } from './stream';

export type ExporterRole = Role | 'cli';

export interface Exporter {
  id: string;
  role: ExporterRole;
  wardCode: string;
}

/** Roles that may export at all (requireRole on the routes). */
export const EXPORT_ROLES = ['supervisor', 'city'] as const satisfies readonly Role[];

const FULL_DETAIL_ROLES: readonly ExporterRole[] = ['supervisor', 'cli'];

/** The ward an exporter's `ward` parameter resolves to, or undefined when it may not have it. */
const WARD_SCOPE: Partial<Record<ExporterRole, (me: Exporter, requested: string | undefined) => string | undefined>> = {
  supervisor: (me, requested) => (requested === undefined || requested === me.wardCode ? me.wardCode : undefined),
  city: (_me, requested) => (requested === undefined || requested === '*' ? undefined : requested),
  // The CLI's --ward is required and is the ward (its own, by definition); '*' waits for multi-ward exports.
  cli: (me, requested) => (requested === undefined || requested === me.wardCode ? me.wardCode : undefined),
};

function exportWard(me: Exporter, requested: string | undefined): string {
  const ward = WARD_SCOPE[me.role]?.(me, requested);
  if (ward === undefined) throw forbidden(me.role === 'city' ? 'Name one ward to export: ward=<code>' : 'You may export only your own ward');
  return ward;
}

export function reasonRequired(message = `detail=full needs a reason of at least ${MIN_REASON_LENGTH} characters`) {
  return new ApiError(400, 'reason_required', message);
}

/** Checks the detail rule; returns 'full' or 'redacted'. */
function exportDetail(me: Exporter, q: Pick<ExportQuery, 'detail' | 'reason'>): 'full' | 'redacted' {
  if (q.detail !== 'full') return 'redacted';
  if (!FULL_DETAIL_ROLES.includes(me.role)) throw forbidden('Your role may not export personal detail');
  if ((q.reason ?? '').length < MIN_REASON_LENGTH) throw reasonRequired();
  return 'full';
}

/**
 * Checks an export request (ward, detail) and returns what to stream and the
 * audit row to write first. The route and the CLI both start here.
 */
export function planExport(me: Exporter, dataset: Dataset, format: ExportFormat, q: ExportQuery, now: Date): { params: ExportParams; audit: AuditStart } {
  const ward = exportWard(me, q.ward);
  const detail = exportDetail(me, q);
  return {
    params: { ward, dataset, format, from: q.from, to: q.to, group: q.group, detail: detail === 'full' ? 'full' : undefined, now },
    audit: {
      at: now.toISOString(),
      userId: me.id,
      role: me.role,
      ward,
      dataset,
      format,
      from: q.from ?? null,
      to: q.to ?? null,
      group: q.group ?? null,
      detail,
      reason: q.reason ?? null,
    },
  };
}
