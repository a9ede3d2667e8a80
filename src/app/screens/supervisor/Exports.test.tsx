// The exports console: the URL the choices build, the reason that personal
// detail needs, progress while the file arrives, errors in plain words, and the
// audit list. fetch is replaced at the boundary; the server's side of the
// contract is tested on the server and in journey 9.
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { exportAuditPageSchema } from '../../../shared/exportAudit';
import type { ExportAudit } from '../../../shared/exports';
import type { Store } from '../../db/StoreContext';
import { disposeStore, makeSupervisorStore, renderScreen } from '../testUtils';
import { Exports } from './Exports';
import { exportUrl, fileNameFrom, type ExportChoice } from './exportDownload';


function auditEntry(overrides: Partial<ExportAudit> = {}): ExportAudit {
  return {
    id: 'a1',
    at: '2025-03-02T08:15:00.000+07:00',
    userId: 'sup-1',
    role: 'supervisor',
    ward: 'CUANAM',
    dataset: 'people',
    format: 'xlsx',
    from: '2025-03-01',
    to: null,
    group: 'TDP 5',
    detail: 'full',
    reason: 'Danh sách thăm tận nhà cho tổ trưởng',
    rows: 1234,
    status: 'complete',
    ...overrides,
  };
}

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

const CSV = 'household_id,group\r\nh1,TDP 5\r\nh2,TDP 5\r\nh3,TDP 10\r\n';

/** A response whose body arrives in the given chunks, the next one only when `release()` is called. */
function heldBody(chunks: string[], headers: Record<string, string>) {
  const enc = new TextEncoder();
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  const body = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
    },
  });
  let next = 0;
  return {
    response: new Response(body, { status: 200, headers }),
    release() {
      if (next < chunks.length) controller.enqueue(enc.encode(chunks[next++]!));
      if (next === chunks.length) controller.close();
    },
  };
}

type Answer = (url: string, init: RequestInit | undefined) => Response | Promise<Response>;

/** fetch for the console: exports from `exportAnswer`, the audit list from `auditPages` in order. */
function fakeServer(exportAnswer: Answer, auditPages: unknown[] = [{ entries: [], hasMore: false }]) {
  const exportCalls: string[] = [];
  const auditCalls: string[] = [];
  const saved: Array<{ name: string; text: Promise<string>; type: string }> = [];
  const fetchImpl = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = String(input);
    if (url.includes('/api/v1/audit/exports')) {
      auditCalls.push(url);
      return json(auditPages[Math.min(auditCalls.length - 1, auditPages.length - 1)]);
    }
    exportCalls.push(url);
    return exportAnswer(url, init);
  }) as typeof fetch;
  return {
    http: { baseUrl: 'http://gocua.test', fetchImpl },
    exportCalls,
    auditCalls,
    saved,
    save: (blob: Blob, name: string) => saved.push({ name, text: blob.text(), type: blob.type }),
  };
}

const csvFile = () =>
  new Response(CSV, {
    status: 200,
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="gocua-visits-CUANAM.csv"; filename*=UTF-8''gocua-visits-C%E1%BB%ADa%20Nam.csv`,
      'x-export-id': '42',
    },
  });

describe('Exports', () => {
  let store: Store;
  afterEach(async () => {
    await disposeStore(store);
  });

  async function renderConsole(server: ReturnType<typeof fakeServer>, groups = ['TDP 5', 'TDP 10']) {
    store = makeSupervisorStore();
    await renderScreen(<Exports http={server.http} groups={groups} save={server.save} />, store);
    await waitFor(() => expect(server.auditCalls.length).toBeGreaterThan(0));
  }

  it('builds the export URL from the dataset, format, dates and group', async () => {
    const user = userEvent.setup();
    const server = fakeServer(() => csvFile());
    await renderConsole(server);

    await user.selectOptions(screen.getByRole('combobox', { name: 'Dữ liệu' }), 'Người dân');
    await user.selectOptions(screen.getByRole('combobox', { name: 'Định dạng tệp' }), 'Excel (XLSX)');
    await user.type(screen.getByLabelText('Từ ngày'), '2025-03-01');
    await user.type(screen.getByLabelText('Đến ngày'), '2025-03-31');
    await user.selectOptions(screen.getByRole('combobox', { name: 'Tổ dân phố' }), 'TDP 5');
    await user.click(screen.getByRole('button', { name: 'Tải tệp' }));

    await waitFor(() => expect(server.saved).toHaveLength(1));
    expect(server.exportCalls).toEqual(['http://gocua.test/api/v1/exports/people.xlsx?from=2025-03-01&to=2025-03-31&group=TDP+5']);
  });

  it('with the switch on, asks for a reason of at least 10 characters before asking the server', async () => {
    const user = userEvent.setup();
    const server = fakeServer(() => csvFile());
    await renderConsole(server);

    expect(screen.queryByRole('textbox', { name: /Lý do/ })).not.toBeInTheDocument();
    await user.click(screen.getByRole('checkbox', { name: 'Kèm họ tên và số nhà' }));
    const reason = screen.getByRole('textbox', { name: /Lý do cần họ tên và số nhà/ });
    await user.type(reason, 'cần  ');
    await user.click(screen.getByRole('button', { name: 'Tải tệp' }));

    expect(reason).toHaveAttribute('aria-invalid', 'true');
    expect(reason).toHaveAccessibleDescription(expect.stringContaining('Hãy ghi lý do, ít nhất 10 ký tự.'));
    expect(server.exportCalls).toEqual([]);

    await user.type(reason, 'danh sách thăm');
    expect(reason).not.toHaveAttribute('aria-invalid');
    await user.click(screen.getByRole('button', { name: 'Tải tệp' }));
    await waitFor(() => expect(server.saved).toHaveLength(1));
    expect(server.exportCalls).toEqual(['http://gocua.test/api/v1/exports/visits.csv?detail=full&reason=c%E1%BA%A7n++danh+s%C3%A1ch+th%C4%83m']);
  });

  it('shows the bytes and rows received while the file arrives, then saves it under the server’s name', async () => {
    const user = userEvent.setup();
    const held = heldBody(['household_id,group\r\nh1,TDP 5\r\n', 'h2,TDP 5\r\nh3,TDP 10\r\n'], {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename*=UTF-8''gocua-visits-C%E1%BB%ADa%20Nam.csv`,
    });
    const server = fakeServer(() => held.response);
    await renderConsole(server);

    await user.click(screen.getByRole('button', { name: 'Tải tệp' }));
    expect(await screen.findByRole('button', { name: 'Huỷ tải' })).toBeInTheDocument();
    expect(screen.getByRole('progressbar', { name: 'Đang tải tệp…' })).toBeInTheDocument();
    held.release();
    expect(await screen.findByText('Đã nhận 30 byte · 1 dòng')).toHaveAttribute('role', 'status');
    held.release();

    expect(await screen.findByText(/Đã tải xong: gocua-visits-Cửa Nam\.csv · 3 dòng/)).toBeInTheDocument();
    expect(screen.queryByRole('progressbar')).not.toBeInTheDocument();
    expect(server.saved.map((f) => f.name)).toEqual(['gocua-visits-Cửa Nam.csv']);
    expect(await server.saved[0]!.text).toBe(CSV);
    // The new export's audit row is fetched: the list is loaded again.
    await waitFor(() => expect(server.auditCalls).toHaveLength(2));
  });

  it('Cancel aborts the request and saves nothing', async () => {
    const user = userEvent.setup();
    let signal: AbortSignal | undefined;
    const server = fakeServer((_url, init) => {
      signal = init?.signal ?? undefined;
      const body = new ReadableStream<Uint8Array>({
        start(c) {
          signal?.addEventListener('abort', () => c.error(new DOMException('aborted', 'AbortError')));
        },
      });
      return new Response(body, { headers: { 'content-type': 'text/csv' } });
    });
    await renderConsole(server);

    await user.click(screen.getByRole('button', { name: 'Tải tệp' }));
    await user.click(await screen.findByRole('button', { name: 'Huỷ tải' }));
    expect(await screen.findByText('Đã huỷ tải. Không có tệp nào được lưu.')).toBeInTheDocument();
    expect(signal?.aborted).toBe(true);
    expect(server.saved).toEqual([]);
    expect(screen.queryByRole('alert')).not.toBeInTheDocument();
  });

  it.each([
    ['the server’s reason_required', () => json({ error: { code: 'reason_required', message: 'reason' } }, 400), 'Máy chủ cần lý do (ít nhất 10 ký tự)'],
    ['a 403', () => json({ error: { code: 'forbidden', message: 'no' } }, 403), 'Tài khoản này không có quyền tải dữ liệu của phường.'],
    ['an XLSX past Excel’s row limit', () => json({ error: { code: 'too_many_rows', message: 'rows' } }, 400), 'Tệp Excel chỉ chứa được 1.048.575 dòng.'],
    ['an invalid request', () => json({ error: { code: 'invalid_request', message: 'bad group' } }, 400), 'Máy chủ không chấp nhận lựa chọn này.'],
    ['a session that expired', () => json({ error: { code: 'unauthenticated', message: 'x' } }, 401), 'Phiên đăng nhập đã hết hạn.'],
    ['a server error', () => json({ error: { code: 'internal', message: 'boom' } }, 500), 'Chưa tải được tệp.'],
    ['a captive portal page', () => new Response('<html>Wi-Fi</html>', { headers: { 'content-type': 'text/html' } }), 'Chưa tải được tệp.'],
    ['no network', () => Promise.reject(new TypeError('Failed to fetch')), 'Mất kết nối nên chưa tải được tệp.'],
  ])('%s is shown in plain words, and nothing is saved', async (_name, answer, message) => {
    const user = userEvent.setup();
    const server = fakeServer(answer);
    await renderConsole(server);
    await user.click(screen.getByRole('button', { name: 'Tải tệp' }));
    expect(await screen.findByRole('alert')).toHaveTextContent(message);
    expect(server.saved).toEqual([]);
  });

  it('a reversed date range is refused before asking the server', async () => {
    const user = userEvent.setup();
    const server = fakeServer(() => csvFile());
    await renderConsole(server);
    await user.type(screen.getByLabelText('Từ ngày'), '2025-03-31');
    await user.type(screen.getByLabelText('Đến ngày'), '2025-03-01');
    expect(screen.getByLabelText('Đến ngày')).toHaveAccessibleDescription('Ngày bắt đầu phải trước hoặc bằng ngày kết thúc.');
    expect(screen.getByRole('button', { name: 'Tải tệp' })).toBeDisabled();
  });

  it('lists the audit rows newest first in a captioned table, and loads more', async () => {
    const user = userEvent.setup();
    const first = exportAuditPageSchema.parse({
      entries: [
        auditEntry({ id: 'a1', at: '2025-03-02T08:15:00.000+07:00' }),
        auditEntry({ id: 'a2', at: '2025-03-03T09:00:00.000+07:00', userId: 'sup-2', dataset: 'visits', format: 'csv', detail: 'redacted', reason: null, from: null, group: null, rows: 0, status: 'incomplete' }),
      ],
      cursor: 'c1',
      hasMore: true,
    });
    const second = { entries: [auditEntry({ id: 'a0', at: '2025-03-01T07:00:00.000+07:00', dataset: 'households', status: 'started' })], hasMore: false };
    const server = fakeServer(() => csvFile(), [first, second]);
    await renderConsole(server);

    const table = await screen.findByRole('table', { name: 'Các lần tải dữ liệu của phường, mới nhất trước' });
    const cells = (r: HTMLElement) => [within(r).getByRole('rowheader'), ...within(r).getAllByRole('cell')].map((c) => c.textContent);
    const [header, ...rows] = within(table).getAllByRole('row');
    expect(within(header!).getAllByRole('columnheader').map((c) => c.textContent)).toEqual([
      'Thời gian', 'Người tải', 'Dữ liệu', 'Định dạng', 'Mức chi tiết', 'Lý do', 'Số dòng', 'Trạng thái',
    ]);
    expect(cells(rows[0]!).slice(1)).toEqual(['sup-2', 'Lượt thăm', 'CSV', 'Ẩn thông tin cá nhân', '—', '0', 'Không hoàn tất']);
    expect(cells(rows[1]!).slice(1)).toEqual([
      'Bạn (Phạm Thị Hoa)', 'Người dân2025-03-01 – … · TDP 5', 'Excel (XLSX)', 'Có họ tên, số nhà',
      'Danh sách thăm tận nhà cho tổ trưởng', '1.234', 'Hoàn tất',
    ]);
    expect(server.auditCalls).toEqual(['http://gocua.test/api/v1/audit/exports?limit=20']);

    await user.click(screen.getByRole('button', { name: 'Xem thêm' }));
    await waitFor(() => expect(within(table).getAllByRole('row')).toHaveLength(4));
    expect(server.auditCalls[1]).toBe('http://gocua.test/api/v1/audit/exports?limit=20&cursor=c1');
    expect(within(within(table).getAllByRole('row')[3]!).getAllByRole('cell').at(-1)).toHaveTextContent('Đang tải');
    expect(screen.queryByRole('button', { name: 'Xem thêm' })).not.toBeInTheDocument();
  });
});

describe('exportUrl and fileNameFrom', () => {
  const choice = (o: Partial<ExportChoice> = {}): ExportChoice => ({
    dataset: 'visits', format: 'csv', from: '', to: '', group: '', full: false, reason: '', ...o,
  });

  it.each([
    ['nothing chosen', choice(), '/api/v1/exports/visits.csv'],
    ['a reason without the switch is not sent', choice({ reason: 'một lý do dài' }), '/api/v1/exports/visits.csv'],
    ['full detail with its trimmed reason', choice({ dataset: 'households', format: 'xlsx', full: true, reason: '  báo cáo UBND  ' }), '/api/v1/exports/households.xlsx?detail=full&reason=b%C3%A1o+c%C3%A1o+UBND'],
  ])('%s', (_name, c, url) => {
    expect(exportUrl(c)).toBe(url);
  });

  it.each([
    ['filename* wins and is decoded', `attachment; filename="a.csv"; filename*=UTF-8''C%E1%BB%ADa%20Nam.csv`, 'Cửa Nam.csv'],
    ['a plain quoted filename', 'attachment; filename="gocua-people.xlsx"', 'gocua-people.xlsx'],
    ['a path is cut to its name', 'attachment; filename="../../etc/passwd"', 'passwd'],
    ['no header', null, 'fallback.csv'],
  ])('%s', (_name, header, name) => {
    expect(fileNameFrom(header, 'fallback.csv')).toBe(name);
  });
});
