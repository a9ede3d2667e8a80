// TRUST_PROXY: which peers may tell us, in X-Forwarded-*, who the client is.
//
// The sign-in throttle counts failures per client address, so this setting is a
// security one. Say how many proxies stand in front (TRUST_PROXY=1), or name
// their addresses (TRUST_PROXY=127.0.0.1 when nginx runs on the same machine):
// then only the X-Forwarded-For entry that the proxy added counts, whatever the
// client put before it. With addresses, a client that reaches the app directly
// cannot claim any address at all.
//   - "true" trusts every entry: a client that sends a new X-Forwarded-For with
//     each attempt is a new address each time and is never throttled.
//   - A hop count ("1": one proxy in front) trusts that many hops from the
//     socket inward: the client is the entry the nearest proxy appended. Fastify
//     5 fails closed on a plain number (it would treat every client as the
//     proxy), so the count becomes a proxy-addr trust function here. It cannot
//     check who the peer is: the app's port must be reachable only through the
//     proxy (firewall or a loopback/private bind). Naming the proxy's address is
//     stricter still.
export type TrustProxy = boolean | string[] | ((address: string, hop: number) => boolean);

export interface ParsedTrustProxy {
  value: TrustProxy | undefined;
  /** Printed at start when the setting is unsafe. */
  warning?: string;
}

const ADVICE = 'Set TRUST_PROXY to the number of proxies in front of the app (TRUST_PROXY=1 behind one nginx) or to their addresses (TRUST_PROXY=127.0.0.1).';

export function parseTrustProxy(text: string | undefined): ParsedTrustProxy {
  if (!text) return { value: undefined };
  if (/^(true|yes|on)$/i.test(text)) {
    return {
      value: true,
      warning: `TRUST_PROXY=${text} believes any X-Forwarded-For, so a client can pick a new address for every sign-in attempt and is never throttled. ${ADVICE}`,
    };
  }
  if (/^(false|no|off|0)$/i.test(text)) return { value: undefined };
  if (/^\d+$/.test(text)) {
    const hops = Number(text);
    return { value: (_address: string, hop: number) => hop < hops };
  }
  return { value: text.split(',').map((s) => s.trim()).filter(Boolean) };
}
