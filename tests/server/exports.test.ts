// @vitest-environment node
// The export datasets (visits, people, households, cases) in CSV and XLSX, on
// SQLite and (when available) PostgreSQL: every dataset × format against an
// independent oracle computed in JS from the stored records; redaction byte
// for byte; the audit row, including a download cut half-way; who may export
// which ward.
import http from 'node:http';
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsv } from './csv';
import { DIALECTS, ensureGroupsOf, startTestServer, warnIfNoPostgres, type TestServer, type TestUser } from './helpers';
import { Outbox } from '../factories/mutations';
import { createHouseholdRecord, createPersonRecord, createVisitRecord } from '../factories/records';
import { addVisitWork, generateWard } from '../factories/generate';
import { BLOCKERS, ESCALATION_REASONS, PLATFORMS, PLATFORM_STEPS } from '../../src/shared/platforms';
import { DATASETS, DATASET_COLUMNS, FORMATS, exportAuditSchema, type Dataset, type ExportAudit, type ExportFormat } from '../../src/shared/exports';
import type { Mutation, PushResponse } from '../../src/shared/protocol';
import type { Case, Household, Person, Visit } from '../../src/shared/schemas';
import { caseIdForVisit } from '../../src/server/cases';

warnIfNoPostgres();

const WARD = 'CUANAM';
const OTHER_WARD = 'HANGBONG';
const H = 7 * 3600_000;
const hanoiDay = (ms: number) => new Date(ms + H).toISOString().slice(0, 10);
const hanoiYear = () => new Date(Date.now() + H).getUTCFullYear();
const guard = (cell: string) => (/^[=+\-@\t\r]/.test(cell) ? `'${cell}` : cell);

// Personal values seeded into the ward: a default export must contain none of them.
const SECRETS = {
  headName: 'Phùng Thị Bímật',
  personName: 'Trần Văn Kínđáo',
  houseNumber: '77B/KÍN',
  householdPhone: '0912345678',
  personPhone: '0987654321',
  householdNotes: 'Chó dữ, gọi trước',
  visitNotes: 'Ghi chú riêng tư',
  escalationDetail: 'Căn cước bị khoá ở công an',
  walkInName: 'Lê Thị Vãnglai',
  birthYear: 1931,
  caseResolution: 'Đã hẹn cụ ra công an phường sáng thứ Hai',
};

type Expected = Record<string, string | number>;
interface Stored {
  households: Household[];
  people: Person[];
  visits: Visit[];
  cases: Case[];
  names: Map<string, string>;
}

/** Every live record of a ward as stored (the server stores parsed records), read straight from the table. */
async function stored(s: TestServer, ward: string): Promise<Stored> {
  const rows = await s.db.kysely.selectFrom('records').select(['entity', 'data', 'deleted']).where('ward_code', '=', ward).execute();
  const of = <T>(entity: string) => rows.filter((r) => r.entity === entity).map((r) => JSON.parse(r.data) as T);
  const users = await s.db.kysely.selectFrom('users').select(['id', 'display_name']).where('ward_code', '=', ward).execute();
  return { households: of<Household>('household'), people: of<Person>('person'), visits: of<Visit>('visit'), cases: of<Case>('case'), names: new Map(users.map((u) => [u.id, u.display_name])) };
}

/** The oracle: each dataset's rows in full detail, keyed by their first column, written independently of src/server/exports/. */
function oracle(dataset: Dataset, st: Stored, year: number): Map<string, Expected> {
  const hById = new Map(st.households.map((h) => [h.id, h]));
  const liveH = (id: string | undefined) => {
    const h = id ? hById.get(id) : undefined;
    return h && !h.deleted ? h : undefined;
  };
  const liveVisits = st.visits.filter((v) => !v.deleted);
  const reasons = (p: Person, h: Household) =>
    [
      p.birthYear !== undefined && year - p.birthYear >= 60 ? 'elderly' : '',
      p.flags.disability ? 'disability' : '',
      h.povertyStatus === 'near_poor' ? 'near_poor' : '',
      h.povertyStatus === 'poor' ? 'poor' : '',
    ].filter(Boolean);
  const where = (h: Household) => ({
    household_id: h.id,
    group: h.group,
    house_number: h.address.houseNumber,
    lane: h.address.lane ?? '',
    sub_lane: h.address.subLane ?? '',
    street: h.address.street,
  });
  const out = new Map<string, Expected>();
  if (dataset === 'visits') {
    for (const v of liveVisits) {
      const h = v.householdId ? hById.get(v.householdId) : undefined;
      const home = liveH(v.householdId);
      const steps = v.people.flatMap((p) => p.steps);
      out.set(v.id, {
        visit_id: v.id,
        visited_at: v.at,
        channel: v.channel,
        literacy_point: v.literacyPointId ?? '',
        outcome: v.outcome,
        group: h?.group ?? '',
        house_number: home?.address.houseNumber ?? '',
        lane: home?.address.lane ?? '',
        sub_lane: home?.address.subLane ?? '',
        street: home?.address.street ?? '',
        head_of_household: home?.headName ?? '',
        people_helped: v.people.length,
        steps_done: steps.filter((x) => x.status === 'done').length,
        steps_blocked: steps.filter((x) => x.status === 'blocked').length,
        blockers: BLOCKERS.filter((b) => steps.some((x) => x.blocker === b && x.status === 'blocked')).join('; '),
        independent_platforms: PLATFORMS.filter((p) => v.people.some((x) => x.independent?.includes(p))).join('; '),
        services: v.services.join('; '),
        follow_up_on: v.followUpOn ?? '',
        escalation_reason: v.escalate?.reason ?? '',
        volunteer: st.names.get(v.volunteerId) ?? v.volunteerId,
        escalation_detail: v.escalate?.detail ?? '',
        case_status: st.cases.find((c) => c.visitId === v.id)?.status ?? '',
        walk_in: v.householdId ? 'no' : 'yes',
      });
    }
  } else if (dataset === 'cases') {
    for (const c of st.cases) {
      const home = liveH(c.householdId);
      out.set(c.id, {
        case_id: c.id,
        visit_id: c.visitId,
        opened_at: c.createdAt,
        group: c.group ?? '',
        walk_in: c.householdId ? 'no' : 'yes',
        house_number: home?.address.houseNumber ?? '',
        lane: home?.address.lane ?? '',
        sub_lane: home?.address.subLane ?? '',
        street: home?.address.street ?? '',
        reason: c.reason,
        status: c.status,
        assignee: c.assigneeId ? (st.names.get(c.assigneeId) ?? '') : '',
        resolved_at: c.resolvedAt ?? '',
        detail: c.detail ?? '',
        resolution: c.resolution ?? '',
      });
    }
  } else if (dataset === 'people') {
    for (const p of st.people) {
      const h = liveH(p.householdId);
      if (p.deleted || !h) continue;
      const times = liveVisits.filter((v) => v.householdId === p.householdId && v.people.some((x) => x.personId === p.id)).map((v) => Date.parse(v.at));
      const age = p.birthYear === undefined ? undefined : year - p.birthYear;
      const row: Expected = {
        person_id: p.id,
        ...where(h),
        full_name: p.fullName,
        birth_year: p.birthYear ?? '',
        age_band: age === undefined ? '' : age < 40 ? '<40' : age < 60 ? '40-59' : age < 70 ? '60-69' : age < 80 ? '70-79' : '80+',
        priority: reasons(p, h).join('; '),
        first_visit_on: times.length ? hanoiDay(Math.min(...times)) : '',
        last_visit_on: times.length ? hanoiDay(Math.max(...times)) : '',
      };
      for (const platform of PLATFORMS) {
        const steps = p.platforms[platform].steps as Record<string, { status: string; blocker?: string }>;
        for (const step of PLATFORM_STEPS[platform]) {
          row[`${platform}_${step}`] = steps[step]!.status;
          row[`${platform}_${step}_blocker`] = steps[step]!.blocker ?? '';
        }
        row[`${platform}_independent`] = p.platforms[platform].independent ? 'yes' : 'no';
      }
      out.set(p.id, row);
    }
  } else {
    for (const h of st.households) {
      if (h.deleted) continue;
      const vs = liveVisits.filter((v) => v.householdId === h.id).sort((a, b) => Date.parse(b.at) - Date.parse(a.at) || (b.id > a.id ? 1 : -1));
      const ps = st.people.filter((p) => !p.deleted && p.householdId === h.id);
      out.set(h.id, {
        ...where(h),
        consent: h.consent.given ? 'yes' : 'no',
        people: ps.length,
        priority_people: ps.filter((p) => reasons(p, h).length > 0).length,
        visits: vs.length,
        last_outcome: vs[0]?.outcome ?? '',
        last_visit_on: vs[0] ? hanoiDay(Date.parse(vs[0].at)) : '',
      });
    }
  }
  return out;
}

/** What a CSV cell holds for an expected value, redacted or not. */
function csvExpected(dataset: Dataset, row: Expected, full: boolean): string[] {
  return DATASET_COLUMNS[dataset].map((c) => (c.full && !full ? '' : guard(String(row[c.name]))));
}

/** What exceljs reads back for an expected value: numbers, Dates (Hanoi wall clock, to the second), guarded text, '' for empty. */
function xlsxExpected(dataset: Dataset, row: Expected, full: boolean): (string | number)[] {
  return DATASET_COLUMNS[dataset].map((c) => {
    const v = c.full && !full ? '' : row[c.name]!;
    if (v === '') return '';
    if (c.kind === 'number') return Number(v);
    if (c.kind === 'date') return `${v}T00:00:00.000Z`;
    if (c.kind === 'datetime') return new Date(Math.round((Date.parse(String(v)) + H) / 1000) * 1000).toISOString();
    return guard(String(v));
  });
}

async function readXlsx(body: Buffer): Promise<{ sheetName: string; rows: (string | number)[][]; sheet: ExcelJS.Worksheet }> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(body as unknown as ArrayBuffer);
  const sheet = wb.worksheets[0]!;
  const width = sheet.getRow(1).cellCount;
  const rows: (string | number)[][] = [];
  sheet.eachRow({ includeEmpty: false }, (r) => {
    const cells: (string | number)[] = [];
    for (let i = 1; i <= width; i++) {
      const v = r.getCell(i).value;
      if (v === null || v === undefined) cells.push('');
      else if (v instanceof Date) cells.push(new Date(Math.round(v.getTime() / 1000) * 1000).toISOString());
      else if (typeof v === 'number' || typeof v === 'string') cells.push(v);
      else cells.push(JSON.stringify(v));
    }
    rows.push(cells);
  });
  return { sheetName: sheet.name, rows, sheet };
}

/** Every file of the zip as text. */
async function unzippedText(body: Buffer): Promise<string> {
  const zip = await JSZip.loadAsync(body);
  const texts = await Promise.all(Object.values(zip.files).map((f) => f.async('string')));
  return texts.join('\n');
}

/** GET over a raw socket: status, headers and the whole body. */
function rawGet(url: string, cookie: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers: { cookie } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

async function waitForAudit(s: TestServer, id: string, status: ExportAudit['status']): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const row = await s.db.kysely.selectFrom('export_audit').select('status').where('id', '=', id).executeTakeFirst();
    if (row?.status === status) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`audit ${id} never became ${status}`);
}

for (const { dialect, skip } of DIALECTS) {
  describe.skipIf(skip)(`exports on ${dialect}`, () => {
    let s: TestServer;
    let sup: TestUser;
    let otherSup: TestUser;
    let supCookie: string;
    let volCookie: string;
    let otherCookie: string;

    async function pushAll(cookie: string, mutations: (box: Outbox) => Mutation[], box = new Outbox()) {
      const all = mutations(box);
      await ensureGroupsOf(s.db, all);
      for (let i = 0; i < all.length; i += 400) {
        const r = await s.request('POST', '/api/v1/sync/push', { cookie, body: box.body(all.slice(i, i + 400)) });
        expect(r.status).toBe(200);
        expect((r.body as PushResponse).results.filter((x) => x.status !== 'applied')).toEqual([]);
      }
    }

    const url = (dataset: Dataset, format: ExportFormat, query = '') => `${s.url}/api/v1/exports/${dataset}.${format}${query ? `?${query}` : ''}`;

    beforeAll(async () => {
      s = await startTestServer({ dialect });
      sup = await s.createUser({ role: 'supervisor' });
      const vol = await s.createUser({ role: 'volunteer', groups: ['TDP 1'] });
      otherSup = await s.createUser({ role: 'supervisor', wardCode: OTHER_WARD });
      supCookie = (await s.login(sup.username, sup.password)).cookie;
      volCookie = (await s.login(vol.username, vol.password)).cookie;
      otherCookie = (await s.login(otherSup.username, otherSup.password)).cookie;

      const ward = generateWard({ seed: 5, households: 60, wardCode: WARD, groups: 4, volunteerId: vol.id });
      addVisitWork(ward);
      ward.people.forEach((p, i) => {
        if (i % 5 === 0) p.platforms.vneid.steps.installed = { status: 'blocked', blocker: 'phone_too_old' };
        if (i % 7 === 0) p.platforms.ihanoi.independent = true;
        if (i % 9 === 0) p.flags.disability = true;
      });
      // Escalations of every reason, so the cases dataset has rows of each.
      ward.visits.forEach((v, i) => {
        if (i % 6 === 0) v.escalate = { reason: ESCALATION_REASONS[(i / 6) % ESCALATION_REASONS.length]!, detail: 'Cần tổ phản ứng nhanh hỗ trợ' };
      });
      // The secrets: a household, its person, a visit with notes and an escalation, a walk-in.
      const secret = createHouseholdRecord({
        group: 'TDP 2',
        headName: SECRETS.headName,
        phone: SECRETS.householdPhone,
        notes: SECRETS.householdNotes,
        address: { houseNumber: SECRETS.houseNumber, lane: '=Ngõ 9', street: 'Hàng Bông' },
      });
      const secretP = createPersonRecord(secret.id, { fullName: SECRETS.personName, phone: SECRETS.personPhone, birthYear: SECRETS.birthYear });
      const secretV = createVisitRecord(secret.id, {
        at: '2026-08-01T23:30:00.000Z', // 06:30 on 2 Aug in Hanoi
        notes: SECRETS.visitNotes,
        escalate: { reason: 'identity_verification', detail: SECRETS.escalationDetail },
        people: [{ personId: secretP.id, steps: [{ platform: 'vneid', step: 'installed', status: 'done' }] }],
        services: ['+84 dịch vụ'],
      });
      const walkIn = createVisitRecord(secret.id, {
        channel: 'literacy_point',
        literacyPointId: 'Nhà văn hoá',
        people: [{ walkInName: SECRETS.walkInName, walkInBirthYear: 1940, steps: [] }],
      });
      delete walkIn.householdId;
      const gone = createHouseholdRecord({ group: 'TDP 1' });
      await pushAll(supCookie, (box) => [
        ...ward.households.map((h) => box.create('household', h)),
        ...ward.people.map((p) => box.create('person', p)),
        ...ward.visits.map((v) => box.create('visit', v)),
        box.create('household', secret),
        box.create('person', secretP),
        box.create('visit', secretV),
        box.create('visit', walkIn),
        box.create('household', gone),
        box.create('person', createPersonRecord(gone.id)),
        box.create('visit', createVisitRecord(gone.id)),
        box.remove('household', gone.id),
      ]);
      const other = generateWard({ seed: 9, households: 20, wardCode: OTHER_WARD, groups: 4 });
      const otherEscalation = createVisitRecord('', { wardCode: OTHER_WARD, channel: 'literacy_point', literacyPointId: 'Điểm B', escalate: { reason: 'technical', detail: 'Máy hỏng' } });
      delete otherEscalation.householdId;
      await pushAll(otherCookie, (box) => [
        ...other.households.map((h) => box.create('household', h)),
        ...other.people.map((p) => box.create('person', p)),
        ...other.visits.map((v) => box.create('visit', v)),
        box.create('visit', otherEscalation),
      ]);
      // The response work on this ward's cases: one taken, two resolved (one of them the secret's).
      const caseRows = await s.db.kysely.selectFrom('records').select('data').where('entity', '=', 'case').where('ward_code', '=', WARD).orderBy('id').execute();
      const cases = caseRows.map((r) => JSON.parse(r.data) as Case);
      const secretCase = cases.find((c) => c.id === caseIdForVisit(secretV.id))!;
      const others = cases.filter((c) => c !== secretCase);
      expect(others.length).toBeGreaterThan(2);
      await pushAll(supCookie, (box) => [
        box.update('case', secretCase, { ...secretCase, status: 'resolved', assigneeId: sup.id, resolution: SECRETS.caseResolution }),
        box.update('case', others[0]!, { ...others[0]!, status: 'in_progress', assigneeId: sup.id }),
        box.update('case', others[1]!, { ...others[1]!, status: 'resolved', resolution: '=Đã cài lại ứng dụng' }),
      ]);
    }, 60_000);
    afterAll(async () => {
      await s?.close();
    });

    const CASES = DATASETS.flatMap((dataset) => FORMATS.flatMap((format) => [false, true].map((full) => ({ dataset, format, full }))));

    it.each(CASES)('$dataset as $format (full detail: $full) equals the oracle, row for row', async ({ dataset, format, full }) => {
      const r = await rawGet(url(dataset, format, full ? 'detail=full&reason=Báo cáo quận tháng 8' : ''), supCookie);
      expect(r.status).toBe(200);
      expect(r.headers['x-export-id']).toMatch(/^[0-9a-f-]{36}$/);
      expect(String(r.headers['content-disposition'])).toContain(`gocua-${dataset}-${WARD}-`);
      const expected = oracle(dataset, await stored(s, WARD), hanoiYear());
      expect(expected.size).toBeGreaterThan(dataset === 'cases' ? 3 : 10);
      const columns = DATASET_COLUMNS[dataset].map((c) => c.name);
      let rows: (string | number)[][];
      if (format === 'csv') {
        expect(r.headers['content-type']).toBe('text/csv; charset=utf-8');
        expect([...r.body.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
        const parsed = parseCsv(r.body.subarray(3).toString('utf8'));
        expect(parsed[0]).toEqual(columns);
        rows = parsed.slice(1);
        for (const row of rows) expect(row, String(row[0])).toEqual(csvExpected(dataset, expected.get(String(row[0]))!, full));
      } else {
        expect(r.headers['content-type']).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
        const x = await readXlsx(r.body);
        expect(x.sheetName).toBe(dataset);
        expect(x.rows[0]).toEqual(columns);
        expect(x.sheet.getRow(1).font?.bold).toBe(true);
        expect(x.sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
        expect(x.sheet.getColumn(1).width).toBeGreaterThan(8);
        rows = x.rows.slice(1);
        for (const row of rows) expect(row, String(row[0])).toEqual(xlsxExpected(dataset, expected.get(String(row[0]))!, full));
      }
      expect(rows.map((row) => row[0]).sort()).toEqual([...expected.keys()].sort());
      await waitForAudit(s, String(r.headers['x-export-id']), 'complete');
    });

    it('visits come in (at in UTC, id) order, households by group, and a group filter keeps only that group', async () => {
      const v = parseCsv((await rawGet(url('visits', 'csv'), supCookie)).body.subarray(3).toString('utf8')).slice(1);
      const keys = v.map((row) => `${new Date(row[1]!).toISOString()} ${row[0]}`);
      expect(keys).toEqual([...keys].sort());
      const h = parseCsv((await rawGet(url('households', 'csv', 'group=TDP%202'), supCookie)).body.subarray(3).toString('utf8')).slice(1);
      expect(h.length).toBeGreaterThan(0);
      expect(new Set(h.map((row) => row[1]))).toEqual(new Set(['TDP 2']));
      const p = parseCsv((await rawGet(url('people', 'csv', 'group=TDP%202'), supCookie)).body.subarray(3).toString('utf8')).slice(1);
      expect(new Set(p.map((row) => row[2]))).toEqual(new Set(['TDP 2']));
      // Visits: those of the group's households (its current group), no walk-in.
      const st = await stored(s, WARD);
      const inGroup = new Set(st.households.filter((x) => x.group === 'TDP 2').map((x) => x.id));
      const want = st.visits.filter((x) => !x.deleted && x.householdId && inGroup.has(x.householdId)).map((x) => x.id).sort();
      const g = parseCsv((await rawGet(url('visits', 'csv', 'group=TDP%202'), supCookie)).body.subarray(3).toString('utf8')).slice(1);
      expect(want.length).toBeGreaterThan(0);
      expect(g.map((row) => row[0]).sort()).toEqual(want);
      expect(new Set(g.map((row) => row[5]))).toEqual(new Set(['TDP 2']));
    });

    it('cases: a group filter keeps that group; a day filter selects by the day a case was opened; visits show their case status', async () => {
      const st = await stored(s, WARD);
      const byGroup = parseCsv((await rawGet(url('cases', 'csv', 'group=TDP%202'), supCookie)).body.subarray(3).toString('utf8')).slice(1);
      expect(byGroup.map((row) => row[0]).sort()).toEqual(st.cases.filter((c) => c.group === 'TDP 2').map((c) => c.id).sort());
      expect(byGroup.length).toBeGreaterThan(0);
      const today = hanoiDay(Date.now());
      const opened = parseCsv((await rawGet(url('cases', 'csv', `from=${today}&to=${today}`), supCookie)).body.subarray(3).toString('utf8')).slice(1);
      expect(opened.map((row) => row[0]).sort()).toEqual(st.cases.filter((c) => hanoiDay(Date.parse(c.createdAt)) === today).map((c) => c.id).sort());
      expect(opened.length).toBe(st.cases.length);
      const none = parseCsv((await rawGet(url('cases', 'csv', 'from=2030-01-01'), supCookie)).body.subarray(3).toString('utf8')).slice(1);
      expect(none).toEqual([]);
      const visits = parseCsv((await rawGet(url('visits', 'csv'), supCookie)).body.subarray(3).toString('utf8')).slice(1);
      const statusColumn = DATASET_COLUMNS.visits.findIndex((c) => c.name === 'case_status');
      expect(new Set(visits.map((row) => row[statusColumn]))).toEqual(new Set(['', 'open', 'in_progress', 'resolved']));
    });

    it('filters visits, and the visit facts of people and households, by Hanoi calendar day', async () => {
      const v = parseCsv((await rawGet(url('visits', 'csv', 'from=2026-08-02&to=2026-08-02'), supCookie)).body.subarray(3).toString('utf8')).slice(1);
      const st = await stored(s, WARD);
      const want = st.visits.filter((x) => !x.deleted && hanoiDay(Date.parse(x.at)) === '2026-08-02').map((x) => x.id).sort();
      expect(v.map((row) => row[0]).sort()).toEqual(want);
      expect(want.length).toBeGreaterThan(0);
      const far = parseCsv((await rawGet(url('households', 'csv', 'from=2030-01-01'), supCookie)).body.subarray(3).toString('utf8')).slice(1);
      expect(far.length).toBe(oracle('households', st, hanoiYear()).size);
      expect(far.every((row) => row[9] === '0' && row[10] === '' && row[11] === '')).toBe(true);
    });

    it.each(DATASETS.flatMap((dataset) => FORMATS.map((format) => ({ dataset, format }))))(
      'a default $dataset export as $format contains no name, phone, birth year, notes, escalation detail or house number',
      async ({ dataset, format }) => {
        const r = await rawGet(url(dataset, format), supCookie);
        expect(r.status).toBe(200);
        const texts = format === 'csv' ? [r.body.toString('utf8')] : [r.body.toString('latin1'), await unzippedText(r.body)];
        for (const text of texts) {
          for (const [what, value] of Object.entries(SECRETS)) {
            expect(text.includes(String(value)), `${what} in ${dataset}.${format}`).toBe(false);
            if (format === 'csv') expect(r.body.includes(Buffer.from(String(value), 'utf8')), what).toBe(false);
          }
        }
        // The lane and street stay (redaction keeps the address down to the lane).
        if (dataset !== 'visits' || format === 'csv') expect(texts.join('')).toContain('Hàng Bông');
      },
    );

    it('full detail carries names and house numbers, but never a phone or notes', async () => {
      for (const dataset of DATASETS) {
        const r = await rawGet(url(dataset, 'csv', 'detail=full&reason=Danh sách cho UBND phường'), supCookie);
        const text = r.body.toString('utf8');
        expect(text).toContain(SECRETS.houseNumber);
        for (const value of [SECRETS.householdPhone, SECRETS.personPhone, SECRETS.householdNotes, SECRETS.visitNotes, SECRETS.walkInName]) expect(text).not.toContain(value);
      }
      const people = (await rawGet(url('people', 'csv', 'detail=full&reason=Danh sách cho UBND phường'), supCookie)).body.toString('utf8');
      expect(people).toContain(SECRETS.personName);
      expect(people).toContain(String(SECRETS.birthYear));
    });

    it('writes an audit row when the download starts and completes it with the row count; lists it newest first, paged', async () => {
      const r = await rawGet(url('households', 'xlsx', 'group=TDP%201&detail=full&reason=Kiểm tra hộ nghèo&from=2026-01-01'), supCookie);
      const id = String(r.headers['x-export-id']);
      await waitForAudit(s, id, 'complete');
      const list = await s.request('GET', '/api/v1/audit/exports?limit=1', { cookie: supCookie });
      expect(list.status).toBe(200);
      const [entry] = (list.body as { entries: ExportAudit[] }).entries;
      expect(exportAuditSchema.strict().parse(entry)).toEqual({
        id,
        at: expect.any(String),
        userId: sup.id,
        role: 'supervisor',
        ward: WARD,
        dataset: 'households',
        format: 'xlsx',
        from: '2026-01-01',
        to: null,
        group: 'TDP 1',
        detail: 'full',
        reason: 'Kiểm tra hộ nghèo',
        rows: (await readXlsx(r.body)).rows.length - 1,
        status: 'complete',
      });
      expect(list.body.hasMore).toBe(true);
      // Following the cursor visits every row of the ward once, newest first.
      const ids: string[] = [];
      let cursor: string | null = null;
      do {
        const page: Awaited<ReturnType<TestServer['request']>> = await s.request('GET', `/api/v1/audit/exports?limit=7${cursor ? `&cursor=${cursor}` : ''}`, { cookie: supCookie });
        ids.push(...(page.body.entries as ExportAudit[]).map((e) => e.id));
        cursor = page.body.cursor;
      } while (cursor);
      const all = await s.db.kysely.selectFrom('export_audit').select('id').where('ward_code', '=', WARD).orderBy('id', 'desc').execute();
      expect(ids).toEqual(all.map((a) => a.id));
      // Another ward's supervisor sees none of them.
      const theirs = await s.request('GET', '/api/v1/audit/exports', { cookie: otherCookie });
      expect((theirs.body.entries as ExportAudit[]).every((e) => e.ward === OTHER_WARD)).toBe(true);
    });

    it('marks a download cut half-way as incomplete', async () => {
      const boss = await s.createUser({ role: 'supervisor', wardCode: 'CUT' });
      const { cookie } = await s.login(boss.username, boss.password);
      const box = new Outbox();
      const make = () => {
        const v = createVisitRecord(createHouseholdRecord().id, { wardCode: 'CUT', channel: 'literacy_point', literacyPointId: 'Điểm A' });
        delete v.householdId;
        return box.create('visit', v);
      };
      for (let b = 0; b < 2; b++) {
        const r = await s.request('POST', '/api/v1/sync/push', { cookie, body: box.body(Array.from({ length: 400 }, make)) });
        expect(r.status).toBe(200);
      }
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      s.hooks.afterExportPage = () => gate;
      try {
        const id = await new Promise<string>((resolve, reject) => {
          const req = http.get(url('visits', 'csv'), { headers: { cookie } }, (res) => {
            res.once('data', () => {
              req.destroy();
              resolve(String(res.headers['x-export-id']));
            });
          });
          req.on('error', () => undefined);
          setTimeout(() => reject(new Error('no data')), 10_000);
        });
        await new Promise((r) => setTimeout(r, 100));
        release();
        await waitForAudit(s, id, 'incomplete');
        const row = await s.db.kysely.selectFrom('export_audit').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
        expect(Number(row.rows)).toBeLessThan(800);
      } finally {
        delete s.hooks.afterExportPage;
        release();
      }
    });

    it('is for supervisors of the ward: a volunteer or a responder gets 403 for any export; another ward, or *, is 403', async () => {
      for (const dataset of DATASETS) {
        for (const format of FORMATS) {
          const r = await s.request('GET', `/api/v1/exports/${dataset}.${format}`, { cookie: volCookie });
          expect(r.status).toBe(403);
          expect(r.body.error.code).toBe('forbidden');
        }
      }
      expect((await s.request('GET', '/api/v1/audit/exports', { cookie: volCookie })).status).toBe(403);
      // The response team works on cases in the app; exports are not theirs either.
      const responder = await s.createUser({ role: 'responder' });
      const respCookie = (await s.login(responder.username, responder.password)).cookie;
      for (const dataset of DATASETS) {
        const r = await s.request('GET', `/api/v1/exports/${dataset}.csv`, { cookie: respCookie });
        expect(r.status, dataset).toBe(403);
        expect(r.body.error.code).toBe('forbidden');
      }
      expect((await s.request('GET', '/api/v1/audit/exports', { cookie: respCookie })).status).toBe(403);
      for (const ward of [OTHER_WARD, '*']) {
        const r = await s.request('GET', `/api/v1/exports/people.csv?ward=${encodeURIComponent(ward)}`, { cookie: supCookie });
        expect(r.status, ward).toBe(403);
        expect(r.headers.get('x-export-id')).toBeNull();
      }
      expect((await rawGet(url('people', 'csv', `ward=${WARD}`), supCookie)).status).toBe(200);
    });

    it("gives a supervisor of another ward nothing of this ward's", async () => {
      const mine = await stored(s, WARD);
      const ids = new Set([...mine.households, ...mine.people, ...mine.visits, ...mine.cases].map((r) => r.id));
      for (const dataset of DATASETS) {
        const rows = parseCsv((await rawGet(url(dataset, 'csv'), otherCookie)).body.subarray(3).toString('utf8')).slice(1);
        expect(rows.length).toBeGreaterThan(0);
        expect(rows.filter((row) => ids.has(row[0]!) || ids.has(row[1]!))).toEqual([]);
      }
    });

    it('refuses bad parameters with 400 before any byte of a file, and writes no audit row', async () => {
      const before = await s.db.kysely.selectFrom('export_audit').select('id').execute();
      for (const [q, code] of [
        ['from=2026-13-01', 'invalid_request'],
        ['from=2026-08-05&to=2026-08-01', 'invalid_request'],
        ['detail=summary', 'invalid_request'],
        ['limit=5', 'invalid_request'],
        ['detail=full', 'reason_required'],
        ['detail=full&reason=v%C3%AC%20sao', 'reason_required'],
        ['detail=full&reason=%20%20%20%20%20%20%20%20%20%20%20%20x', 'reason_required'],
      ] as const) {
        const r = await s.request('GET', `/api/v1/exports/visits.xlsx?${q}`, { cookie: supCookie });
        expect(r.status, q).toBe(400);
        expect(r.body.error.code, q).toBe(code);
        expect(r.headers.get('content-type'), q).toMatch(/^application\/json/);
      }
      expect((await s.request('GET', '/api/v1/exports/addresses.csv', { cookie: supCookie })).status).toBe(404);
      expect((await s.request('GET', '/api/v1/exports/visits.pdf', { cookie: supCookie })).status).toBe(404);
      expect(await s.db.kysely.selectFrom('export_audit').select('id').execute()).toEqual(before);
    });

    // The sheet's row limit lowered through a test hook (exportMaxSheetRows)
    // to the dataset's own row count, so no million rows are written: one row
    // more than a sheet holds is refused before the first byte, exactly as
    // many is a whole file. Cases are left out: their count ignores the day
    // filter (an upper bound), tested below.
    it.each([
      { dataset: 'visits', query: '' },
      { dataset: 'visits', query: 'group=TDP%202&from=2026-08-02&to=2026-08-02' },
      { dataset: 'people', query: '' },
      { dataset: 'people', query: 'group=TDP%201' },
      { dataset: 'households', query: 'group=TDP%203' },
    ] as const)('$dataset XLSX ($query): one row past the sheet limit is 400 too_many_rows before any byte, exactly the limit is a whole file', async ({ dataset, query }) => {
      const csv = await rawGet(url(dataset, 'csv', query), supCookie);
      expect(csv.status).toBe(200);
      const rows = parseCsv(csv.body.subarray(3).toString('utf8')).length - 1;
      expect(rows).toBeGreaterThan(0);
      const before = await s.db.kysely.selectFrom('export_audit').select('id').execute();
      try {
        s.hooks.exportMaxSheetRows = rows - 1;
        const r = await s.request('GET', `/api/v1/exports/${dataset}.xlsx${query ? `?${query}` : ''}`, { cookie: supCookie });
        expect(r.status).toBe(400);
        expect(r.body.error.code).toBe('too_many_rows');
        expect(r.headers.get('content-type')).toMatch(/^application\/json/);
        expect(await s.db.kysely.selectFrom('export_audit').select('id').execute()).toEqual(before);
        // CSV has no sheet.
        expect((await rawGet(url(dataset, 'csv', query), supCookie)).status).toBe(200);

        s.hooks.exportMaxSheetRows = rows;
        const ok = await rawGet(url(dataset, 'xlsx', query), supCookie);
        expect(ok.status).toBe(200);
        expect((await readXlsx(ok.body)).rows.length - 1).toBe(rows);
        await waitForAudit(s, String(ok.headers['x-export-id']), 'complete');
      } finally {
        delete s.hooks.exportMaxSheetRows;
      }
    });

    it('cases XLSX: the count before the first byte is an upper bound (the day filter is left out)', async () => {
      const all = await s.db.kysely.selectFrom('records').select('id').where('entity', '=', 'case').where('ward_code', '=', WARD).where('deleted', '=', 0).execute();
      try {
        s.hooks.exportMaxSheetRows = all.length - 1;
        const r = await s.request('GET', '/api/v1/exports/cases.xlsx?from=2000-01-01&to=2000-01-02', { cookie: supCookie });
        expect(r.status).toBe(400);
        expect(r.body.error.code).toBe('too_many_rows');
        s.hooks.exportMaxSheetRows = all.length;
        expect((await rawGet(url('cases', 'xlsx'), supCookie)).status).toBe(200);
      } finally {
        delete s.hooks.exportMaxSheetRows;
      }
    });
  });
}
