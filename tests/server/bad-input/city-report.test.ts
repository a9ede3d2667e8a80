// @vitest-environment node
// Bad input to the city report, GET /api/v1/reports/city: every role but
// `city`, no session, and any query parameter. Each is refused with its
// documented code and changes nothing, on SQLite and (when available) PostgreSQL.
import { beforeAll } from 'vitest';
import { describeBadInput, describeRefusals, refusal, type Refusal } from './helpers';

const URL = '/api/v1/reports/city';
const cookies: Record<string, string> = {};

const WHO: Refusal[] = [
  refusal('a volunteer', 403, 'forbidden', 'GET', URL, (w) => ({ cookie: w.volCookie })),
  refusal('a supervisor', 403, 'forbidden', 'GET', URL, (w) => ({ cookie: w.supCookie })),
  refusal('a responder', 403, 'forbidden', 'GET', URL, () => ({ cookie: cookies.responder! })),
  refusal('no session', 401, 'unauthenticated', 'GET', URL),
  refusal('a revoked session', 401, 'unauthenticated', 'GET', URL, (w) => ({ cookie: w.revokedCookie })),
  refusal('a disabled account', 401, 'unauthenticated', 'GET', URL, (w) => ({ cookie: w.disabledCookie })),
];

const BAD_QUERIES: Refusal[] = (
  [
    ['a ward filter', 'ward=CUANAM'],
    ['an empty parameter', 'x='],
    ['a parameter with NUL', 'ward=A%00'],
    ['broken percent-encoding', 'ward=%E0%A4%A'],
    ['an injection attempt', "ward=1'%20or%20'1'='1"],
    ['a parameter twice', 'limit=1&limit=2'],
  ] as [string, string][]
).map(([name, query]) => refusal(`query ${name}`, 400, 'invalid_request', 'GET', `${URL}?${query}`, () => ({ cookie: cookies.city! })));

describeBadInput('city report', (w) => {
  beforeAll(async () => {
    for (const role of ['city', 'responder'] as const) {
      const u = await w.s.createUser({ role, wardCode: role === 'city' ? '*' : 'CUANAM', groups: [] });
      cookies[role] = (await w.s.login(u.username, u.password)).cookie;
    }
  });
  describeRefusals('who may read it', w, WHO);
  describeRefusals('bad queries', w, BAD_QUERIES);
});
