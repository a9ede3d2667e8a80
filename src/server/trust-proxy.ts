// TRUST_PROXY: which peers may tell us, in X-Forwarded-*, who the client is.
//
// The sign-in throttle counts failures per client address, so this setting is a
// security one. Name the proxy's own addresses (TRUST_PROXY=127.0.0.1 when nginx
// runs on the same machine): then only the X-Forwarded-For entry that the proxy
// added counts, whatever the client put before it, and a client that reaches
// the app directly cannot claim any address at all.
//   - "true" trusts every entry: a client that sends a new X-Forwarded-For with
//     each attempt is a new address each time and is never throttled.
//   - A hop count ("1") is ignored by Fastify 5 (it cannot check who the peer
//     is): every client then looks like the proxy, so ten failures by anyone
//     lock everyone out, and X-Forwarded-Proto is ignored too.
export type TrustProxy = boolean | number | string[];

export interface ParsedTrustProxy {
  value: TrustProxy | undefined;
  /** Printed at start when the setting is unsafe. */
  warning?: string;
}

const ADVICE = 'Set TRUST_PROXY to the address of the proxy instead, e.g. TRUST_PROXY=127.0.0.1 when it runs on this machine.';

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
    return {
      value: Number(text),
      warning: `TRUST_PROXY=${text} is a hop count, which Fastify ignores: every client would look like the proxy, so a few wrong passwords from anyone would throttle everyone, and X-Forwarded-Proto would be ignored. ${ADVICE}`,
    };
  }
  return { value: text.split(',').map((s) => s.trim()).filter(Boolean) };
}
