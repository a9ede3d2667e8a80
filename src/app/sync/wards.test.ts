// The ward's list of groups: fetched, kept on the device, and what the pickers offer.
import { describe, expect, it } from 'vitest';
import { refreshWard } from './wards';
import { groupChoices } from '../db/queries';
import { loadWard } from '../db/meta';
import { createHousehold } from '../db/repo';
import { actor, createHouseholdInput, freshDb } from '../../../tests/factories/records';
import type { Ward } from '../../shared/wards';

const WARD: Ward = {
  code: 'CUANAM',
  name: 'Phường Cửa Nam',
  targetIndependent: null,
  createdAt: '2026-08-01T00:00:00.000Z',
  groups: [
    { code: 'TDP 2', name: 'Tổ dân phố số 2', targetHouseholds: 300 },
    { code: 'TDP 1', name: 'Tổ dân phố số 1', targetHouseholds: null },
    { code: 'TDP 3', name: 'TDP 3', targetHouseholds: null },
  ],
};

function answering(status: number, body: unknown): { fetchImpl: typeof fetch; urls: string[] } {
  const urls: string[] = [];
  const fetchImpl = (async (url: string) => {
    urls.push(url);
    return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
  }) as unknown as typeof fetch;
  return { fetchImpl, urls };
}

describe('refreshWard', () => {
  it('fetches GET /api/v1/wards/:code and keeps the ward on the device', async () => {
    const db = freshDb();
    const http = answering(200, { ward: WARD });
    expect(await refreshWard(db, 'CUANAM', http)).toEqual({ ok: true });
    expect(http.urls).toEqual(['/api/v1/wards/CUANAM']);
    expect(await loadWard(db)).toEqual(WARD);
  });

  it('keeps the list it has when the server refuses or the network is down', async () => {
    const db = freshDb();
    await refreshWard(db, 'CUANAM', answering(200, { ward: WARD }));
    const refused = await refreshWard(db, 'CUANAM', answering(403, { error: { code: 'forbidden', message: 'x' } }));
    expect(refused).toMatchObject({ ok: false, kind: 'api', code: 'forbidden' });
    const offline = await refreshWard(db, 'CUANAM', { fetchImpl: (async () => Promise.reject(new TypeError('offline'))) as unknown as typeof fetch });
    expect(offline).toEqual({ ok: false, kind: 'offline' });
    expect(await loadWard(db)).toEqual(WARD);
  });

  it('asks nothing for the city (ward "*")', async () => {
    const http = answering(200, { ward: WARD });
    expect(await refreshWard(freshDb(), '*', http)).toEqual({ ok: false, kind: 'no_ward' });
    expect(http.urls).toEqual([]);
  });
});

describe('groupChoices', () => {
  it('before the list is fetched: the known groups, named by their code', async () => {
    const db = freshDb();
    expect(await groupChoices(db, { role: 'volunteer', groups: ['TDP 1'] })).toEqual([{ code: 'TDP 1', name: 'TDP 1' }]);
  });

  it("a volunteer gets their own groups from the ward's list, in its order, with its names", async () => {
    const db = freshDb();
    await refreshWard(db, 'CUANAM', answering(200, { ward: WARD }));
    expect(await groupChoices(db, { role: 'volunteer', groups: ['TDP 1', 'TDP 2'] })).toEqual([
      { code: 'TDP 2', name: 'Tổ dân phố số 2' },
      { code: 'TDP 1', name: 'Tổ dân phố số 1' },
    ]);
  });

  it('a supervisor gets the whole list, then groups of records on the device that the list lacks', async () => {
    const db = freshDb();
    await refreshWard(db, 'CUANAM', answering(200, { ward: WARD }));
    const r = await createHousehold(db, actor, createHouseholdInput({ group: 'TDP 9' }));
    expect(r.ok).toBe(true);
    expect((await groupChoices(db, { role: 'supervisor', groups: [] })).map((g) => g.code)).toEqual(['TDP 2', 'TDP 1', 'TDP 3', 'TDP 9']);
  });
});
