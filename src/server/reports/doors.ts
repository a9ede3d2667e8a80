// GET /api/v1/reports/doors?group=&lane=: the printable door list of one
// residential group, lane by lane, for a team working from paper when a phone
// dies. A door is listed when
//   - nobody has knocked yet: the household has no live visit; or
//   - a follow-up is due: its LATEST live visit (by `at` in UTC, then id) asks
//     for one, as the volunteers' follow-up list decides (a revisit, a
//     follow-up date, or an escalation), due on its follow-up date or else the
//     visit's day, on or before today in Hanoi.
// Only addresses leave the server, plus the head of household's name when the
// household gave consent (SECURITY.md, "Door lists"): no phone, no notes, no
// people, no priority flags.
import { sql } from 'kysely';
import type { DoorList } from '../../shared/console';
import type { Household, Visit } from '../../shared/schemas';
import type { Db } from '../db';
import { hanoiDay } from '../exports/hanoi';

const natural = new Intl.Collator('vi', { numeric: true });

export async function doorList(db: Db, ward: string, group: string, lane: string | undefined, now: Date): Promise<DoorList> {
  const today = hanoiDay(now.getTime());
  return db.readTx(async (trx) => {
    const { rows: hRows } = await sql<{ id: string; data: string }>`
      select id, data from records
      where ward_code = ${ward} and entity = 'household' and deleted = 0 and group_code = ${group}
    `.execute(trx);
    // A visit's group follows its household (scope-exits.ts), so the group's
    // visits are the visits of its households.
    const { rows: vRows } = await sql<{ id: string; data: string }>`
      select id, data from records
      where ward_code = ${ward} and entity = 'visit' and deleted = 0 and group_code = ${group}
    `.execute(trx);
    const latest = new Map<string, { t: number; id: string; v: Visit }>();
    for (const r of vRows) {
      const v = JSON.parse(r.data) as Visit;
      if (!v.householdId) continue;
      const t = Date.parse(v.at);
      const cur = latest.get(v.householdId);
      if (!cur || t > cur.t || (t === cur.t && r.id > cur.id)) latest.set(v.householdId, { t, id: r.id, v });
    }
    const lanes = new Map<string, DoorList['lanes'][number]['doors']>();
    for (const r of hRows) {
      const h = JSON.parse(r.data) as Household;
      const laneName = h.address.lane ?? '';
      if (lane !== undefined && laneName !== lane) continue;
      const last = latest.get(h.id)?.v;
      let reason: 'unknocked' | 'follow_up';
      let followUpOn: string | null = null;
      if (!last) reason = 'unknocked';
      else if (last.outcome === 'revisit' || last.followUpOn !== undefined || last.escalate !== undefined) {
        const due = last.followUpOn ?? hanoiDay(Date.parse(last.at));
        if (due > today) continue;
        reason = 'follow_up';
        followUpOn = due;
      } else continue;
      const doors = lanes.get(laneName) ?? [];
      doors.push({
        householdId: h.id,
        houseNumber: h.address.houseNumber,
        subLane: h.address.subLane ?? null,
        street: h.address.street,
        headName: h.consent.given ? (h.headName ?? null) : null,
        reason,
        followUpOn,
      });
      lanes.set(laneName, doors);
    }
    return {
      wardCode: ward,
      group,
      generatedAt: now.toISOString(),
      today,
      lanes: [...lanes]
        .sort(([a], [b]) => natural.compare(a, b))
        .map(([laneName, doors]) => ({
          lane: laneName,
          doors: doors.sort(
            (a, b) => natural.compare(a.street, b.street) || natural.compare(a.subLane ?? '', b.subLane ?? '') || natural.compare(a.houseNumber, b.houseNumber) || (a.householdId < b.householdId ? -1 : 1),
          ),
        })),
    };
  });
}
