// @vitest-environment node
// Bad input to the erasure log, GET /api/v1/privacy/erasures: volunteers,
// no session, and bad queries. Each is refused and changes nothing, on SQLite
// and (when available) PostgreSQL.
import { describeBadInput, describeRefusals, refusal, type Refusal } from './helpers';

const URL = '/api/v1/privacy/erasures';

const WHO: Refusal[] = [
  refusal('a volunteer', 403, 'forbidden', 'GET', URL, (w) => ({ cookie: w.volCookie })),
  refusal('no session', 401, 'unauthenticated', 'GET', URL),
  refusal('a revoked session', 401, 'unauthenticated', 'GET', URL, (w) => ({ cookie: w.revokedCookie })),
  refusal('a disabled account', 401, 'unauthenticated', 'GET', URL, (w) => ({ cookie: w.disabledCookie })),
  refusal('a supervisor naming another ward', 403, 'forbidden', 'GET', `${URL}?ward=HOANKIEM`, (w) => ({ cookie: w.supCookie })),
];

const BAD_QUERIES: Refusal[] = (
  [
    ['limit 0', 'limit=0'],
    ['limit 1001', 'limit=1001'],
    ['limit -1', 'limit=-1'],
    ['limit text', 'limit=all'],
    ['limit twice', 'limit=1&limit=2'],
    ['limit with NUL', 'limit=1%00'],
    ['an unknown parameter', 'wards=HOANKIEM'],
    ['a ward code with "*"', 'ward=*'],
    ['a household filter', "householdId=1'%20or%20'1'='1"],
  ] as [string, string][]
).map(([name, query]) => refusal(`query ${name}`, 400, 'invalid_request', 'GET', `${URL}?${query}`, (w) => ({ cookie: w.supCookie })));

describeBadInput('erasure log', (w) => {
  describeRefusals('who may read it', w, WHO);
  describeRefusals('bad queries', w, BAD_QUERIES);
});
