import { describe, expect, it } from 'vitest';
import { generateWard } from './generate';
import { householdSchema, personSchema, visitSchema } from '../../src/shared/schemas';

describe('seeded test-data generator', () => {
  it('is reproducible for a seed and different across seeds', () => {
    const a = generateWard({ seed: 7, households: 50 });
    expect(generateWard({ seed: 7, households: 50 })).toEqual(a);
    expect(generateWard({ seed: 8, households: 50 }).households[0]!.id).not.toBe(a.households[0]!.id);
  });

  it('produces records that pass the shared schemas', () => {
    const w = generateWard({ seed: 3, households: 300 });
    for (const h of w.households) expect(householdSchema.safeParse(h).error).toBeUndefined();
    for (const p of w.people) expect(personSchema.safeParse(p).error).toBeUndefined();
    for (const v of w.visits) expect(visitSchema.safeParse(v).error).toBeUndefined();
    expect(w.people.length).toBeGreaterThan(300);
    expect(new Set(w.households.map((h) => h.id)).size).toBe(300);
  });
});
