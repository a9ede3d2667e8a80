// What a volunteer does, as helpers over the real UI (Vietnamese, the default
// language), found by role and label as a screen reader would find them.
import type { Page } from 'playwright-core';
import type { E2EUser } from './server';

export const WAIT = { short: 10_000, sync: 30_000 } as const;

export async function signIn(page: Page, url: string, user: Pick<E2EUser, 'username' | 'password'>): Promise<void> {
  if (!page.url().startsWith(url)) await page.goto(url);
  await page.getByLabel('Tên đăng nhập').fill(user.username);
  await page.getByLabel('Mật khẩu').fill(user.password);
  await page.getByRole('button', { name: 'Đăng nhập', exact: true }).click();
  await syncPill(page).waitFor(); // the signed-in shell, on whatever screen the URL names
}

/**
 * Waits until a service worker controls the page. The worker does not claim
 * open pages (registerType 'prompt'), so the first page it installs under is
 * not controlled: like a volunteer opening the app a second time, reload once.
 */
export async function waitForServiceWorkerControl(page: Page): Promise<void> {
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => undefined));
  const controlled = await page.evaluate(() => navigator.serviceWorker.controller !== null);
  if (!controlled) await page.reload();
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout: WAIT.short });
}

/** Goes to a hash route the way a tapped link does (no page load). */
export async function go(page: Page, hashPath: string): Promise<void> {
  await page.evaluate((h) => {
    window.location.hash = h;
  }, hashPath);
}

export const syncPill = (page: Page) => page.locator('a.sync-pill');

export async function pendingCount(page: Page): Promise<number> {
  const v = await syncPill(page).getAttribute('data-pending');
  return v === null || v === '' ? Number.NaN : Number(v);
}

/** Waits for the top bar's pending count to be n (the sync engine runs by itself). */
export async function waitForPending(page: Page, n: number, timeout: number = WAIT.sync): Promise<void> {
  await page.waitForFunction(
    (want) => document.querySelector('a.sync-pill')?.getAttribute('data-pending') === String(want),
    n,
    { timeout },
  );
}

export interface HouseholdData {
  group: string;
  houseNumber: string;
  lane?: string;
  street: string;
  headName: string;
  phone?: string;
  poverty?: 'Không thuộc diện này' | 'Hộ cận nghèo' | 'Hộ nghèo';
  notes?: string;
}

/** A household page's URL (not #/household/new, not a sub-page). */
export const HOUSEHOLD_URL = /#\/household\/(?!new\b)[^/?]+$/;

const hashId = (page: Page, prefix: string) => {
  const m = new RegExp(`#/${prefix}/([^/?]+)$`).exec(page.url());
  if (!m) throw new Error(`not on a ${prefix} page: ${page.url()}`);
  return decodeURIComponent(m[1]!);
};

/** Registers a household with consent, from the household list; returns its id. */
export async function registerHousehold(page: Page, h: HouseholdData): Promise<string> {
  await page.getByRole('navigation', { name: 'Điều hướng chính' }).getByRole('link', { name: 'Hộ gia đình' }).click();
  await page.getByRole('link', { name: 'Thêm hộ gia đình' }).click();
  await page.getByRole('heading', { name: 'Thêm hộ gia đình' }).waitFor();
  await page.locator('main').getByRole('button', { name: 'Đồng ý', exact: true }).click();
  // A select of the ward's groups (never free text: the server refuses other groups).
  await page.getByLabel('Tổ dân phố').selectOption(h.group);
  await page.getByLabel('Số nhà').fill(h.houseNumber);
  if (h.lane) await page.getByLabel('Ngõ', { exact: true }).fill(h.lane);
  await page.getByLabel('Đường/Phố').fill(h.street);
  await page.getByLabel('Chủ hộ').fill(h.headName);
  if (h.phone) await page.getByLabel('Số điện thoại').fill(h.phone);
  if (h.poverty) await page.getByLabel('Diện hộ nghèo, cận nghèo').selectOption({ label: h.poverty });
  if (h.notes) await page.getByLabel('Ghi chú').fill(h.notes);
  await page.getByRole('button', { name: 'Lưu hộ gia đình' }).click();
  await page.waitForURL(HOUSEHOLD_URL);
  return hashId(page, 'household');
}

/** Adds a person from the household page and comes back to it. */
export async function addPerson(page: Page, p: { fullName: string; birthYear?: number; smartphone?: boolean }): Promise<void> {
  await page.getByRole('link', { name: 'Thêm thành viên' }).click();
  await page.getByRole('heading', { name: 'Thêm thành viên' }).waitFor();
  await page.getByLabel('Họ và tên').fill(p.fullName);
  if (p.birthYear !== undefined) await page.getByLabel('Năm sinh').fill(String(p.birthYear));
  if (p.smartphone !== undefined) await page.getByLabel('Có điện thoại thông minh').selectOption({ label: p.smartphone ? 'Có' : 'Không' });
  await page.getByRole('button', { name: 'Lưu thành viên' }).click();
  await page.waitForURL(HOUSEHOLD_URL);
  await page.getByRole('link', { name: new RegExp(p.fullName) }).waitFor();
}

/** A step chip inside one person's checklist for one platform on the visit form. */
export function stepChip(page: Page, person: string, platform: string, step: string) {
  return page
    .getByRole('region', { name: person })
    .getByRole('group', { name: platform, exact: true })
    .getByRole('button', { name: new RegExp(`^${step}`) });
}

/** Opens the visit form of the household on screen. */
export async function openVisitForm(page: Page): Promise<void> {
  await page.getByRole('link', { name: 'Ghi lượt thăm' }).click();
  await page.getByRole('heading', { name: 'Ghi lượt thăm', exact: true }).waitFor();
}

/** Saves the visit form and waits for the household page. */
export async function saveVisit(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Lưu lượt thăm' }).click();
  await page.waitForURL(HOUSEHOLD_URL);
  await page.getByRole('heading', { name: 'Lịch sử thăm hộ', exact: true }).waitFor();
}

/** Visits listed in the household page's history. */
export const historyItems = (page: Page) => page.getByRole('list', { name: 'Lịch sử thăm hộ' }).getByRole('listitem');

/** Rows in each store of one IndexedDB database, read with the raw API (null if the database does not exist). */
export async function idbCounts(page: Page, name: string): Promise<Record<string, number> | null> {
  return page.evaluate(async (dbName) => {
    const dbs = await indexedDB.databases();
    if (!dbs.some((d) => d.name === dbName)) return null;
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open(dbName);
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    const out: Record<string, number> = {};
    for (const store of Array.from(db.objectStoreNames)) {
      out[store] = await new Promise<number>((resolve, reject) => {
        const req = db.transaction(store, 'readonly').objectStore(store).count();
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      });
    }
    db.close();
    return out;
  }, name);
}

/** Edits a household through its form ("Sửa thông tin hộ") and comes back to it. */
export async function editHousehold(page: Page, id: string, changes: { phone?: string; notes?: string }): Promise<void> {
  await go(page, `/household/${id}/edit`);
  await page.getByRole('heading', { name: 'Sửa thông tin hộ' }).waitFor();
  if (changes.phone !== undefined) await page.getByLabel('Số điện thoại').fill(changes.phone);
  if (changes.notes !== undefined) await page.getByLabel('Ghi chú').fill(changes.notes);
  await page.getByRole('button', { name: 'Lưu hộ gia đình' }).click();
  await page.waitForURL(HOUSEHOLD_URL);
  await page.getByRole('heading', { name: 'Lịch sử thăm hộ', exact: true }).waitFor();
}

/** Presses "Đồng bộ ngay" on the sync screen and waits for that sync to finish. */
export async function syncNow(page: Page): Promise<void> {
  await go(page, '/sync');
  const button = page.getByRole('button', { name: 'Đồng bộ ngay' });
  await page.waitForFunction(() => document.querySelector('a.sync-pill')?.getAttribute('data-syncing') === 'false');
  await button.click();
  await page.waitForFunction(() => document.querySelector('a.sync-pill')?.getAttribute('data-syncing') === 'false');
}
