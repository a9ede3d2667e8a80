// @vitest-environment node
// Bad input to the exports, GET /api/v1/exports/{dataset}.{format}, and to
// the export audit, GET /api/v1/audit/exports: who may not, and bad queries.
// Each is refused before the first byte of a file, writes no audit row and
// changes nothing, on SQLite and (when available) PostgreSQL.
import { describeBadInput, describeRefusals, refusal, type Refusal } from './helpers';

const URL = '/api/v1/exports/people.xlsx';
const AUDIT = '/api/v1/audit/exports';
const REASON = 'reason=B%C3%A1o%20c%C3%A1o%20qu%E1%BA%ADn';

const WHO: Refusal[] = [
  // A responder role does not exist yet; when it does, it belongs here too.
  ...['visits.csv', 'people.xlsx', 'households.csv'].map((file) => refusal(`a volunteer, ${file}`, 403, 'forbidden', 'GET', `/api/v1/exports/${file}`, (w) => ({ cookie: w.volCookie }))),
  refusal('no session', 401, 'unauthenticated', 'GET', URL),
  refusal('a revoked session', 401, 'unauthenticated', 'GET', URL, (w) => ({ cookie: w.revokedCookie })),
  refusal('a disabled account', 401, 'unauthenticated', 'GET', URL, (w) => ({ cookie: w.disabledCookie })),
  refusal('a supervisor naming another ward', 403, 'forbidden', 'GET', `${URL}?ward=HOANKIEM`, (w) => ({ cookie: w.supCookie })),
  refusal('a supervisor asking for every ward', 403, 'forbidden', 'GET', `${URL}?ward=*`, (w) => ({ cookie: w.supCookie })),
  refusal('a volunteer reading the audit', 403, 'forbidden', 'GET', AUDIT, (w) => ({ cookie: w.volCookie })),
  refusal('no session reading the audit', 401, 'unauthenticated', 'GET', AUDIT),
];

const BAD_QUERIES: Refusal[] = (
  [
    ['from not a date', 'from=2026-13-01', 'invalid_request'],
    ['to not a date', 'to=yesterday', 'invalid_request'],
    ['from after to', 'from=2026-08-05&to=2026-08-01', 'invalid_request'],
    ['from twice', 'from=2026-08-01&from=2026-08-02', 'invalid_request'],
    ['detail other than full', 'detail=all', 'invalid_request'],
    ['an empty group', 'group=', 'invalid_request'],
    ['a group of 41 characters', `group=${'T'.repeat(41)}`, 'invalid_request'],
    ['a group with NUL', 'group=TDP%001', 'invalid_request'],
    ['an unknown parameter', 'limit=5', 'invalid_request'],
    ['a phone column asked for', 'columns=phone', 'invalid_request'],
    ['a reason of 501 characters', `detail=full&reason=${'x'.repeat(501)}`, 'invalid_request'],
    ['full detail without a reason', 'detail=full', 'reason_required'],
    ['full detail with a 9-character reason', 'detail=full&reason=123456789', 'reason_required'],
    ['full detail with a reason of spaces', `detail=full&reason=${'%20'.repeat(12)}`, 'reason_required'],
  ] as [string, string, string][]
).map(([name, query, code]) => refusal(`query ${name}`, 400, code, 'GET', `${URL}?${query}`, (w) => ({ cookie: w.supCookie })));

const BAD_FILES: Refusal[] = ['addresses.csv', 'people.pdf', 'people', 'people.csv.xlsx', 'PEOPLE.CSV'].map((file) =>
  refusal(`file ${file}`, 404, 'not_found', 'GET', `/api/v1/exports/${file}?${REASON}`, (w) => ({ cookie: w.supCookie })),
);

const BAD_AUDIT: Refusal[] = (
  [
    ['limit 0', 'limit=0'],
    ['limit 201', 'limit=201'],
    ['limit text', 'limit=all'],
    ['a cursor that is no id', "cursor=1'%20or%20'1'='1"],
    ['a ward', 'ward=*'],
  ] as [string, string][]
).map(([name, query]) => refusal(`audit ${name}`, 400, 'invalid_request', 'GET', `${AUDIT}?${query}`, (w) => ({ cookie: w.supCookie })));

describeBadInput('exports', (w) => {
  describeRefusals('who may export', w, WHO);
  describeRefusals('bad queries', w, BAD_QUERIES);
  describeRefusals('unknown datasets and formats', w, BAD_FILES);
  describeRefusals('bad audit queries', w, BAD_AUDIT);
});
