// An INVITE from the operator: no credentials (operators do not answer
// our challenge), recognised by its source address through the trunk
// directory, and routed by the number it was sent to (a DID) to an
// extension. The Request-URI user is the called number (RFC 3261 §8.1.1.1);
// operators that put their account there carry the DID in To, so that is
// tried second. A DID matches in any spelling the tenant's numbering plan
// reads as the same number: +74951234567, 84951234567, 74951234567 (and the
// local 1234567 with city code 495).
//
// How sure we are that the operator sent it: a request from the trunk's
// own host and port is the trunk's ("strong"): an unknown number there is
// answered 404. A request from a trunk address but another port might be a
// phone on the same host (a NAT, a test bench): it is treated as the trunk's
// only when it names a DID, and otherwise goes through digest
// authentication like any phone.
import type { Did } from '../../store';
import { normaliseDialString, type NumberingConfig } from '../../dialplan';
import type { Party } from '../cdr/cdr-record';
import { SipAddressError, uriParts } from '../registrar/sip-address';
import type { DirectoryTrunk, TrunkDirectory } from './trunk-directory';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- drachtio-srf has no typings for its request
type Loose = any;

export interface InboundDeps {
  directory: Pick<TrunkDirectory, 'candidates' | 'isTrunkEndpoint'>;
  dids(tenantId: number): Did[];
  numbering(tenantId: number): NumberingConfig;
}

export type InboundMatch =
  /** Not from a trunk (or not sure enough): authenticate as a phone. */
  | { kind: 'not-trunk' }
  /** From the trunk, to a number that is none of its tenant's DIDs. */
  /** From the trunk, to a number that is none of its tenant's DIDs (or, `ambiguous`, that several tenants sharing the source would each read as theirs). */
  | { kind: 'unknown-did'; trunk: DirectoryTrunk; dialled: string; caller: Party; ambiguous?: true }
  | { kind: 'did'; trunk: DirectoryTrunk; did: Did; /** The DID in canonical form (E.164). */ didNumber: string; dialled: string; caller: Party };

/** True when the request carries digest credentials (RFC 3261 §22.2, §22.3): then it is a phone's, not an operator's. */
export function hasCredentials(req: Loose): boolean {
  return Boolean(req.get('Authorization') || req.get('Proxy-Authorization'));
}

/** A number in the tenant's canonical form (E.164 for public numbers), or undefined when it is none. */
function canonical(raw: string, numbering: NumberingConfig): string | undefined {
  const n = normaliseDialString(raw, numbering);
  return n.ok && n.class !== 'internal' && n.class !== 'feature' ? n.number : undefined;
}

const digitsOf = (s: string) => s.replace(/[^0-9+]/g, '');

/** The tenant's DID for `raw`: the same digits, or the same number once both are normalised. */
export function findDid(dids: readonly Did[], raw: string, numbering: NumberingConfig): Did | undefined {
  const plain = digitsOf(raw);
  if (plain === '') return undefined;
  const exact = dids.find((d) => d.number === plain);
  if (exact) return exact;
  const wanted = canonical(plain, numbering);
  if (wanted === undefined) return undefined;
  return dids.find((d) => canonical(d.number, numbering) === wanted);
}

function userOf(uri: unknown): string | undefined {
  try {
    const u = uriParts(String(uri)).user;
    return u === '' ? undefined : decodeURIComponent(u);
  } catch (err) {
    if (err instanceof SipAddressError || err instanceof URIError) return undefined;
    throw err;
  }
}

export function matchInbound(deps: InboundDeps, req: Loose): InboundMatch {
  if (hasCredentials(req)) return { kind: 'not-trunk' };
  const candidates = deps.directory.candidates(String(req.source_address), Number(req.source_port));
  const first = candidates[0];
  if (!first) return { kind: 'not-trunk' };
  const strong = deps.directory.isTrunkEndpoint(first, String(req.source_address), Number(req.source_port));
  const requestUser = userOf(req.uri);
  const toUser = userOf(req.getParsedHeader('To')?.uri);
  const fromUser = userOf(req.getParsedHeader('From')?.uri) ?? '';
  const asked = [requestUser, toUser].filter((u): u is string => u !== undefined);
  // Several tenants may buy from one operator: the DID decides whose call it is,
  // and only when it is exactly one tenant's (issue 16 item 5). DIDs are unique
  // over all tenants in every spelling (migration 0125), but a short or local
  // spelling reads differently under each tenant's numbering plan: a number two
  // tenants would both take is nobody's, never the first trunk's by id or port.
  const found: Array<{ trunk: DirectoryTrunk; did: Did; dialled: string }> = [];
  for (const trunk of candidates) {
    const dids = deps.dids(trunk.tenantId);
    for (const dialled of asked) {
      const did = findDid(dids, dialled, deps.numbering(trunk.tenantId));
      if (did) {
        found.push({ trunk, did, dialled });
        break;
      }
    }
  }
  const owners = new Set(found.map((f) => f.did.tenantId));
  const hit = found[0];
  if (hit && owners.size === 1) {
    const { did, dialled } = hit;
    const numbering = deps.numbering(did.tenantId);
    // Several trunks may share the address (one operator, two contracts): the DID's own trunk carries it.
    const trunk = candidates.find((c) => c.id === did.trunkId && c.tenantId === did.tenantId) ?? hit.trunk;
    return { kind: 'did', trunk, did, didNumber: canonical(did.number, numbering) ?? did.number, dialled, caller: { dialled: fromUser, number: canonical(fromUser, numbering) ?? fromUser } };
  }
  const ambiguous = owners.size > 1;
  if (!strong && !ambiguous) return { kind: 'not-trunk' };
  const numbering = deps.numbering(first.tenantId);
  const refused = { kind: 'unknown-did' as const, trunk: first, dialled: requestUser ?? toUser ?? '', caller: { dialled: fromUser, number: canonical(fromUser, numbering) ?? fromUser } };
  return ambiguous ? { ...refused, ambiguous: true } : refused;
}
