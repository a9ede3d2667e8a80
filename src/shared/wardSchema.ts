// A ward and its groups as GET /api/v1/wards/:code answers it and devices
// keep it (db/meta.ts). Kept apart from wards.ts (request schemas, the pasted
// list parser) so the device's first bundle carries only this.
import { z } from 'zod';

/** GET /api/v1/wards/:code, and each entry of GET /api/v1/wards. */
export const wardSchema = z.object({
  code: z.string(),
  name: z.string(),
  targetIndependent: z.number().nullable(),
  createdAt: z.string(),
  groups: z.array(z.object({ code: z.string(), name: z.string(), targetHouseholds: z.number().nullable() })),
});
export type Ward = z.infer<typeof wardSchema>;
