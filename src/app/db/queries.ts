// Read-side queries for the screens. Pure functions of the database, so they
// can be tested directly and wrapped in live hooks (hooks.ts).
import { stripLocal, type GoCuaDB } from './database';
import { loadWard } from './meta';
import type { Case, CaseStatus, Household, Outcome, Person, Visit } from '../../shared/schemas';
import type { EscalationReason } from '../../shared/platforms';
import { householdPriorityReasons, personPriority, walkInPriority, type PriorityReason } from '../../shared/priority';
import { PLATFORMS, type Blocker, type Platform } from '../../shared/platforms';

export function localDate(d: Date = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

const collator = new Intl.Collator('vi', { numeric: true, sensitivity: 'base' });

function compareAddress(a: Household, b: Household): number {
  return (
    collator.compare(a.address.lane ?? '', b.address.lane ?? '') ||
    collator.compare(a.address.subLane ?? '', b.address.subLane ?? '') ||
    collator.compare(a.address.houseNumber, b.address.houseNumber)
  );
}

/** Latest visit per household, from one pass over the compound index. */
async function lastVisits(db: GoCuaDB, householdIds: string[]): Promise<Map<string, Visit>> {
  const out = new Map<string, Visit>();
  if (householdIds.length === 0) return out;
  const visits = await db.visits.where('householdId').anyOf(householdIds).toArray();
  for (const v of visits) {
    if (v.deleted || !v.householdId) continue;
    const prev = out.get(v.householdId);
    if (!prev || prev.at < v.at) out.set(v.householdId, stripLocal(v));
  }
  return out;
}

async function peopleByHousehold(db: GoCuaDB, householdIds: string[]): Promise<Map<string, Person[]>> {
  const out = new Map<string, Person[]>();
  const people = householdIds.length ? await db.people.where('householdId').anyOf(householdIds).toArray() : [];
  for (const p of people) {
    if (p.deleted) continue;
    const list = out.get(p.householdId) ?? [];
    list.push(stripLocal(p));
    out.set(p.householdId, list);
  }
  return out;
}

interface HouseholdListItem {
  household: Household;
  reasons: PriorityReason[];
  lastVisit?: Visit | undefined;
  peopleCount: number;
}

/** Priority households first, then never visited, then the rest; by address within each. */
export async function householdsByGroup(db: GoCuaDB, group: string): Promise<HouseholdListItem[]> {
  const households = (await db.households.where('group').equals(group).toArray())
    .filter((h) => !h.deleted)
    .map((h) => stripLocal(h));
  const ids = households.map((h) => h.id);
  const [people, visits] = await Promise.all([peopleByHousehold(db, ids), lastVisits(db, ids)]);
  const items = households.map((household) => ({
    household,
    reasons: householdPriorityReasons(household, people.get(household.id) ?? []),
    lastVisit: visits.get(household.id),
    peopleCount: people.get(household.id)?.length ?? 0,
  }));
  const rank = (i: HouseholdListItem) => (i.reasons.length > 0 ? 0 : i.lastVisit ? 2 : 1);
  return items.sort((a, b) => rank(a) - rank(b) || compareAddress(a.household, b.household));
}

export async function knownGroups(db: GoCuaDB, assigned: readonly string[]): Promise<string[]> {
  const keys = (await db.households.orderBy('group').uniqueKeys()) as string[];
  return [...new Set([...assigned, ...keys])].sort((a, b) => collator.compare(a, b));
}

export interface GroupChoice {
  code: string;
  /** What people read: the ward's name for the group, or its code when the ward has none. */
  name: string;
}

/**
 * The groups a user picks from: the ward's list (GET /api/v1/wards/:code,
 * kept in meta), narrowed to a volunteer's own groups; a supervisor gets the
 * whole list. Groups of records already on the device that the list lacks
 * (a list fetched before a group was added) come after it. Before the list
 * has ever been fetched: the known groups (knownGroups), named by their code.
 */
export async function groupChoices(db: GoCuaDB, user: { role: string; groups: readonly string[] }): Promise<GroupChoice[]> {
  const [ward, known] = await Promise.all([loadWard(db), knownGroups(db, user.groups)]);
  if (!ward) return known.map((code) => ({ code, name: code }));
  const mine = user.role === 'volunteer' ? new Set(user.groups) : undefined;
  const listed = ward.groups.filter((g) => !mine || mine.has(g.code)).map((g) => ({ code: g.code, name: g.name }));
  const codes = new Set(listed.map((g) => g.code));
  const extra = known.filter((c) => !codes.has(c) && (!mine || mine.has(c))).map((code) => ({ code, name: code }));
  return [...listed, ...extra];
}

export async function householdDetail(db: GoCuaDB, id: string) {
  const row = await db.households.get(id);
  if (!row) return null;
  const household = stripLocal(row);
  const [people, visits] = await Promise.all([
    db.people.where('householdId').equals(id).toArray(),
    db.visits.where('[householdId+at]').between([id, ''], [id, '\uffff']).reverse().toArray(),
  ]);
  const living = people.filter((p) => !p.deleted).map((p) => stripLocal(p));
  return {
    household,
    people: living,
    visits: visits.filter((v) => !v.deleted).map((v) => stripLocal(v)),
    reasons: householdPriorityReasons(household, living),
  };
}

export async function personDetail(db: GoCuaDB, id: string) {
  const row = await db.people.get(id);
  if (!row) return null;
  const person = stripLocal(row);
  const household = await db.households.get(person.householdId);
  return {
    person,
    household: household ? stripLocal(household) : undefined,
    reasons: personPriority(person, household),
  };
}

export async function todayVisits(db: GoCuaDB, now: Date = new Date()): Promise<Visit[]> {
  const start = new Date(now.getFullYear(), now.getMonth(), now.getDate()).toISOString();
  const rows = await db.visits.where('at').aboveOrEqual(start).reverse().sortBy('at');
  return rows.filter((v) => !v.deleted).map((v) => stripLocal(v));
}

export function pendingCount(db: GoCuaDB): Promise<number> {
  return db.outbox.count();
}

// ---------------------------------------------------------------- follow-ups

export interface FollowUp {
  key: string;
  kind: 'revisit' | 'escalation' | 'blocked';
  /** YYYY-MM-DD: when it should be done. Blocked steps are due now. */
  due: string;
  priority: boolean;
  household?: Household | undefined;
  person?: Person | undefined;
  visit?: Visit | undefined;
  /** The response team's case of an escalated visit, once the server's copy has been pulled. */
  case?: Case | undefined;
  blocked?: Array<{ platform: Platform; step: string; blocker?: Blocker | undefined; text?: string | undefined }>;
}

/**
 * What needs doing again: visits marked revisit / with a follow-up date / escalated
 * (only while no later visit to that household has happened), and every person
 * with a blocked step. Sorted by due date, priority first within a day.
 */
export async function followUps(db: GoCuaDB, today: string = localDate()): Promise<FollowUp[]> {
  const [flagged, blockedPeople] = await Promise.all([
    db.visits.where('_followUp').equals(1).toArray(),
    db.people.where('_blocked').equals(1).toArray(),
  ]);
  const householdIds = [
    ...new Set([...flagged.map((v) => v.householdId), ...blockedPeople.map((p) => p.householdId)].filter(Boolean)),
  ] as string[];
  const [households, latest, people] = await Promise.all([
    db.households.bulkGet(householdIds),
    lastVisits(db, householdIds),
    peopleByHousehold(db, householdIds),
  ]);
  const byId = new Map(households.filter((h) => h && !h.deleted).map((h) => [h!.id, stripLocal(h!)]));
  const escalated = flagged.filter((v) => v.escalate).map((v) => v.id);
  const cases = new Map((await db.cases.where('visitId').anyOf(escalated).toArray()).map((c) => [c.visitId, stripLocal(c)]));
  const out: FollowUp[] = [];

  for (const row of flagged) {
    if (row.deleted) continue;
    const visit = stripLocal(row);
    const household = visit.householdId ? byId.get(visit.householdId) : undefined;
    if (visit.householdId && (!household || latest.get(visit.householdId)?.id !== visit.id)) continue;
    const c = cases.get(visit.id);
    // A resolved case clears the escalation; a revisit or a date asked for still stands.
    const resolved = c?.status === 'resolved';
    if (resolved && visit.outcome !== 'revisit' && visit.followUpOn === undefined) continue;
    const priority = household
      ? householdPriorityReasons(household, people.get(household.id) ?? []).length > 0
      : visit.people.some((p) => walkInPriority(p).length > 0);
    out.push({
      key: `visit:${visit.id}`,
      kind: visit.escalate && !resolved ? 'escalation' : 'revisit',
      due: visit.followUpOn ?? visit.at.slice(0, 10),
      priority,
      household,
      visit,
      case: c,
    });
  }

  for (const row of blockedPeople) {
    if (row.deleted) continue;
    const person = stripLocal(row);
    const household = byId.get(person.householdId);
    if (!household) continue;
    const blocked: NonNullable<FollowUp['blocked']> = [];
    for (const platform of PLATFORMS) {
      for (const [step, s] of Object.entries(person.platforms[platform].steps)) {
        if (s.status === 'blocked') blocked.push({ platform, step, blocker: s.blocker, text: s.blockerText });
      }
    }
    out.push({
      key: `person:${person.id}`,
      kind: 'blocked',
      due: person.updatedAt.slice(0, 10) < today ? person.updatedAt.slice(0, 10) : today,
      priority: personPriority(person, household).length > 0,
      household,
      person,
      blocked,
    });
  }

  return out.sort((a, b) => a.due.localeCompare(b.due) || Number(b.priority) - Number(a.priority));
}

export function dueCount(items: FollowUp[], today: string = localDate()): number {
  return items.filter((i) => i.due <= today).length;
}

/**
 * dueCount(await followUps(db, today), today), from the `_due` index alone:
 * two index counts, no row read, so Home's start does not grow with the data.
 * A blocked person is due from the day it was blocked, so every one counts.
 */
export async function followUpsDueCount(db: GoCuaDB, today: string = localDate()): Promise<number> {
  const [visits, people] = await Promise.all([db.visits.where('_due').belowOrEqual(today).count(), db.people.orderBy('_due').count()]);
  return visits + people;
}

// ---------------------------------------------------------------- coverage

type DoorStatus = 'unknocked' | 'visited' | 'not_home' | 'declined';

function doorStatus(last: Visit | undefined): DoorStatus {
  if (!last) return 'unknocked';
  const map: Record<Outcome, DoorStatus> = {
    helped: 'visited',
    revisit: 'visited',
    not_home: 'not_home',
    declined: 'declined',
  };
  return map[last.outcome];
}

interface LaneCoverage {
  lane: string;
  registered: number;
  visited: number;
  notHome: number;
  declined: number;
  unknocked: Household[];
}

/** Per lane of a group: doors registered, and what the latest knock at each found. */
export async function coverage(db: GoCuaDB, group: string): Promise<LaneCoverage[]> {
  const households = (await db.households.where('group').equals(group).toArray()).filter((h) => !h.deleted);
  const latest = await lastVisits(
    db,
    households.map((h) => h.id),
  );
  const lanes = new Map<string, LaneCoverage>();
  for (const row of households.sort((a, b) => compareAddress(a, b))) {
    const h = stripLocal(row);
    const lane = h.address.lane ?? '';
    const entry = lanes.get(lane) ?? { lane, registered: 0, visited: 0, notHome: 0, declined: 0, unknocked: [] };
    entry.registered++;
    const status = doorStatus(latest.get(h.id));
    if (status === 'visited') entry.visited++;
    else if (status === 'not_home') entry.notHome++;
    else if (status === 'declined') entry.declined++;
    else entry.unknocked.push(h);
    lanes.set(lane, entry);
  }
  return [...lanes.values()].sort((a, b) => collator.compare(a.lane, b.lane));
}

// ---------------------------------------------------------------- cases

export interface CaseFilter {
  status?: CaseStatus | undefined;
  reason?: EscalationReason | undefined;
}

/** Where a case's last change on this device stands: waiting to sync, or refused / in conflict. */
export type CaseSync = 'synced' | 'pending' | 'attention';

export interface CaseItem {
  case: Case;
  household?: Household | undefined;
  visit?: Visit | undefined;
  sync: CaseSync;
}

/**
 * The response team's queue: the cases on this device, oldest first (the one
 * waiting longest at the top), narrowed by status and reason, each with its
 * household, visit and sync state.
 */
export async function caseQueue(db: GoCuaDB, filter: CaseFilter = {}): Promise<CaseItem[]> {
  const rows = filter.status ? await db.cases.where('status').equals(filter.status).toArray() : await db.cases.toArray();
  const cases = rows
    .filter((c) => !c.deleted && (!filter.reason || c.reason === filter.reason))
    .map((c) => stripLocal(c))
    .sort((a, b) => a.createdAt.localeCompare(b.createdAt) || a.id.localeCompare(b.id));
  const ids = cases.map((c) => c.id);
  const [households, visits, queued, flagged] = await Promise.all([
    db.households.bulkGet(cases.map((c) => c.householdId ?? '')),
    db.visits.bulkGet(cases.map((c) => c.visitId)),
    db.outbox.where('[entity+id]').anyOf(ids.map((id) => ['case', id])).toArray(),
    db.attention.where('[entity+recordId]').anyOf(ids.map((id) => ['case', id])).toArray(),
  ]);
  const pending = new Set(queued.map((e) => e.id));
  const attention = new Set(flagged.map((a) => a.recordId));
  return cases.map((c, i) => {
    const h = households[i];
    const v = visits[i];
    return {
      case: c,
      household: h && !h.deleted ? stripLocal(h) : undefined,
      visit: v ? stripLocal(v) : undefined,
      sync: attention.has(c.id) ? 'attention' : pending.has(c.id) ? 'pending' : 'synced',
    };
  });
}
