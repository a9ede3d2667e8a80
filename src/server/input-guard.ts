// Checks on parsed JSON (bodies, query strings, path params) that zod schemas
// do not make, run before them by parseOr400 (errors.ts):
//
//   - Depth. JSON.parse accepts 100,000 nested arrays within the 1 MiB body
//     limit, but everything that later walks a value recursively (JSON.stringify
//     when a rejected mutation is stored, stableStringify in the merge) then
//     throws RangeError: a 500 for bad input. No real request nests deeper than
//     about 8 levels, so anything beyond MAX_JSON_DEPTH is refused up front.
//   - NUL (U+0000). PostgreSQL text cannot hold it ("invalid byte sequence for
//     encoding UTF8: 0x00"), so a NUL in a username, clientId, display name, path
//     id or group name was a 500 on PostgreSQL and silently stored on SQLite.
//     It is never meaningful input, so it is refused on both databases alike.
//
// The walk is iterative: a recursive one would overflow on the very input it
// is meant to refuse.

export const MAX_JSON_DEPTH = 32;

export interface HostileInput {
  path: (string | number)[];
  message: string;
}

/**
 * The first hostile spot in a parsed JSON value, or undefined. `skipNul(path)`
 * returning true exempts that subtree from the NUL check (not from the depth
 * check): push handles NUL inside a mutation's fields per mutation instead.
 */
export function findHostileInput(
  value: unknown,
  skipNul: (path: (string | number)[]) => boolean = () => false,
): HostileInput | undefined {
  const stack: { value: unknown; path: (string | number)[]; nul: boolean }[] = [{ value, path: [], nul: true }];
  while (stack.length > 0) {
    const item = stack.pop()!;
    const v = item.value;
    if (typeof v === 'string') {
      if (item.nul && v.includes('\u0000')) return { path: item.path, message: 'Text must not contain the NUL character (U+0000)' };
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (item.path.length >= MAX_JSON_DEPTH) {
      return { path: item.path.slice(0, MAX_JSON_DEPTH), message: `JSON nested more than ${MAX_JSON_DEPTH} levels deep` };
    }
    const entries: [string | number, unknown][] = Array.isArray(v) ? v.map((x, i) => [i, x]) : Object.entries(v);
    for (const [key, child] of entries) {
      const path = [...item.path, key];
      const nul = item.nul && !skipNul(path);
      if (nul && typeof key === 'string' && key.includes('\u0000')) {
        return { path: item.path, message: 'Keys must not contain the NUL character (U+0000)' };
      }
      stack.push({ value: child, path, nul });
    }
  }
  return undefined;
}

/** The first path to a string or key containing NUL (no depth limit: call after findHostileInput). */
export function findNul(value: unknown): (string | number)[] | undefined {
  const found = findHostileInput(value);
  return found && !found.message.startsWith('JSON nested') ? found.path : undefined;
}
