// A seeded generator of realistic Vietnamese test data: households in Cửa Nam's
// residential groups, their people (ages skewed as in an old city ward), and
// visits with checklist progress and blockers. The same seed always gives the
// same records, so benchmarks and failing tests can be replayed exactly.
import { emptyPlatforms, type Household, type Person, type Visit, type Platforms } from '../../src/shared/schemas';
import { BLOCKERS, PLATFORM_STEPS, PLATFORMS, type Blocker } from '../../src/shared/platforms';

/** mulberry32: small, fast, good enough for test data. */
export function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!,
    chance: (p: number) => next() < p,
  };
}
export type Rng = ReturnType<typeof rng>;

const SURNAMES = ['Nguyễn', 'Trần', 'Lê', 'Phạm', 'Hoàng', 'Huỳnh', 'Phan', 'Vũ', 'Võ', 'Đặng', 'Bùi', 'Đỗ', 'Hồ', 'Ngô', 'Dương', 'Lý', 'Đinh', 'Trịnh', 'Đào', 'Lương'];
const MIDDLE_M = ['Văn', 'Đức', 'Minh', 'Quang', 'Hữu', 'Xuân', 'Thanh', 'Đình', 'Công', 'Ngọc'];
const MIDDLE_F = ['Thị', 'Thu', 'Ngọc', 'Thanh', 'Minh', 'Hồng', 'Bích', 'Kim', 'Phương', 'Thuỳ'];
const GIVEN_M = ['An', 'Bình', 'Cường', 'Dũng', 'Đức', 'Giang', 'Hải', 'Hùng', 'Khánh', 'Long', 'Minh', 'Nam', 'Phong', 'Quân', 'Sơn', 'Thắng', 'Trung', 'Tuấn', 'Việt', 'Vinh'];
const GIVEN_F = ['Anh', 'Châu', 'Dung', 'Hà', 'Hằng', 'Hoa', 'Hương', 'Lan', 'Linh', 'Mai', 'Nga', 'Ngân', 'Nhung', 'Oanh', 'Phượng', 'Quyên', 'Thảo', 'Trang', 'Tuyết', 'Yến'];
const STREETS = ['Hàng Bông', 'Quán Sứ', 'Lý Thường Kiệt', 'Trần Hưng Đạo', 'Điện Biên Phủ', 'Hai Bà Trưng', 'Tràng Thi', 'Phủ Doãn', 'Thợ Nhuộm', 'Ngô Thì Nhậm', 'Hàng Trống', 'Lê Duẩn'];
const SERVICES = ['Đăng ký thường trú', 'Đăng ký tạm trú', 'Cấp đổi căn cước', 'Cấp phiếu lý lịch tư pháp', 'Đăng ký khai sinh', 'Phản ánh hiện trường (iHanoi)'];
const PHONE_PREFIXES = ['090', '091', '094', '096', '097', '098', '086', '088', '032', '033', '035', '036', '037', '038', '039', '070', '076', '077', '078', '079', '081', '083', '084', '085', '056', '058'];

/** A UUID v7 built from the generator, so ids are reproducible too. */
function seededUuid(r: Rng, ms: number): string {
  const hex = (n: number, len: number) => Math.floor(n).toString(16).padStart(len, '0').slice(-len);
  const rand = (len: number) => Array.from({ length: len }, () => hex(r.int(0, 15), 1)).join('');
  const ts = hex(ms, 12);
  return `${ts.slice(0, 8)}-${ts.slice(8, 12)}-7${rand(3)}-${hex(8 + r.int(0, 3), 1)}${rand(3)}-${rand(12)}`;
}

export function personName(r: Rng, sex: 'male' | 'female'): string {
  return sex === 'male'
    ? `${r.pick(SURNAMES)} ${r.pick(MIDDLE_M)} ${r.pick(GIVEN_M)}`
    : `${r.pick(SURNAMES)} ${r.pick(MIDDLE_F)} ${r.pick(GIVEN_F)}`;
}

export function phone(r: Rng): string {
  return `${r.pick(PHONE_PREFIXES)}${String(r.int(0, 9_999_999)).padStart(7, '0')}`;
}

export interface GeneratedWard {
  households: Household[];
  people: Person[];
  visits: Visit[];
}

export interface GenerateOptions {
  seed?: number;
  households: number;
  wardCode?: string;
  groups?: number;
  volunteerId?: string;
  /** Wall-clock base for timestamps (fixed by default so output is reproducible). */
  baseTime?: number;
}

function progress(r: Rng, platforms: Platforms, elderly: boolean): void {
  for (const p of PLATFORMS) {
    const steps = PLATFORM_STEPS[p];
    const reached = r.int(0, steps.length);
    const checklist = platforms[p].steps as Record<string, { status: 'not_started' | 'done' | 'blocked'; blocker?: Blocker; blockerText?: string }>;
    steps.forEach((s, i) => {
      if (i < reached) checklist[s] = { status: 'done' };
      else if (i === reached && r.chance(elderly ? 0.3 : 0.12)) {
        const blocker = r.pick(BLOCKERS);
        checklist[s] = blocker === 'other' ? { status: 'blocked', blocker, blockerText: 'Mắt kém, không đọc được chữ nhỏ' } : { status: 'blocked', blocker };
      }
    });
    platforms[p].independent = reached === steps.length && r.chance(elderly ? 0.25 : 0.6);
  }
}

export function generateWard(opts: GenerateOptions): GeneratedWard {
  const r = rng(opts.seed ?? 1);
  const wardCode = opts.wardCode ?? 'CUANAM';
  const groups = opts.groups ?? 28;
  const volunteerId = opts.volunteerId ?? 'vol-seed';
  const year = new Date(opts.baseTime ?? Date.UTC(2026, 7, 1)).getUTCFullYear();
  let clock = opts.baseTime ?? Date.UTC(2026, 7, 1, 1, 0, 0);
  const tick = () => new Date((clock += r.int(1_000, 90_000))).toISOString();
  const out: GeneratedWard = { households: [], people: [], visits: [] };

  for (let i = 0; i < opts.households; i++) {
    const at = tick();
    const headSex = r.chance(0.5) ? 'male' : 'female';
    const consent = r.chance(0.93);
    const lane = r.chance(0.7) ? `Ngõ ${r.int(1, 120)}` : undefined;
    const household: Household = {
      id: seededUuid(r, clock),
      createdAt: at,
      updatedAt: at,
      deleted: false,
      wardCode,
      group: `TDP ${r.int(1, groups)}`,
      address: {
        houseNumber: String(r.int(1, 200)) + (r.chance(0.1) ? r.pick(['A', 'B']) : ''),
        ...(lane ? { lane } : {}),
        ...(lane && r.chance(0.3) ? { subLane: `Ngách ${r.int(1, 40)}` } : {}),
        street: r.pick(STREETS),
      },
      povertyStatus: r.chance(0.04) ? 'poor' : r.chance(0.08) ? 'near_poor' : 'none',
      consent: { given: consent, at, by: volunteerId },
      ...(consent ? { headName: personName(r, headSex) } : {}),
      ...(consent && r.chance(0.8) ? { phone: phone(r) } : {}),
    };
    out.households.push(household);
    if (!consent) continue;

    const members = r.int(1, 5);
    for (let m = 0; m < members; m++) {
      const sex = m === 0 ? headSex : r.chance(0.5) ? 'male' : 'female';
      const birthYear = m === 0 ? r.int(year - 90, year - 30) : r.int(year - 90, year - 16);
      const elderly = year - birthYear >= 60;
      const platforms = emptyPlatforms();
      progress(r, platforms, elderly);
      const pAt = tick();
      out.people.push({
        id: seededUuid(r, clock),
        createdAt: pAt,
        updatedAt: pAt,
        deleted: false,
        wardCode,
        householdId: household.id,
        fullName: m === 0 ? household.headName! : personName(r, sex),
        birthYear,
        sex,
        ...(r.chance(0.5) ? { phone: phone(r) } : {}),
        hasSmartphone: r.chance(elderly ? 0.6 : 0.95),
        flags: { disability: r.chance(0.05), livesAlone: elderly && r.chance(0.2) },
        platforms,
      });
    }

    const visits = r.int(0, 2);
    for (let v = 0; v < visits; v++) {
      const vAt = tick();
      const outcome = r.pick(['helped', 'helped', 'helped', 'not_home', 'declined', 'revisit'] as const);
      out.visits.push({
        id: seededUuid(r, clock),
        createdAt: vAt,
        updatedAt: vAt,
        deleted: false,
        wardCode,
        householdId: household.id,
        channel: 'door',
        at: vAt,
        volunteerId,
        outcome,
        people: [],
        services: outcome === 'helped' && r.chance(0.4) ? [r.pick(SERVICES)] : [],
        ...(outcome === 'revisit' ? { followUpOn: vAt.slice(0, 10) } : {}),
      });
    }
  }
  return out;
}

/**
 * Gives the ward's helped visits checklist work (the generator leaves visits'
 * `people` empty): up to two of the household's people each, with a done
 * step, every third visit a blocked one, every fourth an independent platform.
 */
export function addVisitWork(ward: GeneratedWard): void {
  ward.visits.forEach((v, i) => {
    const hp = ward.people.filter((p) => p.householdId === v.householdId);
    if (v.outcome !== 'helped' || hp.length === 0) return;
    v.people = hp.slice(0, 2).map((p) => ({
      personId: p.id,
      steps: [
        { platform: 'vneid', step: 'installed', status: 'done' },
        ...(i % 3 === 0 ? [{ platform: 'vneid' as const, step: 'level2', status: 'blocked' as const, blocker: 'nfc_unreadable' as const }] : []),
      ],
      independent: i % 4 === 0 ? ['ihanoi'] : [],
    }));
  });
}
