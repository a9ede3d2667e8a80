// Exponential backoff with full jitter: wait a random time between 0 and
// min(cap, base * 2^attempt). Jitter stops a whole team's phones, which all
// regain signal at the same street corner, from retrying in lockstep.
const BACKOFF_BASE_MS = 2_000;
export const BACKOFF_CAP_MS = 5 * 60_000;

export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempt));
  return Math.max(BACKOFF_BASE_MS / 2, Math.floor(random() * ceiling));
}
