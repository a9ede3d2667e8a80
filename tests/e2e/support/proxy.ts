// A test proxy between the browser and the real server: the page's origin is
// the proxy, so every request (the app, the API) goes through it.
//
//   mode 'pass'    forwards everything.
//   mode 'cut'     forwards a push, waits for the server's whole answer (the
//                  push is committed), then destroys the browser's socket: the
//                  device never learns that its records arrived. `cuts` pushes
//                  are cut, then it passes again.
//   mode 'captive' answers every /api/* request itself with "200 OK" and an
//                  HTML login page, like a café's Wi-Fi before you accept its terms.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ProxyEvent {
  method: string;
  path: string;
  outcome: 'forwarded' | 'cut' | 'captive';
  status: number;
  /** JSON answer of a forwarded or cut push (what the server said). */
  body?: unknown;
}

export interface TestProxy {
  url: string;
  mode: 'pass' | 'cut' | 'captive';
  /** In 'cut' mode: how many more pushes to cut before passing again. */
  cuts: number;
  events: ProxyEvent[];
  /** Resolves when an event matching pred has happened (or already had). */
  waitFor(pred: (e: ProxyEvent) => boolean, timeoutMs?: number): Promise<ProxyEvent>;
  close(): Promise<void>;
}

const HOP_BY_HOP = ['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'te', 'trailer'];
const CAPTIVE_PAGE = '<!doctype html><html><body><h1>Đăng nhập Wi-Fi miễn phí</h1><form><button>Kết nối</button></form></body></html>';

export async function startProxy(target: () => string): Promise<TestProxy> {
  const waiters = new Set<{ pred: (e: ProxyEvent) => boolean; resolve: (e: ProxyEvent) => void }>();
  const record = (e: ProxyEvent) => {
    proxy.events.push(e);
    for (const w of waiters) {
      if (!w.pred(e)) continue;
      waiters.delete(w);
      w.resolve(e);
    }
  };

  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const method = req.method ?? 'GET';
      const path = req.url ?? '/';
      const pathname = path.split('?')[0]!;
      if (proxy.mode === 'captive' && pathname.startsWith('/api/')) {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
        res.end(CAPTIVE_PAGE);
        record({ method, path: pathname, outcome: 'captive', status: 200 });
        return;
      }
      const headers = { ...req.headers };
      delete headers['accept-encoding']; // plain answers, so a push's JSON can be read here
      for (const h of HOP_BY_HOP) delete headers[h];
      const upstream = http.request(`${target()}${path}`, { method, headers }, (up) => {
        const body: Buffer[] = [];
        up.on('data', (c: Buffer) => body.push(c));
        up.on('end', () => {
          const data = Buffer.concat(body);
          const isPush = method === 'POST' && pathname === '/api/v1/sync/push';
          let json: unknown;
          if (isPush) {
            try {
              json = JSON.parse(data.toString('utf8'));
            } catch {
              json = undefined;
            }
          }
          if (isPush && proxy.mode === 'cut' && proxy.cuts > 0) {
            proxy.cuts -= 1;
            if (proxy.cuts === 0) proxy.mode = 'pass';
            // The server has committed and answered; the device hears nothing.
            req.socket.destroy();
            record({ method, path: pathname, outcome: 'cut', status: up.statusCode ?? 0, body: json });
            return;
          }
          const out: http.OutgoingHttpHeaders = { ...up.headers };
          for (const h of HOP_BY_HOP) delete out[h];
          out['content-length'] = data.length;
          res.writeHead(up.statusCode ?? 502, out);
          res.end(data);
          record({ method, path: pathname, outcome: 'forwarded', status: up.statusCode ?? 0, ...(isPush ? { body: json } : {}) });
        });
      });
      upstream.on('error', () => req.socket.destroy());
      upstream.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const proxy: TestProxy = {
    url: `http://127.0.0.1:${port}`,
    mode: 'pass',
    cuts: 0,
    events: [],
    waitFor(pred, timeoutMs = 30_000) {
      const done = proxy.events.find(pred);
      if (done) return Promise.resolve(done);
      return new Promise((resolve, reject) => {
        const w = { pred, resolve };
        waiters.add(w);
        setTimeout(() => {
          if (waiters.delete(w)) reject(new Error(`proxy: no matching request within ${timeoutMs} ms`));
        }, timeoutMs).unref();
      });
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
  return proxy;
}
