// The ward's list of residential groups, fetched when online and kept on the
// device (db/meta.ts saveWard), so the group pickers show the ward's own
// names and work offline. Groups are data on the server: a record in a group
// the list lacks is rejected (unknown_group), so pickers never take free text.
import { z } from 'zod';
import type { GoCuaDB } from '../db/database';
import { saveWard } from '../db/meta';
import { wardSchema } from '../../shared/wardSchema';
import { requestJson, type HttpFailure, type HttpOptions } from './http';

/** The city's ward code: every ward, none to fetch. */
const CITY_WARD = '*';

const wardResponseSchema = z.object({ ward: wardSchema });

/** Fetches GET /api/v1/wards/:code and stores it; a failure leaves the stored list as it was. */
export async function refreshWard(db: GoCuaDB, wardCode: string, http: HttpOptions = {}): Promise<{ ok: true } | HttpFailure | { ok: false; kind: 'no_ward' }> {
  if (wardCode === CITY_WARD) return { ok: false, kind: 'no_ward' };
  const res = await requestJson(wardResponseSchema, `/api/v1/wards/${encodeURIComponent(wardCode)}`, {}, http);
  if (!res.ok) return res;
  await saveWard(db, res.data.ward);
  return { ok: true };
}
