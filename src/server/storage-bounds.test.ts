import { describe, expect, it } from 'vitest';
import { allFields } from '../shared/fields';
import { createHouseholdRecord, createPersonRecord, createVisitRecord } from '../../tests/factories/records';
import { MAX_STORED_CHARS, boundedForStorage } from './storage-bounds';

/** How deep arrays and objects nest in a value. */
function depthOf(value: unknown): number {
  if (value === null || typeof value !== 'object') return 0;
  return 1 + Math.max(0, ...Object.values(value).map(depthOf));
}

function nested(depth: number): unknown {
  let v: unknown = 'bottom';
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

describe('boundedForStorage', () => {
  it.each([
    ['household', allFields(createHouseholdRecord({ notes: 'Gọi trước khi đến', phone: '0912345678' }))],
    ['person', allFields(createPersonRecord(createHouseholdRecord().id))],
    ['visit', allFields(createVisitRecord(createHouseholdRecord().id))],
  ] as const)('keeps valid %s fields exactly as they are', (entity, fields) => {
    expect(boundedForStorage(entity, fields)).toEqual(fields);
  });

  it('cuts each text to its own schema maximum, ending in an ellipsis', () => {
    const long = 'Nguyễn '.repeat(1000);
    const out = boundedForStorage('household', { notes: long, headName: long, address: { houseNumber: long, street: long } }) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(out.notes).toHaveLength(1000);
    expect(out.notes.endsWith('…')).toBe(true);
    expect(out.headName).toHaveLength(100);
    expect(out.address.houseNumber).toHaveLength(20);
    expect(out.address.street).toHaveLength(80);
  });

  it('cuts texts whose schema has no maximum (phone, a step name) to a fallback, without splitting an emoji', () => {
    const out = boundedForStorage('household', { phone: '👵'.repeat(10_000), wardCode: 'x'.repeat(10_000) }) as Record<string, string>;
    expect(out.phone!.length).toBeLessThanOrEqual(200);
    expect(out.phone!.slice(0, -1)).toMatch(/^(👵)+$/u);
    expect(out.wardCode).toHaveLength(40);
  });

  it("cuts arrays to the schema's maximum count, and arrays of unknown shape to a fallback", () => {
    const person = { steps: [], independent: [] };
    const out = boundedForStorage('visit', { people: Array(5000).fill(person), services: Array(1000).fill('VNeID'), notes: Array(100_000).fill(1) }) as Record<string, unknown[]>;
    expect(out.people).toHaveLength(30);
    expect(out.services).toHaveLength(20);
    expect(out.notes!.length).toBeLessThanOrEqual(50);
  });

  it('cuts deep nesting, and keys of objects the schema does not describe', () => {
    const wide = Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`.repeat(100), i]));
    const out = boundedForStorage('household', { notes: nested(100_000), headName: wide }) as Record<string, unknown>;
    expect(depthOf(out.notes)).toBeLessThanOrEqual(8);
    expect(Object.keys(out.headName as object).length).toBeLessThanOrEqual(50);
    for (const k of Object.keys(out.headName as object)) expect(k.length).toBeLessThanOrEqual(100);
  });

  it('bounds the whole copy, even of a visit the schema allows at its largest', () => {
    const step = { platform: 'vneid', step: 'installed', status: 'blocked', blocker: 'other', blockerText: 'x'.repeat(200) };
    const huge = { people: Array(30).fill({ walkInName: 'y'.repeat(100), steps: Array(60).fill(step) }), notes: 'z'.repeat(1000) };
    const json = JSON.stringify(boundedForStorage('visit', huge));
    expect(json.length).toBeLessThanOrEqual(2 * MAX_STORED_CHARS);
    // Control characters are counted as JSON writes them (\u0001 is 6 characters).
    const controls = JSON.stringify(boundedForStorage('visit', { services: Array(20).fill('\u0001'.repeat(100)), literacyPointId: '\u0001'.repeat(80) }));
    expect(controls.length).toBeLessThanOrEqual(2 * MAX_STORED_CHARS);
  });

  it('resolves checklist keys (platforms.vneid) to their schema', () => {
    const p = createPersonRecord(createHouseholdRecord().id);
    const vneid = structuredClone(p.platforms.vneid);
    vneid.steps.installed = { status: 'blocked', blocker: 'other', blockerText: 'b'.repeat(5000) };
    const out = boundedForStorage('person', { 'platforms.vneid': vneid }) as Record<string, typeof vneid>;
    expect(out['platforms.vneid']!.steps.installed.blockerText).toHaveLength(200);
  });
});
