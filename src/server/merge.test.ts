// @vitest-environment node
import { describe, expect, it } from 'vitest';
import type { Fields } from '../shared/fields';
import { mergeFields } from './merge';

type Case = {
  name: string;
  server: Record<string, unknown>;
  fields: Fields;
  base: Fields | undefined;
  taken: string[];
  conflicts: string[];
  merged: Record<string, unknown>;
};

const checklist = (independent: boolean) => ({ steps: {}, independent });

const cases: Case[] = [
  {
    name: 'takes a value the server still holds at the base',
    server: { notes: 'a' }, fields: { notes: 'b' }, base: { notes: 'a' },
    taken: ['notes'], conflicts: [], merged: { notes: 'b' },
  },
  {
    name: 'does nothing when the server already has the new value',
    server: { notes: 'b' }, fields: { notes: 'b' }, base: { notes: 'a' },
    taken: [], conflicts: [], merged: { notes: 'b' },
  },
  {
    name: 'keeps the server value and reports a conflict when both sides changed it',
    server: { notes: 'server' }, fields: { notes: 'client' }, base: { notes: 'a' },
    taken: [], conflicts: ['notes'], merged: { notes: 'server' },
  },
  {
    name: 'treats a blind write (no base) over an existing value as a conflict',
    server: { notes: 'server' }, fields: { notes: 'client' }, base: undefined,
    taken: [], conflicts: ['notes'], merged: { notes: 'server' },
  },
  {
    name: 'takes a field the server does not have when the client had no base for it',
    server: { notes: 'n' }, fields: { phone: '0912345678' }, base: {},
    taken: ['phone'], conflicts: [], merged: { notes: 'n', phone: '0912345678' },
  },
  {
    name: 'treats a null base as an absent field',
    server: {}, fields: { phone: '0912345678' }, base: { phone: null },
    taken: ['phone'], conflicts: [], merged: { phone: '0912345678' },
  },
  {
    name: 'clears an optional field when null is taken',
    server: { phone: '0912345678', notes: 'n' }, fields: { phone: null }, base: { phone: '0912345678' },
    taken: ['phone'], conflicts: [], merged: { notes: 'n' },
  },
  {
    name: 'ignores identity keys (id, createdAt, updatedAt)',
    server: { id: 'a', createdAt: 'c', updatedAt: 'u' }, fields: { id: 'b', createdAt: 'x', updatedAt: 'y' }, base: undefined,
    taken: [], conflicts: [], merged: { id: 'a', createdAt: 'c', updatedAt: 'u' },
  },
  {
    name: 'compares objects regardless of key order',
    server: { address: { street: 'S', houseNumber: '1' } }, fields: { address: { houseNumber: '2', street: 'S' } }, base: { address: { houseNumber: '1', street: 'S' } },
    taken: ['address'], conflicts: [], merged: { address: { houseNumber: '2', street: 'S' } },
  },
  {
    name: 'merges one platform checklist without touching the others',
    server: { platforms: { vneid: checklist(false), ihanoi: checklist(true) } }, fields: { 'platforms.vneid': checklist(true) }, base: { 'platforms.vneid': checklist(false) },
    taken: ['platforms.vneid'], conflicts: [], merged: { platforms: { vneid: checklist(true), ihanoi: checklist(true) } },
  },
  {
    name: 'takes one field and reports another as a conflict in the same mutation',
    server: { notes: 'server', headName: 'A' }, fields: { notes: 'client', headName: 'B' }, base: { notes: 'a', headName: 'A' },
    taken: ['headName'], conflicts: ['notes'], merged: { notes: 'server', headName: 'B' },
  },
];

describe('mergeFields', () => {
  it.each(cases.map((c) => [c.name, c] as const))('%s', (_name, { server, fields, base, taken, conflicts, merged }) => {
    const result = mergeFields(server, fields, base);
    expect(result.taken).toEqual(taken);
    expect(result.conflicts.map((c) => c.field)).toEqual(conflicts);
    expect(result.merged).toEqual(merged);
  });

  it('reports the server, client and base values of a conflict, absent ones as null', () => {
    const { conflicts } = mergeFields({ notes: 'server' }, { notes: 'client' }, undefined);
    expect(conflicts).toEqual([{ field: 'notes', serverValue: 'server', clientValue: 'client', baseValue: null }]);
  });

  it('never changes the server record it was given', () => {
    const server = { notes: 'a', platforms: { vneid: checklist(false) } };
    const before = structuredClone(server);
    mergeFields(server, { notes: 'b', 'platforms.vneid': checklist(true) }, { notes: 'a', 'platforms.vneid': checklist(false) });
    expect(server).toEqual(before);
  });
});
