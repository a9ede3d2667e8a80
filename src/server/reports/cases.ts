// The summary's `cases` section: the escalation cases still waiting for the
// response team (status open or in_progress), per reason, and how long they
// have waited (median age in whole days since the case was opened).
//
// Kept apart from summary.ts on purpose: the rest of the summary moves to
// incremental aggregates, while cases are few (one per escalated visit) and
// their ages change with the clock, not with pushes. So this reads the ward's
// unresolved case rows (entity 'case' only; the records key starts with the
// entity) and takes the medians in Node.
import { sql, type Kysely } from 'kysely';
import { ESCALATION_REASONS, type EscalationReason } from '../../shared/platforms';
import type { ReportSummary } from '../../shared/reports';
import type { DB } from '../db';
import type { ReportSql } from './sql';

const DAY_MS = 86_400_000;

/** The median of a non-empty list (the mean of the two middle values for an even count), to one decimal. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const m = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return Math.round(m * 10) / 10;
}

/** Whole days from `createdAt` to `now` (0 on the first day; a clock ahead of the server counts as 0). */
export function ageInDays(createdAt: string, now: Date): number {
  const t = Date.parse(createdAt);
  return Number.isNaN(t) ? 0 : Math.max(0, Math.floor((now.getTime() - t) / DAY_MS));
}

export async function openCases(trx: Kysely<DB>, R: ReportSql, ward: string, now: Date): Promise<ReportSummary['cases']> {
  const { rows } = await sql<{ reason: string | null; status: string | null; created_at: string | null }>`
    select ${R.text(R.doc('r.data'), ['reason'])} as reason,
           ${R.text(R.doc('r.data'), ['status'])} as status,
           ${R.text(R.doc('r.data'), ['createdAt'])} as created_at
    from records r
    where r.entity = 'case' and r.ward_code = ${ward} and r.deleted = 0
  `.execute(trx);
  const waiting = rows.filter((r) => r.status === 'open' || r.status === 'in_progress');
  const ages = new Map<EscalationReason, number[]>();
  for (const r of waiting) {
    if (!(ESCALATION_REASONS as readonly string[]).includes(String(r.reason))) continue;
    const list = ages.get(r.reason as EscalationReason) ?? [];
    list.push(ageInDays(String(r.created_at), now));
    ages.set(r.reason as EscalationReason, list);
  }
  const all = [...ages.values()].flat();
  return {
    open: waiting.filter((r) => r.status === 'open').length,
    inProgress: waiting.filter((r) => r.status === 'in_progress').length,
    medianAgeDays: all.length > 0 ? median(all) : null,
    byReason: ESCALATION_REASONS.filter((reason) => ages.has(reason)).map((reason) => ({
      reason,
      count: ages.get(reason)!.length,
      medianAgeDays: median(ages.get(reason)!),
    })),
  };
}
