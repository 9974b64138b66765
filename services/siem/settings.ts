// Where audit events go: one appliance-wide receiver, kept in the settings
// table (an admin edits it through /api/audit/siem), and the durable cursor:
// the id of the last audit row the receiver's socket accepted.
import { isIP } from 'node:net';
import { z } from 'zod';
import { siemFormats } from './format';

export const SIEM_SETTINGS_KEY = 'audit.siem';
export const SIEM_CURSOR_KEY = 'audit.siem.cursor';

const hostname = /^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const pem = /^-----BEGIN CERTIFICATE-----[\s\S]+-----END CERTIFICATE-----\s*$/;

export const siemSettingsSchema = z
  .object({
    enabled: z.boolean(),
    host: z.string().refine((h) => isIP(h) !== 0 || hostname.test(h), 'expected a host name or an IP address'),
    port: z.number().int().min(1, 'expected 1–65535').max(65535, 'expected 1–65535'),
    protocol: z.enum(['tcp', 'tls']),
    format: z.enum(siemFormats),
    /** PEM of the CA that signed the receiver's certificate; '' trusts the system's CAs. TLS only. */
    ca: z.string().max(65536, 'at most 64 KiB').refine((s) => s === '' || pem.test(s.trim()), 'expected PEM certificates').default(''),
  })
  .strict()
  .superRefine((s, ctx) => {
    if (s.protocol === 'tcp' && s.ca !== '') ctx.addIssue({ code: 'custom', path: ['ca'], message: 'a CA is for protocol tls only' });
  });

export type SiemSettings = z.infer<typeof siemSettingsSchema>;
