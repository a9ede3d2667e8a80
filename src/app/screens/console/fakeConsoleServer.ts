// A fetch for console page tests: answers by "METHOD path" and records calls.
// The server's side of these contracts is tested on the server (tests/server).
export const jsonResponse = (body: unknown, status = 200) =>
  status === 204 ? new Response(null, { status }) : new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

export type Route = (body: unknown) => Response;

export function fakeConsoleServer(routes: Record<string, Route>) {
  const calls: { method: string; path: string; body: unknown }[] = [];
  const fetchImpl = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input));
    const method = init?.method ?? 'GET';
    const body = typeof init?.body === 'string' ? (JSON.parse(init.body) as unknown) : undefined;
    calls.push({ method, path: url.pathname, body });
    const route = routes[`${method} ${url.pathname}`];
    return route ? route(body) : jsonResponse({ error: { code: 'not_found', message: 'no route' } }, 404);
  }) as typeof fetch;
  return { http: { baseUrl: 'http://gocua.test', fetchImpl }, calls };
}
