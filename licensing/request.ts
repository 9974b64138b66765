// The offline activation request: what `korobka license request` writes and
// the vendor's `korobka-license issue --request FILE` reads. It is not
// signed (the box holds no secret the vendor could check); it carries only
// salted hashes of the hardware, and a checksum that catches a file damaged
// on its way through e-mail or a USB stick.
import { z } from 'zod';
import { canonicalJson } from './canonical-json';
import { digestHex } from './licence';
import { componentSchema, describeIssues, PRODUCT } from './licence-schema';
import type { FingerprintComponent } from './fingerprint';
import { describeFingerprint, formatDay } from './format';
import { defaultK } from './fingerprint';

const BEGIN = '-----BEGIN KOROBKA ACTIVATION REQUEST-----';
const END = '-----END KOROBKA ACTIVATION REQUEST-----';

export const activationRequestSchema = z
  .object({
    format: z.literal(1, 'expected format 1'),
    kind: z.literal('korobka-activation-request', 'expected kind korobka-activation-request'),
    product: z.string().min(1).max(64),
    productVersion: z.string().min(1).max(64),
    installationId: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{2,99}$/, 'expected 3–100 letters, digits, dots, dashes or underscores'),
    created: z.iso.datetime({ message: 'expected an ISO 8601 UTC time' }),
    fingerprint: z.array(componentSchema).max(64),
    /** The box's last `korobka selftest`, for the vendor's sizing (absent before the first, and from older boxes). */
    sizing: z
      .object({
        ranAt: z.iso.datetime({ message: 'expected an ISO 8601 UTC time' }),
        mode: z.enum(['quick', 'full']),
        profile: z.enum(['eval', 'S', 'M', 'L', 'XL']).nullable(),
        callsPerSecond: z.number().min(0),
        heldCalls: z.number().int().min(0),
        audioSecondsPerSecond: z.number().min(0),
        cpus: z.number().int().min(1),
        memGiB: z.number().min(0),
      })
      .strict()
      .optional(),
  })
  .strict();

export type ActivationRequest = z.infer<typeof activationRequestSchema>;

export interface BuildRequestInput {
  fingerprint: readonly FingerprintComponent[];
  /** The installation's stable id (kept in the data directory by the appliance). */
  installationId: string;
  productVersion: string;
  now: Date;
  sizing?: ActivationRequest['sizing'];
}

export function buildActivationRequest(input: BuildRequestInput): ActivationRequest {
  return activationRequestSchema.parse({
    format: 1,
    kind: 'korobka-activation-request',
    product: PRODUCT,
    productVersion: input.productVersion,
    installationId: input.installationId,
    created: input.now.toISOString(),
    fingerprint: input.fingerprint.map((c) => ({ kind: c.kind, hash: c.hash })),
    ...(input.sizing ? { sizing: input.sizing } : {}),
  });
}

function checksum(req: unknown): string {
  return digestHex(Buffer.from(canonicalJson(req), 'utf8')).slice(0, 16);
}

/** The self-test in one line: what the vendor sizes the licence against. */
export function sizingLine(s: NonNullable<ActivationRequest['sizing']>): string {
  return `${formatDay(s.ranAt)} (${s.mode}), ${s.cpus} CPU, ${s.memGiB} GiB: ${s.callsPerSecond} calls/s, ${s.heldCalls} calls held with media, ${s.audioSecondsPerSecond} s of audio converted per second; honours ${s.profile ?? 'no profile'} with margin`;
}

/** The request file's text. */
export function formatActivationRequest(req: ActivationRequest): string {
  return [
    'Korobka activation request',
    `Installation:  ${req.installationId}`,
    `Version:       ${req.productVersion}`,
    `Created:       ${formatDay(req.created)}`,
    `Machine:       ${describeFingerprint({ k: defaultK(req.fingerprint.length), components: req.fingerprint })}`,
    ...(req.sizing ? [`Self-test:     ${sizingLine(req.sizing)}`] : []),
    '',
    'Send this file to your Korobka supplier. It holds no serial numbers, only salted hashes of them.',
    BEGIN,
    JSON.stringify(req, null, 2),
    END,
    `Checksum: ${checksum(req)}`,
    '',
  ].join('\n');
}

export type ParseRequestResult = { ok: true; request: ActivationRequest } | { ok: false; code: 'malformed-request'; message: string };

export function parseActivationRequest(text: string): ParseRequestResult {
  const fail = (message: string): ParseRequestResult => ({ ok: false, code: 'malformed-request', message });
  const clean = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n');
  const a = clean.indexOf(BEGIN);
  const b = a < 0 ? -1 : clean.indexOf(END, a);
  if (a < 0 || b < 0) return fail(`no "${BEGIN}" … "${END}" block: not a Korobka activation request`);
  let doc: unknown;
  try {
    doc = JSON.parse(clean.slice(a + BEGIN.length, b));
  } catch (e) {
    return fail(`the request is not valid JSON (${(e as Error).message})`);
  }
  const written = /^Checksum: ([0-9a-f]{16})$/m.exec(clean.slice(b))?.[1];
  if (written === undefined) return fail('the Checksum line is missing');
  if (written !== checksum(doc)) return fail('the checksum does not match: the file was changed or damaged on its way');
  const parsed = activationRequestSchema.safeParse(doc);
  if (!parsed.success) return fail(describeIssues(parsed.error).join('; '));
  return { ok: true, request: parsed.data };
}
