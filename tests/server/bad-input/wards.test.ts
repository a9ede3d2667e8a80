// @vitest-environment node
// Bad input to wards, their groups and the first-run setup: who may call
// them, bad bodies and codes, a taken code, a group still in use, setup once
// users exist. Each is refused and changes nothing, on SQLite and (when
// available) PostgreSQL.
import { describeBadInput, describeRefusals, nested, refusal, type Refusal } from './helpers';

const GROUPS = [
  { code: 'TDP 1', name: 'Tổ dân phố số 1' },
  { code: 'TDP 2', name: 'Tổ dân phố số 2' },
];

const WHO: Refusal[] = [
  refusal('no session POST /wards', 401, 'unauthenticated', 'POST', '/api/v1/wards', { body: { code: 'NEW', name: 'Mới' } }),
  refusal('volunteer POST /wards', 403, 'forbidden', 'POST', '/api/v1/wards', (w) => ({ cookie: w.volCookie, body: { code: 'NEW', name: 'Mới' } })),
  refusal('supervisor POST /wards', 403, 'forbidden', 'POST', '/api/v1/wards', (w) => ({ cookie: w.supCookie, body: { code: 'NEW', name: 'Mới' } })),
  refusal('supervisor GET /wards', 403, 'forbidden', 'GET', '/api/v1/wards', (w) => ({ cookie: w.supCookie })),
  refusal('no session GET /wards/:code', 401, 'unauthenticated', 'GET', '/api/v1/wards/CUANAM'),
  refusal('disabled GET /wards/:code', 401, 'unauthenticated', 'GET', '/api/v1/wards/CUANAM', (w) => ({ cookie: w.disabledCookie })),
  refusal('volunteer GET another ward', 403, 'forbidden', 'GET', '/api/v1/wards/HOANKIEM', (w) => ({ cookie: w.volCookie })),
  refusal('volunteer PUT groups', 403, 'forbidden', 'PUT', '/api/v1/wards/CUANAM/groups', (w) => ({ cookie: w.volCookie, body: GROUPS })),
  refusal('supervisor PUT another ward', 403, 'forbidden', 'PUT', '/api/v1/wards/HOANKIEM/groups', (w) => ({ cookie: w.supCookie, body: GROUPS })),
  refusal('revoked PUT groups', 401, 'unauthenticated', 'PUT', '/api/v1/wards/CUANAM/groups', (w) => ({ cookie: w.revokedCookie, body: GROUPS })),
];

const BAD_WARDS: Refusal[] = (
  [
    ['code "*"', { code: '*', name: 'Mọi nơi' }],
    ['code with a space', { code: 'CUA NAM', name: 'x' }],
    ['code with Vietnamese letters', { code: 'CỬANAM', name: 'x' }],
    ['code 41 characters', { code: 'C'.repeat(41), name: 'x' }],
    ['code empty', { code: '', name: 'x' }],
    ['code number', { code: 12, name: 'x' }],
    ['name blank', { code: 'NEW', name: '   ' }],
    ['name 101 characters', { code: 'NEW', name: 'n'.repeat(101) }],
    ['name NUL', { code: 'NEW', name: 'a\u0000b' }],
    ['an extra key', { code: 'NEW', name: 'x', targetIndependent: 5 }],
    ['an array', [{ code: 'NEW', name: 'x' }]],
    ['nested deep', { code: 'NEW', name: nested(40) }],
  ] as [string, unknown][]
).map(([name, body]) => refusal(`POST /wards ${name}`, 400, 'invalid_request', 'POST', '/api/v1/wards', (w) => ({ cookie: w.cityCookie, body })));

const TAKEN = refusal('POST /wards a taken code', 409, 'conflict', 'POST', '/api/v1/wards', (w) => ({ cookie: w.cityCookie, body: { code: 'CUANAM', name: 'Khác' } }));

const BAD_CODES: Refusal[] = [
  refusal('GET /wards/* ', 400, 'invalid_request', 'GET', '/api/v1/wards/*', (w) => ({ cookie: w.cityCookie })),
  refusal('GET /wards/ NUL', 400, 'invalid_request', 'GET', '/api/v1/wards/CUA%00NAM', (w) => ({ cookie: w.cityCookie })),
  refusal('GET /wards/ SQL', 400, 'invalid_request', 'GET', `/api/v1/wards/${encodeURIComponent("x' or '1'='1")}`, (w) => ({ cookie: w.cityCookie })),
  refusal('GET /wards/ unknown (city)', 404, 'not_found', 'GET', '/api/v1/wards/NOWHERE', (w) => ({ cookie: w.cityCookie })),
  refusal('PUT /wards/ unknown (city)', 404, 'not_found', 'PUT', '/api/v1/wards/NOWHERE/groups', (w) => ({ cookie: w.cityCookie, body: GROUPS })),
  refusal('GET /wards with a query', 400, 'invalid_request', 'GET', '/api/v1/wards?code=CUANAM', (w) => ({ cookie: w.cityCookie })),
];

const BAD_GROUPS: Refusal[] = (
  [
    ['an object', { groups: GROUPS }],
    ['a string', 'TDP 1\nTDP 2'],
    ['null', null],
    ['duplicate codes', [...GROUPS, { code: 'TDP 1', name: 'again' }]],
    ['code blank', [{ code: ' ', name: 'x' }]],
    ['code 41 characters', [{ code: 'g'.repeat(41), name: 'x' }]],
    ['code NUL', [{ code: 'TDP\u00001', name: 'x' }]],
    ['name missing', [{ code: 'TDP 1' }]],
    ['name 101 characters', [{ code: 'TDP 1', name: 'n'.repeat(101) }]],
    ['target negative', [{ code: 'TDP 1', name: 'x', targetHouseholds: -1 }]],
    ['target fractional', [{ code: 'TDP 1', name: 'x', targetHouseholds: 1.5 }]],
    ['target text', [{ code: 'TDP 1', name: 'x', targetHouseholds: '400' }]],
    ['an extra key', [{ code: 'TDP 1', name: 'x', wardCode: 'HOANKIEM' }]],
    ['201 groups', Array.from({ length: 201 }, (_, i) => ({ code: `G${i}`, name: `G${i}` }))],
  ] as [string, unknown][]
).map(([name, body]) => refusal(`PUT groups ${name}`, 400, 'invalid_request', 'PUT', '/api/v1/wards/CUANAM/groups', (w) => ({ cookie: w.supCookie, body })));

// TDP 1 has records and volunteers, TDP 2 a volunteer (the world's).
const IN_USE: Refusal[] = [
  refusal('PUT groups without TDP 1', 409, 'group_in_use', 'PUT', '/api/v1/wards/CUANAM/groups', (w) => ({ cookie: w.supCookie, body: [GROUPS[1]] })),
  refusal('PUT groups empty', 409, 'group_in_use', 'PUT', '/api/v1/wards/CUANAM/groups', (w) => ({ cookie: w.cityCookie, body: [] })),
];

const SETUP = { token: 't'.repeat(43), username: 'admin', password: 'mat-khau-that-la-dai', displayName: 'Admin', ward: { code: 'NEW', name: 'Mới' }, groups: 'TDP 1-28' };
const BAD_SETUPS: Refusal[] = [
  ...(
    [
      ['no token', { ...SETUP, token: undefined }],
      ['token 101 characters', { ...SETUP, token: 't'.repeat(101) }],
      ['username with spaces', { ...SETUP, username: 'ad min' }],
      ['ward code "*"', { ...SETUP, ward: { code: '*', name: 'x' } }],
      ['ward missing', { ...SETUP, ward: undefined }],
      ['groups a number', { ...SETUP, groups: 28 }],
      ['groups a duplicate line', { ...SETUP, groups: 'TDP 1\nTDP 1' }],
      ['groups an empty list', { ...SETUP, groups: '\n \n' }],
      ['groups an empty array', { ...SETUP, groups: [] }],
      ['groups a range of 1000', { ...SETUP, groups: 'TDP 1-1000' }],
      ['an extra key', { ...SETUP, role: 'supervisor' }],
    ] as [string, unknown][]
  ).map(([name, body]) => refusal(`setup ${name}`, 400, 'invalid_request', 'POST', '/api/v1/setup', { body })),
  refusal('setup once users exist', 410, 'setup_done', 'POST', '/api/v1/setup', { body: SETUP }),
  refusal('setup GET with a query', 400, 'invalid_request', 'GET', '/api/v1/setup?token=x'),
];

describeBadInput('wards and setup', (w) => {
  describeRefusals('who may call them', w, WHO);
  describeRefusals('a bad new ward, or a taken code', w, [...BAD_WARDS, TAKEN]);
  describeRefusals('bad or unknown ward codes', w, BAD_CODES);
  describeRefusals('a bad list of groups', w, BAD_GROUPS);
  describeRefusals('a group still in use', w, IN_USE);
  describeRefusals('setup', w, BAD_SETUPS);
});
