// CSV cells for the visits export: RFC 4180 quoting plus a defence against
// spreadsheet formula injection (OWASP "CSV injection").
//
//   1. A cell whose first character is = + - @ TAB or CR would be read by Excel,
//      LibreOffice or Google Sheets as a formula (e.g. =HYPERLINK(...) or
//      +84 912 ... typed by a volunteer): it gets a leading apostrophe, which
//      spreadsheets show as text and do not display.
//   2. Then, a cell containing a comma, a double quote, CR or LF is wrapped in
//      double quotes, with every double quote doubled.
// Records end with CRLF. The file starts with a UTF-8 byte order mark so Excel
// reads Vietnamese as UTF-8 rather than the Windows code page.
import { BLOCKERS, PLATFORMS } from '../../shared/platforms';
import { EXPORT_COLUMNS, type ExportColumn } from '../../shared/reports';
import type { Household, Visit } from '../../shared/schemas';
import type { Tombstone } from '../../shared/protocol';

export const BOM = '\uFEFF';
const CRLF = '\r\n';

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

export function csvCell(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return '';
  let text = String(value);
  if (typeof value === 'string' && FORMULA_START.test(text)) text = `'${text}`;
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvLine(cells: readonly (string | number | null | undefined)[]): string {
  return cells.map(csvCell).join(',') + CRLF;
}

export const HEADER_LINE = csvLine(EXPORT_COLUMNS);

/** One visit joined with its household (if any, and as stored) and the volunteer's display name. */
export interface ExportRow {
  visit: Visit;
  /** A deleted household is its minimal tombstone: its group, no address, no head. */
  household: Household | Tombstone | null;
  householdDeleted: boolean;
  volunteerName: string | null;
}

const LIST_SEPARATOR = '; ';

/** The cells of one visit, in EXPORT_COLUMNS order. */
export function visitCells(row: ExportRow): (string | number)[] {
  const { visit: v, household: h } = row;
  const live = h !== null && !h.deleted ? (h as Household) : undefined;
  const steps = v.people.flatMap((p) => p.steps);
  const blockers = new Set(steps.filter((s) => s.status === 'blocked' && s.blocker).map((s) => s.blocker!));
  const independent = new Set(v.people.flatMap((p) => p.independent ?? []));
  const cells: Record<ExportColumn, string | number> = {
    visit_id: v.id,
    visited_at: v.at,
    channel: v.channel,
    literacy_point: v.literacyPointId ?? '',
    outcome: v.outcome,
    group: h?.group ?? '',
    house_number: live?.address.houseNumber ?? '',
    lane: live?.address.lane ?? '',
    sub_lane: live?.address.subLane ?? '',
    street: live?.address.street ?? '',
    // A deleted household is erased (erasure.ts): only its group is left.
    head_of_household: row.householdDeleted ? '' : (live?.headName ?? ''),
    people_helped: v.people.length,
    steps_done: steps.filter((s) => s.status === 'done').length,
    steps_blocked: steps.filter((s) => s.status === 'blocked').length,
    blockers: BLOCKERS.filter((b) => blockers.has(b)).join(LIST_SEPARATOR),
    independent_platforms: PLATFORMS.filter((p) => independent.has(p)).join(LIST_SEPARATOR),
    services: v.services.join(LIST_SEPARATOR),
    follow_up_on: v.followUpOn ?? '',
    escalation_reason: v.escalate?.reason ?? '',
    volunteer: row.volunteerName ?? v.volunteerId,
  };
  return EXPORT_COLUMNS.map((c) => cells[c]);
}
