// Query-string parts that several routes share. Query values arrive as text.
import { z } from 'zod';

/** An optional integer parameter: 1 to `max`, `fallback` when absent; anything else is invalid_request. */
export function countParam(max: number, fallback: number) {
  return z
    .string()
    .regex(/^\d{1,4}$/, `an integer from 1 to ${max}`)
    .transform(Number)
    .pipe(z.number().min(1).max(max))
    .default(fallback);
}
