// Who comes first. One function, used by every screen, the server and exports,
// so a household is never "priority" on one screen and not on another.

export const ELDERLY_AGE = 60; // người cao tuổi: 60 or older, by law

export function isElderly(birthYear: number | undefined, year: number = new Date().getFullYear()): boolean {
  return birthYear !== undefined && year - birthYear >= ELDERLY_AGE;
}

export type PriorityReason = 'elderly' | 'disability' | 'near_poor' | 'poor';

export interface PriorityInput {
  birthYear?: number | undefined;
  disability?: boolean | undefined;
  povertyStatus?: 'none' | 'near_poor' | 'poor' | undefined;
}

/** Reasons a person (or walk-in) is priority; empty when not priority. */
export function priorityReasons(p: PriorityInput, year?: number): PriorityReason[] {
  const out: PriorityReason[] = [];
  if (isElderly(p.birthYear, year)) out.push('elderly');
  if (p.disability) out.push('disability');
  if (p.povertyStatus === 'near_poor') out.push('near_poor');
  if (p.povertyStatus === 'poor') out.push('poor');
  return out;
}

/** A registered person's reasons: their age and disability, and their household's poverty status. */
export function personPriority(
  person: { birthYear?: number | undefined; flags: { disability: boolean } },
  household: { povertyStatus: 'none' | 'near_poor' | 'poor' } | undefined,
  year?: number,
): PriorityReason[] {
  return priorityReasons({ birthYear: person.birthYear, disability: person.flags.disability, povertyStatus: household?.povertyStatus }, year);
}

/** A literacy-point walk-in's reasons, from what the volunteer noted about them (no household record). */
export function walkInPriority(
  entry: { walkInBirthYear?: number | undefined; walkInFlags?: { disability: boolean; poorHousehold: boolean } | undefined },
  year?: number,
): PriorityReason[] {
  return priorityReasons(
    {
      birthYear: entry.walkInBirthYear,
      disability: entry.walkInFlags?.disability,
      povertyStatus: entry.walkInFlags?.poorHousehold ? 'poor' : 'none',
    },
    year,
  );
}

/** A household's reasons: its poverty status plus those of any of its people. */
export function householdPriorityReasons(
  household: { povertyStatus: 'none' | 'near_poor' | 'poor' },
  people: ReadonlyArray<{ birthYear?: number | undefined; flags: { disability: boolean }; deleted?: boolean }>,
  year?: number,
): PriorityReason[] {
  const set = new Set<PriorityReason>(priorityReasons({ povertyStatus: household.povertyStatus }, year));
  for (const p of people) {
    if (p.deleted) continue;
    for (const r of priorityReasons({ birthYear: p.birthYear, disability: p.flags.disability }, year)) set.add(r);
  }
  const order: PriorityReason[] = ['elderly', 'disability', 'near_poor', 'poor'];
  return order.filter((r) => set.has(r));
}
