// Escalation cases: the server's side of the `case` entity.
//
// A volunteer cannot solve every problem at the door (a VNeID account locked,
// an identity that will not verify); they escalate the visit, and the ward's
// tech response team (role `responder`) takes it from there. The visit itself
// is append-only, so the work on it lives in its own record, a case:
//
//   1. Created by the server, never by a device, in the push transaction that
//      creates a visit with `escalate` (createCaseForVisit). Its id is
//      caseIdForVisit(visit.id): a retried push, a resent visit or two pushes
//      racing for the same visit can only ever find the one case (the ward's
//      counter lock serialises them, and the id is the records row's key).
//   2. It starts `open`, with the visit's reason, detail, visitId, householdId
//      and group. Those never change (an erasure removes `detail`, erasure.ts).
//   3. Responders and supervisors change status, assigneeId, resolution and
//      resolvedAt through ordinary pushes: field merge and conflicts as for any
//      record (checkCaseUpdate says who and which fields). `resolvedAt` is the
//      server's: set from the mutation's time when a case becomes resolved,
//      removed when it is reopened.
//   4. A responder sees the cases of the ward and the records a case points at
//      (scope.ts). Those records may be far older than the responder's pull
//      cursor, so creating a case gives the household and its people new
//      versions (same data): the next pull brings them to the responder.
import { createHash } from 'node:crypto';
import { CASE_EDITABLE_FIELDS } from '../shared/schemas';
import type { Fields } from '../shared/fields';
import { Rejection } from './errors';
import * as records from './records';
import type { AuthUser } from './users';

type Rec = Record<string, unknown>;

/**
 * The namespace of case ids (a fixed random UUID). DO NOT CHANGE: every case
 * id already stored was derived from it, and a new one would let a resent
 * visit create a second case.
 */
const CASE_NAMESPACE = '6f1c2b1e-5a3d-4f0e-9c61-2d7b8e4a9f30';

/**
 * The id of the case of a visit: a name-based UUID (RFC 9562 version 5, SHA-1
 * of the namespace's bytes and the visit id), so the same visit always gives
 * the same case id, on any server, and it passes the record id schema.
 */
export function caseIdForVisit(visitId: string): string {
  const ns = Buffer.from(CASE_NAMESPACE.replace(/-/g, ''), 'hex');
  const hash = createHash('sha1').update(ns).update(visitId, 'utf8').digest();
  const b = hash.subarray(0, 16);
  b[6] = (b[6]! & 0x0f) | 0x50; // version 5
  b[8] = (b[8]! & 0x3f) | 0x80; // RFC 4122 variant
  const hex = b.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Roles that work on cases from a device: the response team and the ward's supervisors. */
export const CASE_EDITOR_ROLES: readonly string[] = ['responder', 'supervisor'];

/**
 * The case a visit with `escalate` opens: what push stores right after the
 * visit, with the visit's group (null for a walk-in at a literacy point).
 */
export function caseForVisit(visit: Rec, group: string | null): Rec {
  const escalate = visit.escalate as { reason: string; detail?: string };
  const c: Rec = {
    id: caseIdForVisit(visit.id as string),
    createdAt: visit.createdAt,
    updatedAt: visit.createdAt,
    deleted: false,
    wardCode: visit.wardCode,
    visitId: visit.id,
    reason: escalate.reason,
    status: 'open',
  };
  if (visit.householdId !== undefined) c.householdId = visit.householdId;
  if (group !== null) c.group = group;
  if (escalate.detail !== undefined) c.detail = escalate.detail;
  return c;
}

/**
 * Opens the case of an escalated visit, unless it exists already (a resent
 * visit, or one escalated before cases existed and resent now). Then gives the
 * household and its people new versions so a responder's next pull has them.
 */
export async function createCaseForVisit(tx: records.PushTx, visit: Rec, group: string | null): Promise<void> {
  if (visit.escalate === undefined) return;
  const id = caseIdForVisit(visit.id as string);
  if (await records.loadRecord(tx, 'case', id)) return;
  await records.writeRecord(tx, 'case', caseForVisit(visit, group), group);
  const householdId = visit.householdId as string | undefined;
  if (householdId === undefined) return;
  const household = await records.loadRecord(tx, 'household', householdId);
  if (household) await records.touchRecord(tx, household);
  for (const row of await records.householdChildren(tx, householdId)) {
    if (row.entity === 'person') await records.touchRecord(tx, row);
  }
}

/**
 * What a device may do to a case, checked before anything is merged: only an
 * update, only by a responder or supervisor, only of the editable fields.
 * Throws forbidden (wrong role, or a create: cases come from visits) or
 * immutable (a delete, or a field the server owns, path = the key).
 */
export function checkCaseMutation(user: AuthUser, m: { op: string; fields: Fields }, exists: boolean): void {
  if (!CASE_EDITOR_ROLES.includes(user.role)) throw new Rejection('forbidden', 'Only responders and supervisors work on cases');
  if (m.op === 'delete') throw new Rejection('immutable', 'Cases cannot be deleted');
  if (!exists) throw new Rejection('forbidden', 'Cases are opened by the server from escalated visits');
  const editable = CASE_EDITABLE_FIELDS as readonly string[];
  const key = Object.keys(m.fields).find((k) => !editable.includes(k) && !['id', 'createdAt', 'updatedAt'].includes(k));
  if (key !== undefined) throw new Rejection('immutable', `A case's ${key} is copied from its visit and cannot be changed`, key);
}

/** The server-owned part of a case about to be validated: resolvedAt follows the status. */
export function withCaseServerOwned(record: Rec, at: string): Rec {
  const out = { ...record };
  if (out.status === 'resolved') out.resolvedAt ??= at;
  else delete out.resolvedAt;
  return out;
}

/**
 * Checks that a new assignee is someone who works on this ward's cases: a
 * responder or supervisor of the ward, not disabled. invalid_record otherwise.
 */
export async function checkAssignee(tx: records.PushTx, assigneeId: unknown): Promise<void> {
  if (assigneeId === undefined) return;
  const row = await tx.trx
    .selectFrom('users')
    .select(['role', 'ward_code', 'disabled'])
    .where('id', '=', String(assigneeId))
    .executeTakeFirst();
  if (!row || row.ward_code !== tx.user.wardCode || !CASE_EDITOR_ROLES.includes(row.role) || row.disabled) {
    throw new Rejection('invalid_record', 'A case can be assigned only to a responder or supervisor of this ward', 'assigneeId');
  }
}
