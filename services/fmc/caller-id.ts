// Who is calling, from the headers a gateway may set. Gateways differ:
// GoIP's "CID Forward Mode" puts the GSM caller in From, in Remote-Party-ID
// or nowhere (mikopbx/Core#40); operators assert it in P-Asserted-Identity
// (RFC 3325). The order PAI > RPID > From is the one phones use (Yealink
// cid_source). A header whose user part is not a number is skipped, so a
// gateway's `From: "GoIP" <sip:goip1@…>` does not hide an RPID behind it.
import { normaliseNumber } from './numbers';

export const callerIdSources = ['pai', 'rpid', 'from'] as const;
export type CallerIdSource = (typeof callerIdSources)[number];

export interface CallerIdHeaders {
  pai?: string | undefined;
  rpid?: string | undefined;
  from?: string | undefined;
}

/** The user part of a name-addr / addr-spec (sip:, sips:, tel:), or null. */
export function headerUser(header: string | undefined): string | null {
  if (!header) return null;
  // RFC 3325 §9.1 allows one sip and one tel identity, comma separated; the first wins.
  const first = header.split(/,(?=(?:[^"]*"[^"]*")*[^"]*$)/)[0]!.trim();
  const inAngles = /<([^>]*)>/.exec(first);
  const uri = (inAngles ? inAngles[1]! : first.split(';')[0]!).trim();
  const m = /^(?:sips?:([^@;>]+)@|tel:([^;>]+))/i.exec(uri);
  if (!m) return null;
  try {
    return decodeURIComponent((m[1] ?? m[2])!).replace(/;.*$/, '');
  } catch {
    return null;
  }
}

export type CallerId = { number: string; source: CallerIdSource } | { number: null; source: null; raw: string | null };

export function callerIdentity(headers: CallerIdHeaders, opts: { order?: readonly CallerIdSource[]; cityCode?: string | null } = {}): CallerId {
  const order = opts.order ?? callerIdSources;
  let raw: string | null = null;
  for (const source of order) {
    const user = headerUser(headers[source]);
    if (user === null) continue;
    raw ??= user;
    const n = normaliseNumber(user, { cityCode: opts.cityCode ?? null });
    if (n.ok) return { number: n.e164, source };
  }
  return { number: null, source: null, raw };
}
