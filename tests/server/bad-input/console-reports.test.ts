// @vitest-environment node
// Bad input to the console's ward reports, GET /api/v1/reports/activity and
// GET /api/v1/reports/doors: who may not, and bad queries. Each is refused
// with its documented code and changes nothing, on SQLite and (when
// available) PostgreSQL.
import { describeBadInput, describeRefusals, refusal, type Refusal } from './helpers';

const ACTIVITY = '/api/v1/reports/activity';
const DOORS = '/api/v1/reports/doors?group=TDP%201';

const WHO: Refusal[] = [ACTIVITY, DOORS].flatMap((url) => [
  refusal(`${url}: a volunteer`, 403, 'forbidden', 'GET', url, (w) => ({ cookie: w.volCookie })),
  refusal(`${url}: no session`, 401, 'unauthenticated', 'GET', url),
  refusal(`${url}: a revoked session`, 401, 'unauthenticated', 'GET', url, (w) => ({ cookie: w.revokedCookie })),
  refusal(`${url}: a disabled account`, 401, 'unauthenticated', 'GET', url, (w) => ({ cookie: w.disabledCookie })),
  refusal(`${url}: a supervisor naming another ward`, 403, 'forbidden', 'GET', `${url}${url.includes('?') ? '&' : '?'}ward=HOANKIEM`, (w) => ({ cookie: w.supCookie })),
]);

const BAD_ACTIVITY: Refusal[] = (
  [
    ['from not a date', 'from=2026-13-01'],
    ['to not a date', 'to=yesterday'],
    ['from after to', 'from=2026-08-05&to=2026-08-01'],
    ['a range over 366 days', 'from=2025-01-01&to=2026-08-01'],
    ['from twice', 'from=2026-08-01&from=2026-08-02'],
    ['group twice', 'group=TDP%201&group=TDP%202'],
    ['an empty group', 'group='],
    ['a group of 41 characters', `group=${'T'.repeat(41)}`],
    ['a group with NUL', 'group=TDP%001'],
    ['a channel that is not one', 'channel=phone'],
    ['a volunteer of 65 characters', `volunteer=${'v'.repeat(65)}`],
    ['an empty ward', 'ward='],
    ['an unknown parameter', 'limit=5'],
    ['a smuggled SQL quote', "group=TDP%201'%20or%20'1'='1&channel=door'--"],
  ] as [string, string][]
).map(([name, query]) => refusal(`activity: ${name}`, 400, 'invalid_request', 'GET', `${ACTIVITY}?${query}`, (w) => ({ cookie: w.supCookie })));

const BAD_DOORS: Refusal[] = (
  [
    ['no group', ''],
    ['an empty group', 'group='],
    ['group twice', 'group=TDP%201&group=TDP%202'],
    ['a lane of 61 characters', `group=TDP%201&lane=${'N'.repeat(61)}`],
    ['an empty lane', 'group=TDP%201&lane='],
    ['a lane with NUL', 'group=TDP%201&lane=Ng%00'],
    ['an unknown parameter', 'group=TDP%201&phone=1'],
  ] as [string, string][]
).map(([name, query]) => refusal(`doors: ${name}`, 400, 'invalid_request', 'GET', `/api/v1/reports/doors?${query}`, (w) => ({ cookie: w.supCookie })));

describeBadInput('console reports', (w) => {
  describeRefusals('who may read', w, WHO);
  describeRefusals('bad activity queries', w, BAD_ACTIVITY);
  describeRefusals('bad door-list queries', w, BAD_DOORS);
});
