// The demo ward behind `npm run demo`: Cửa Nam with its 28 residential groups,
// 6 literacy points, about 3,000 households with Vietnamese names and
// addresses (the seeded generator in tests/factories/), four weeks of visits
// with blockers and escalations, 12 volunteers, 2 responders, a supervisor and
// a city account.
//
// Everything goes in through push(), as each volunteer's phone would send it,
// so whatever the server derives from a push (versions, escalation cases,
// report aggregates) is derived exactly as in the field. The same seed always
// gives the same ward.
import type { ServerContext } from '../src/server/context';
import type { Db } from '../src/server/db';
import { passwordHasher } from '../src/server/passwords';
import { push } from '../src/server/push';
import { createUser, type AuthUser } from '../src/server/users';
import { createWard, ensureWardGroups } from '../src/server/wards';
import { allFields } from '../src/shared/fields';
import { uuidv7 } from '../src/shared/ids';
import { ESCALATION_REASONS, type EscalationReason } from '../src/shared/platforms';
import { MAX_MUTATIONS_PER_PUSH, PROTOCOL_VERSION, type Mutation } from '../src/shared/protocol';
import type { Entity, Role, Visit } from '../src/shared/schemas';
import { addVisitWork, generateWard, personName, rng, type Rng } from '../tests/factories/generate';

export const DEMO_WARD = { code: 'CUANAM', name: 'Cửa Nam' };
export const DEMO_GROUPS = 28;
/** Printed by `npm run demo`: a demo on a laptop, never a real ward's password. */
export const DEMO_PASSWORD = 'demo-CuaNam-2026';
const DAY = 86_400_000;
const HANOI_OFFSET_MS = 7 * 3_600_000;

export const LITERACY_POINTS = [
  'Nhà văn hoá TDP 3',
  'Nhà văn hoá TDP 9',
  'Nhà văn hoá TDP 15',
  'Nhà văn hoá TDP 22',
  'Trụ sở UBND phường Cửa Nam',
  'Trường THCS Trưng Vương',
];

const DETAILS: Record<EscalationReason, string> = Object.fromEntries(
  ESCALATION_REASONS.map((r) => [r, 'Cần tổ phản ứng nhanh hỗ trợ trực tiếp tại nhà']),
) as Record<EscalationReason, string>;
DETAILS.identity_verification = 'Không quét được chip căn cước, cần công an phường hỗ trợ xác thực';
DETAILS.account_problem = 'Quên mật khẩu VNeID, không nhận được mã OTP';
DETAILS.technical = 'Điện thoại cũ không cài được ứng dụng iHanoi';

export interface DemoAccount {
  username: string;
  role: Role;
  displayName: string;
  groups: string[];
}

export const groupCode = (n: number) => `TDP ${n}`;

/** 1 supervisor, 12 volunteers (28 groups dealt round), 2 responders, 1 city account. */
export function demoAccounts(): DemoAccount[] {
  const r = rng(2026);
  const name = () => personName(r, r.chance(0.6) ? 'female' : 'male');
  const volunteers: DemoAccount[] = Array.from({ length: 12 }, (_, i) => ({
    username: `tnv${String(i + 1).padStart(2, '0')}`,
    role: 'volunteer',
    displayName: name(),
    groups: Array.from({ length: DEMO_GROUPS }, (_, g) => g + 1).filter((g) => (g - 1) % 12 === i).map(groupCode),
  }));
  return [
    { username: 'giamsat', role: 'supervisor', displayName: name(), groups: [] },
    ...volunteers,
    { username: 'phanung1', role: 'responder', displayName: name(), groups: [] },
    { username: 'phanung2', role: 'responder', displayName: name(), groups: [] },
    { username: 'thanhpho', role: 'city', displayName: 'Sở Khoa học và Công nghệ Hà Nội', groups: [] },
  ];
}

/** A time on day `day` (0 = four weeks ago) between 08:00 and 20:00 Hanoi time. */
function workingHour(r: Rng, start: number, day: number): number {
  const midnightHanoi = Math.floor((start + HANOI_OFFSET_MS) / DAY) * DAY - HANOI_OFFSET_MS;
  return midnightHanoi + day * DAY + r.int(8 * 3600, 20 * 3600) * 1000;
}

export interface DemoOptions {
  households?: number;
  seed?: number;
  now?: Date;
  /** scrypt cost for the demo passwords (tests use a cheap one). */
  scryptLogN?: number;
}

export interface DemoSummary {
  accounts: DemoAccount[];
  households: number;
  people: number;
  visits: number;
  escalations: number;
  rejected: number;
}

/**
 * Targets a ward office would set: every registered door of a group plus a
 * tenth (doors not found yet), and "did it alone" for a third of the people.
 */
async function setTargets(db: Db, groupOfEachHousehold: string[], people: number): Promise<void> {
  const perGroup = new Map<string, number>();
  for (const g of groupOfEachHousehold) perGroup.set(g, (perGroup.get(g) ?? 0) + 1);
  for (const [code, n] of perGroup) {
    await db.kysely
      .updateTable('ward_groups')
      .set({ name: code.replace('TDP', 'Tổ dân phố'), target_households: Math.ceil(n * 1.1) })
      .where('ward_code', '=', DEMO_WARD.code)
      .where('code', '=', code)
      .execute();
  }
  await db.kysely.updateTable('wards').set({ target_independent: Math.ceil(people / 3) }).where('code', '=', DEMO_WARD.code).execute();
}

/** Seeds an empty database with the demo ward. */
export async function seedDemo(db: Db, opts: DemoOptions = {}): Promise<DemoSummary> {
  const now = opts.now ?? new Date();
  const start = now.getTime() - 28 * DAY;
  const r = rng((opts.seed ?? 7) + 1);
  const accounts = demoAccounts();
  const users = new Map<string, AuthUser>();
  const allGroups = Array.from({ length: DEMO_GROUPS }, (_, g) => groupCode(g + 1));
  await createWard(db, DEMO_WARD, now);
  await ensureWardGroups(db, DEMO_WARD.code, allGroups);
  for (const a of accounts) {
    const input = { username: a.username, password: DEMO_PASSWORD, displayName: a.displayName, role: a.role, groups: a.groups };
    users.set(a.username, await createUser(db, a.role === 'city' ? input : { ...input, wardCode: DEMO_WARD.code }, opts.scryptLogN ?? 15));
  }

  const ward = generateWard({ seed: opts.seed ?? 7, households: opts.households ?? 3_000, wardCode: DEMO_WARD.code, groups: DEMO_GROUPS, baseTime: start });
  addVisitWork(ward);
  await setTargets(db, ward.households.map((h) => h.group), ward.people.length);

  // Households were registered over the first days; visits spread over the
  // four weeks after each door's registration, in working hours.
  const registered = new Map<string, number>();
  for (const h of ward.households) {
    const at = new Date(workingHour(r, start, r.int(0, 6))).toISOString();
    h.createdAt = at;
    h.updatedAt = at;
    h.consent = { ...h.consent, at };
    registered.set(h.id, Date.parse(at));
  }
  let escalations = 0;
  for (const v of ward.visits) {
    const from = Math.max(0, Math.ceil((registered.get(v.householdId!)! - start) / DAY));
    const at = new Date(Math.min(now.getTime() - 60_000, workingHour(r, start, r.int(from, 27)))).toISOString();
    Object.assign(v, { at, createdAt: at, updatedAt: at });
    if (v.followUpOn) v.followUpOn = new Date(Date.parse(at) + r.int(1, 10) * DAY).toISOString().slice(0, 10);
    if (v.outcome === 'helped' && r.chance(0.04)) {
      const reason = r.pick(ESCALATION_REASONS);
      v.escalate = { reason, detail: DETAILS[reason] };
      escalations++;
    }
  }

  const owner = (group: string) => accounts.find((a) => a.role === 'volunteer' && a.groups.includes(group))!.username;
  const byVolunteer = new Map<string, { entity: Entity; record: { id: string } }[]>();
  const queue = (username: string, entity: Entity, record: { id: string }) => {
    const list = byVolunteer.get(username) ?? [];
    list.push({ entity, record });
    byVolunteer.set(username, list);
  };
  const groupOf = new Map(ward.households.map((h) => [h.id, h.group]));
  for (const h of ward.households) queue(owner(h.group), 'household', h);
  for (const p of ward.people) queue(owner(groupOf.get(p.householdId)!), 'person', p);
  for (const v of ward.visits) queue(owner(groupOf.get(v.householdId!)!), 'visit', v);

  // Walk-ins at the literacy points: people from anywhere, helped on the spot.
  const walkIns = Math.round(ward.households.length / 10);
  for (let i = 0; i < walkIns; i++) {
    const volunteer = accounts[1 + (i % 12)]!.username;
    const at = new Date(workingHour(r, start, r.int(0, 27))).toISOString();
    const elderly = r.chance(0.5);
    const visit: Visit = {
      id: uuidv7(Date.parse(at)),
      createdAt: at,
      updatedAt: at,
      deleted: false,
      wardCode: DEMO_WARD.code,
      channel: 'literacy_point',
      literacyPointId: LITERACY_POINTS[i % LITERACY_POINTS.length],
      at,
      volunteerId: 'set-by-server',
      outcome: 'helped',
      people: [
        {
          walkInName: personName(r, r.chance(0.5) ? 'female' : 'male'),
          walkInBirthYear: elderly ? r.int(1936, 1965) : r.int(1966, 2008),
          walkInFlags: { disability: r.chance(0.06), poorHousehold: r.chance(0.08) },
          steps: [{ platform: 'vneid', step: 'installed', status: 'done' }, ...(r.chance(0.5) ? [{ platform: 'ihanoi' as const, step: 'installed', status: 'done' as const }] : [])],
          independent: r.chance(elderly ? 0.2 : 0.5) ? ['vneid'] : [],
        },
      ],
      services: r.chance(0.5) ? ['Đăng ký tạm trú'] : [],
    };
    queue(volunteer, 'visit', visit);
  }

  const ctx: ServerContext = {
    db,
    scryptLogN: opts.scryptLogN ?? 15,
    passwords: passwordHasher(opts.scryptLogN ?? 15),
    now: () => now,
    hooks: {},
    version: 'demo',
  };
  let rejected = 0;
  for (const [username, items] of byVolunteer) {
    const user = users.get(username)!;
    const clientId = `demo-${username}-${uuidv7(start)}`;
    let seq = 0;
    for (let i = 0; i < items.length; i += MAX_MUTATIONS_PER_PUSH) {
      const mutations: Mutation[] = items.slice(i, i + MAX_MUTATIONS_PER_PUSH).map(({ entity, record }) => ({
        seq: ++seq,
        entity,
        id: record.id,
        op: 'upsert',
        fields: allFields(record),
        at: (record as { updatedAt?: string }).updatedAt ?? now.toISOString(),
      }));
      const res = await push(ctx, user, { protocol: PROTOCOL_VERSION, clientId, userId: user.id, mutations });
      rejected += res.results.filter((x) => x.status === 'rejected').length;
    }
  }
  return {
    accounts,
    households: ward.households.length,
    people: ward.people.length,
    visits: ward.visits.length + walkIns,
    escalations,
    rejected,
  };
}
