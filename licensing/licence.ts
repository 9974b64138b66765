// The licence file: a readable text file support can open in any editor.
//
//   Korobka licence KB-20261122-3f9a1c07          ← summary, not signed,
//   Customer:  Bank …                               regenerated on issue
//
//   -----BEGIN KOROBKA LICENCE-----
//   { …the licence document, indented JSON… }
//   -----END KOROBKA LICENCE-----
//   -----BEGIN KOROBKA SIGNATURE-----
//   Algorithm: Ed25519
//   Digest: SHA-256 <hex of the signed bytes>
//   <base64 signature>
//   -----END KOROBKA SIGNATURE-----
//
// The Ed25519 signature covers a domain tag and the canonical JSON of the
// document, so re-indenting or re-wrapping the file keeps it valid while
// any changed value breaks it. The digest line is not a security measure:
// it lets the verifier tell a changed document (`tampered`) from a broken
// signature (`bad-signature`) for support.
import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json';
import { ed25519Sign, keyPairFromSeed } from './keys';
import type { Licence } from './licence-schema';
import { describeFingerprint, formatDay } from './format';

const SIGNING_DOMAIN = 'korobka-licence-v1\n';
const BEGIN_DOC = '-----BEGIN KOROBKA LICENCE-----';
const END_DOC = '-----END KOROBKA LICENCE-----';
const BEGIN_SIG = '-----BEGIN KOROBKA SIGNATURE-----';
const END_SIG = '-----END KOROBKA SIGNATURE-----';

/** The exact bytes that are signed. */
export function signedBytes(document: unknown): Buffer {
  return Buffer.from(SIGNING_DOMAIN + canonicalJson(document), 'utf8');
}

export function digestHex(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Signs a licence with the vendor's seed and renders the file. The seed must be the key licence.keyId names. */
export function signLicence(licence: Licence, seed: Buffer): string {
  const { keyId } = keyPairFromSeed(seed);
  if (keyId !== licence.keyId) throw new Error(`licence names key ${licence.keyId} but the private key is ${keyId}`);
  const bytes = signedBytes(licence);
  const signature = ed25519Sign(bytes, seed);
  return formatLicenceFile(licence, signature.toString('base64'), digestHex(bytes));
}

export function formatLicenceFile(licence: Licence, signatureBase64: string, digest: string): string {
  const sig = signatureBase64.match(/.{1,64}/g) ?? [];
  return [
    describeLicence(licence),
    '',
    '# The summary above is not signed: `korobka-license show FILE` prints it from the signed document below.',
    BEGIN_DOC,
    JSON.stringify(licence, null, 2),
    END_DOC,
    BEGIN_SIG,
    'Algorithm: Ed25519',
    `Digest: SHA-256 ${digest}`,
    ...sig,
    END_SIG,
    '',
  ].join('\n');
}

export interface ParsedLicenceFile {
  /** The JSON document, not yet validated. */
  document: unknown;
  /** The digest line as written (undefined when the line is missing). */
  digest: string | undefined;
  signature: Buffer;
}

export type ParseLicenceResult = { ok: true; file: ParsedLicenceFile } | { ok: false; message: string };

function between(text: string, begin: string, end: string): string | undefined {
  const a = text.indexOf(begin);
  if (a < 0) return undefined;
  const b = text.indexOf(end, a + begin.length);
  if (b < 0) return undefined;
  return text.slice(a + begin.length, b);
}

/** Splits a licence file into document, digest and signature; says what is missing when it cannot. */
export function parseLicenceFile(text: string): ParseLicenceResult {
  const clean = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  const body = between(clean, BEGIN_DOC, END_DOC);
  if (body === undefined) return { ok: false, message: `no "${BEGIN_DOC}" … "${END_DOC}" block: not a Korobka licence file` };
  const sigBlock = between(clean, BEGIN_SIG, END_SIG);
  if (sigBlock === undefined) return { ok: false, message: `no "${BEGIN_SIG}" … "${END_SIG}" block: the signature is missing` };
  let document: unknown;
  try {
    document = JSON.parse(body);
  } catch (e) {
    return { ok: false, message: `the licence document is not valid JSON (${(e as Error).message})` };
  }
  let digest: string | undefined;
  const b64: string[] = [];
  for (const raw of sigBlock.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    const header = /^([A-Za-z-]+):\s*(.*)$/.exec(line);
    if (header) {
      const [, name = '', value = ''] = header;
      if (name.toLowerCase() === 'algorithm' && value !== 'Ed25519') return { ok: false, message: `signature algorithm ${value} is not supported (expected Ed25519)` };
      if (name.toLowerCase() === 'digest') digest = /^SHA-256 ([0-9a-f]{64})$/.exec(value)?.[1];
      continue;
    }
    if (!/^[A-Za-z0-9+/=]+$/.test(line)) return { ok: false, message: 'the signature block holds something other than base64' };
    b64.push(line);
  }
  if (b64.length === 0) return { ok: false, message: 'the signature block is empty' };
  return { ok: true, file: { document, digest, signature: Buffer.from(b64.join(''), 'base64') } };
}

/** The human-readable form of a licence, as support reads it on the phone. */
export function describeLicence(l: Licence): string {
  const rows: [string, string][] = [
    ['Licence', l.licenceId],
    ['Customer', l.customer],
    ['Product', l.product],
    ['Profile', `${l.profile}: ${l.limits.concurrentCalls} concurrent calls, ${l.limits.extensions} extensions, ${l.limits.tenants} tenant(s)`],
    ['Features', l.limits.features.length > 0 ? l.limits.features.join(', ') : 'none'],
    ['Issued', formatDay(l.issued)],
    ['Valid', `from ${formatDay(l.notBefore)} to ${formatDay(l.expires)} (UTC)`],
    ['Maintenance', l.maintenanceUntil === undefined ? 'not included' : `until ${formatDay(l.maintenanceUntil)}`],
    ['Machine', describeFingerprint(l.fingerprint)],
    ['Installation', l.installationId],
    ['Signed by', `vendor key ${l.keyId}`],
  ];
  return [`Korobka licence ${l.licenceId}`, ...rows.map(([k, v]) => `${(k + ':').padEnd(14)}${v}`)].join('\n');
}
