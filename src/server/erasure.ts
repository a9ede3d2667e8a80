// Erasure: what a delete, or a household withdrawing its consent, leaves on the
// server. Names, ages, phones and disability flags are personal data, the last
// of them health data (Decree 13/2023); once the household says no, or a record
// is deleted, they must be gone from every table, not merely marked.
//
//   - A deleted record keeps only its minimal tombstone: id, wardCode,
//     deleted, createdAt, updatedAt, and the one reference scoping needs
//     (a household's group, a person's or visit's householdId). Pull sends it
//     so devices drop their copy.
//   - A household erasure (consent withdrawn, or the household deleted), in the
//     push's transaction: its people become minimal tombstones; its visits lose
//     notes, escalate.detail and walk-in name, birth year and flags (channel,
//     outcome, steps, services and dates stay, so the ward's figures stay
//     true); the conflict and rejected rows of all those records go; one row in
//     `erasures` says when, which household, who and how many records, and
//     nothing personal. Clearing the household's own headName, phone and notes
//     is push.ts's part (the household record is the mutation's).
//     Its escalation cases lose `detail` the same way (reason, status and
//     resolution stay: the response team's work is the ward's record).
//   - A person deleted on its own is tombstoned and its conflict and rejected rows go.
import { uuidv7 } from '../shared/ids';
import type { Entity } from '../shared/schemas';
import type { RecordsTable } from './db';
import * as records from './records';

type Rec = Record<string, unknown>;

/** Household fields that exist only with consent; the server clears them when it is withdrawn. */
export const CONSENTED_HOUSEHOLD_FIELDS = ['headName', 'phone', 'notes'] as const;

export type ErasureReason = 'consent_withdrawn' | 'household_deleted';

/** The whole of a deleted record that the server keeps and sends. */
export function minimalTombstone(entity: Entity, record: Rec, updatedAt: string): Rec {
  const kept: Rec = { id: record.id, wardCode: record.wardCode, deleted: true, createdAt: record.createdAt, updatedAt };
  if (entity === 'household') kept.group = record.group;
  else if (record.householdId !== undefined) kept.householdId = record.householdId;
  return kept;
}

/** A visit without free text or walk-in details: what the ward's figures need and nothing more. */
function scrubVisit(visit: Rec): Rec {
  const out = structuredClone(visit);
  delete out.notes;
  const escalate = out.escalate as Rec | undefined;
  if (escalate) delete escalate.detail;
  for (const p of (out.people as Rec[] | undefined) ?? []) {
    delete p.walkInName;
    delete p.walkInBirthYear;
    delete p.walkInFlags;
  }
  return out;
}

/** A case without the words of the escalation: what the queue and the figures need. */
function scrubCase(c: Rec): Rec {
  const out = structuredClone(c);
  delete out.detail;
  return out;
}

/** What an erasure leaves of one of the household's records. */
function erasedChild(row: RecordsTable, data: Rec, at: string): Rec {
  if (row.entity === 'person') return minimalTombstone('person', data, row.deleted ? (data.updatedAt as string) : at);
  return row.entity === 'case' ? scrubCase(data) : scrubVisit(data);
}

const same = (a: Rec, b: Rec) => JSON.stringify(a) === JSON.stringify(b);

/** Deletes the conflict and rejected rows of these records (and rejected creates naming the household). */
async function forgetAttention(tx: records.PushTx, ids: string[], householdId?: string): Promise<void> {
  const ward = tx.user.wardCode;
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    await tx.trx.deleteFrom('conflicts').where('ward_code', '=', ward).where('record_id', 'in', chunk).execute();
    await tx.trx.deleteFrom('rejected_mutations').where('ward_code', '=', ward).where('record_id', 'in', chunk).execute();
  }
  if (householdId !== undefined) {
    // A refused create of a person or visit under the household never became a record.
    const named = `%"householdId":"${householdId}"%`;
    await tx.trx
      .deleteFrom('rejected_mutations')
      .where('ward_code', '=', ward)
      .where((eb) => eb.or([eb('fields', 'like', named), eb('base', 'like', named)]))
      .execute();
  }
}

/** Deletes one record: a household is erased whole; a person is tombstoned. Visits are never deleted. */
export async function deleteRecord(tx: records.PushTx, entity: Entity, existing: RecordsTable, at: string): Promise<void> {
  const tombstone = minimalTombstone(entity, JSON.parse(existing.data) as Rec, at);
  await records.writeRecord(tx, entity, tombstone, existing.group_code, existing);
  if (entity === 'household') await eraseHousehold(tx, existing.id, 'household_deleted', at);
  else await forgetAttention(tx, [existing.id]);
}

/** Erases the personal data of a household's people, visits and cases, and logs it. */
export async function eraseHousehold(tx: records.PushTx, householdId: string, reason: ErasureReason, at: string): Promise<void> {
  const children = await records.householdChildren(tx, householdId);
  for (const row of children) {
    const data = JSON.parse(row.data) as Rec;
    const erased = erasedChild(row, data, at);
    if (!same(erased, data)) {
      if (row.entity !== 'person') erased.updatedAt = at;
      await records.writeRecord(tx, row.entity as Entity, erased, row.group_code, row);
    }
  }
  await forgetAttention(tx, [householdId, ...children.map((c) => c.id)], householdId);
  await tx.trx
    .insertInto('erasures')
    .values({ id: uuidv7(), ward_code: tx.user.wardCode, household_id: householdId, user_id: tx.user.id, reason, records: 1 + children.length, at: tx.now })
    .execute();
}
