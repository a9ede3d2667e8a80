// @vitest-environment node
// Bad input to account management: volunteers calling it at all, bad new
// users, bad changes, and ids that are unknown, from another ward or
// malformed. Each is refused and changes nothing, on SQLite and (when
// available) PostgreSQL.
import { describeBadInput, describeRefusals, refusal, type Refusal, type World } from './helpers';
import { uuidv7 } from '../../../src/shared/ids';

const GOOD = { username: 'new.volunteer', password: 'mat-khau-dai', displayName: 'Nguyễn Thị Lan', role: 'volunteer', groups: ['TDP 1'] };

// Volunteers may not manage accounts at all.
const VOLUNTEER_CALLS: Refusal[] = [
  refusal('volunteer POST', 403, 'forbidden', 'POST', '/api/v1/users', (w) => ({ cookie: w.volCookie, body: GOOD })),
  refusal('volunteer GET', 403, 'forbidden', 'GET', '/api/v1/users', (w) => ({ cookie: w.volCookie })),
  refusal('volunteer PATCH', 403, 'forbidden', 'PATCH', (w) => `/api/v1/users/${w.target.id}`, (w) => ({ cookie: w.volCookie, body: { disabled: true } })),
  refusal('volunteer PATCH self', 403, 'forbidden', 'PATCH', (w) => `/api/v1/users/${w.vol.id}`, (w) => ({
    cookie: w.volCookie,
    body: { groups: ['TDP 1', 'TDP 2'] },
  })),
  refusal('volunteer revoke', 403, 'forbidden', 'POST', (w) => `/api/v1/users/${w.sup.id}/revoke`, (w) => ({ cookie: w.volCookie })),
];

const BAD_CREATES: Refusal[] = (
  [
    ['role supervisor', { ...GOOD, role: 'supervisor' }],
    ['role admin', { ...GOOD, role: 'admin' }],
    ['role VOLUNTEER', { ...GOOD, role: 'VOLUNTEER' }],
    ['role null', { ...GOOD, role: null }],
    ['role array', { ...GOOD, role: ['volunteer'] }],
    ['no role', { ...GOOD, role: undefined }],
    ['username spaces', { ...GOOD, username: 'lan nguyen' }],
    ['username vietnamese', { ...GOOD, username: 'lan.nguyễn' }],
    ['username 1 char', { ...GOOD, username: 'l' }],
    ['username 65 chars', { ...GOOD, username: 'l'.repeat(65) }],
    ['username NUL', { ...GOOD, username: 'lan\u0000' }],
    ['password number', { ...GOOD, password: 12345678 }],
    ['password 201', { ...GOOD, password: 'p'.repeat(201) }],
    ['displayName blank', { ...GOOD, displayName: '   ' }],
    ['displayName NUL', { ...GOOD, displayName: 'Lan\u0000' }],
    ['groups string', { ...GOOD, groups: 'TDP 1' }],
    ['groups 101', { ...GOOD, groups: Array.from({ length: 101 }, (_, i) => `G${i}`) }],
    ['group too long', { ...GOOD, groups: ['g'.repeat(41)] }],
    ['group empty', { ...GOOD, groups: [''] }],
    ['group NUL', { ...GOOD, groups: ['TDP\u00001'] }],
    ['wardCode field', { ...GOOD, wardCode: 'HOANKIEM' }],
    ['disabled field', { ...GOOD, disabled: false }],
    ['id field', { ...GOOD, id: uuidv7() }],
  ] as [string, unknown][]
).map(([name, body]) => refusal(`create ${name}`, 400, 'invalid_request', 'POST', '/api/v1/users', (w) => ({ cookie: w.supCookie, body })));

// Well-formed but refused by the password rule (password-policy.ts): 400 weak_password.
const WEAK_PASSWORDS: Refusal[] = [
  ['short', 'short'],
  ['8 digits', '12345678'],
  ['common', 'password1234'],
].flatMap(([name, password]) => [
  refusal(`create password ${name}`, 400, 'weak_password', 'POST', '/api/v1/users', (w) => ({ cookie: w.supCookie, body: { ...GOOD, password } })),
  refusal(`patch password ${name}`, 400, 'weak_password', 'PATCH', (w) => `/api/v1/users/${w.target.id}`, (w) => ({ cookie: w.supCookie, body: { password } })),
]);

const TAKEN = refusal('create taken username', 409, 'conflict', 'POST', '/api/v1/users', (w) => ({
  cookie: w.supCookie,
  body: { ...GOOD, username: w.vol.username.toUpperCase() },
}));

/** Each id on PATCH /users/:id and POST /users/:id/revoke. */
function onUserIds(ids: [string, (w: World) => string][], status: number, code: string): Refusal[] {
  return ids.flatMap(([name, id]) => [
    refusal(`PATCH id ${name}`, status, code, 'PATCH', (w) => `/api/v1/users/${id(w)}`, (w) => ({ cookie: w.supCookie, body: { disabled: true } })),
    refusal(`revoke id ${name}`, status, code, 'POST', (w) => `/api/v1/users/${id(w)}/revoke`, (w) => ({ cookie: w.supCookie })),
  ]);
}
const unknownUuid = uuidv7();
const UNKNOWN_IDS = onUserIds(
  [
    ['abc', () => 'abc'],
    ['0', () => '0'],
    ['an unknown uuid', () => unknownUuid],
    ['of a user in another ward', (w) => w.otherWard.id],
    ['SQL', () => encodeURIComponent("1' or '1'='1")],
    ['path traversal', () => '..%2F..%2Fetc'],
    ['upper-cased', (w) => encodeURIComponent(w.target.id.toUpperCase())],
  ],
  404,
  'not_found',
);
const MALFORMED_IDS = onUserIds(
  [
    ['with NUL', () => 'ab%00cd'],
    ['65 characters', () => 'x'.repeat(65)],
  ],
  400,
  'invalid_request',
);

const BAD_PATCHES: Refusal[] = (
  [
    ['disabled string', { disabled: 'yes' }],
    ['disabled 1', { disabled: 1 }],
    ['groups string', { groups: 'TDP 1' }],
    ['groups null', { groups: null }],
    ['role', { role: 'supervisor' }],
    ['wardCode', { wardCode: 'HOANKIEM' }],
    ['username', { username: 'renamed' }],
    ['displayName blank', { displayName: '' }],
    ['displayName NUL', { displayName: 'A\u0000' }],
  ] as [string, unknown][]
).map(([name, body]) =>
  refusal(`patch ${name}`, 400, 'invalid_request', 'PATCH', (w) => `/api/v1/users/${w.target.id}`, (w) => ({ cookie: w.supCookie, body })),
);

const SELF_DISABLE = refusal('supervisor disables self', 403, 'forbidden', 'PATCH', (w) => `/api/v1/users/${w.sup.id}`, (w) => ({
  cookie: w.supCookie,
  body: { disabled: true },
}));

// Groups are data: an account names groups of its ward only (400 unknown_group).
const UNKNOWN_GROUPS: Refusal[] = [
  refusal('create with a group the ward does not have', 400, 'unknown_group', 'POST', '/api/v1/users', (w) => ({ cookie: w.supCookie, body: { ...GOOD, groups: ['TDP 1', 'TDP 99'] } })),
  refusal('create with a group in other letter case', 400, 'unknown_group', 'POST', '/api/v1/users', (w) => ({ cookie: w.supCookie, body: { ...GOOD, groups: ['tdp 1'] } })),
  refusal('patch to a group the ward does not have', 400, 'unknown_group', 'PATCH', (w) => `/api/v1/users/${w.target.id}`, (w) => ({ cookie: w.supCookie, body: { groups: ['TDP 9'] } })),
];

// Lists: a supervisor lists their own ward; the city names any.
const BAD_LISTS: Refusal[] = [
  refusal('list another ward', 403, 'forbidden', 'GET', '/api/v1/users?ward=HOANKIEM', (w) => ({ cookie: w.supCookie })),
  refusal('list with an unknown parameter', 400, 'invalid_request', 'GET', '/api/v1/users?role=volunteer', (w) => ({ cookie: w.supCookie })),
  refusal('list ward "*"', 400, 'invalid_request', 'GET', '/api/v1/users?ward=*', (w) => ({ cookie: w.cityCookie })),
];

// The city makes supervisors of existing wards, nothing else.
const CITY_CREATES: Refusal[] = [
  refusal('city creates a volunteer', 400, 'invalid_request', 'POST', '/api/v1/users', (w) => ({ cookie: w.cityCookie, body: { ...GOOD, wardCode: 'CUANAM' } })),
  refusal('city creates a supervisor without a ward', 400, 'invalid_request', 'POST', '/api/v1/users', (w) => ({ cookie: w.cityCookie, body: { ...GOOD, role: 'supervisor' } })),
  refusal('city creates a supervisor of ward "*"', 400, 'invalid_request', 'POST', '/api/v1/users', (w) => ({ cookie: w.cityCookie, body: { ...GOOD, role: 'supervisor', wardCode: '*' } })),
  refusal('city creates a city user', 400, 'invalid_request', 'POST', '/api/v1/users', (w) => ({ cookie: w.cityCookie, body: { ...GOOD, role: 'city' } })),
  refusal('city creates a supervisor of a ward that does not exist', 404, 'not_found', 'POST', '/api/v1/users', (w) => ({
    cookie: w.cityCookie,
    body: { ...GOOD, role: 'supervisor', wardCode: 'NOWHERE', groups: [] },
  })),
  refusal('city patches a volunteer', 403, 'forbidden', 'PATCH', (w) => `/api/v1/users/${w.target.id}`, (w) => ({ cookie: w.cityCookie, body: { disabled: true } })),
];

describeBadInput('users', (w) => {
  describeRefusals('groups must be groups of the ward', w, UNKNOWN_GROUPS);
  describeRefusals('bad lists', w, BAD_LISTS);
  describeRefusals('the city manages supervisors only', w, CITY_CREATES);
  describeRefusals('volunteers may not manage accounts at all', w, VOLUNTEER_CALLS);
  describeRefusals('a new user with a bad body or a taken username is refused', w, [...BAD_CREATES, TAKEN]);
  describeRefusals('unknown, foreign and malformed user ids are refused', w, [...UNKNOWN_IDS, ...MALFORMED_IDS]);
  describeRefusals('a bad change to a user is refused, and a supervisor may not disable themselves', w, [...BAD_PATCHES, SELF_DISABLE]);
  describeRefusals('a short or common password is refused', w, WEAK_PASSWORDS);
});
