// SMTP settings, one set for the appliance and one per tenant (a tenant
// without its own uses the appliance's). Kept in the settings table under
// 'mail.smtp'; the password is sealed with the SecretBox (like trunk
// passwords: AES-256-GCM under a key derived from the master key, bound to
// its owner) and never leaves this module in clear except to nodemailer.
import { z } from 'zod';
import type { Store } from '../store';
import type { SecretBox } from '../common/secret-box';
import { emailSchema } from './outbox';

export const SMTP_KEY = 'mail.smtp';
export const SMTP_PASSWORD = {
  purpose: 'smtp-password',
  aad: (tenantId: number | null) => `smtp-password ${tenantId === null ? 'appliance' : `tenant:${tenantId}`}`,
} as const;

/**
 * `starttls`: plain connection upgraded by STARTTLS, refused without it
 * (RFC 3207; port 587); `tls`: TLS from the first byte (RFC 8314; port
 * 465); `none`: no TLS at all, for a relay on a trusted network only.
 */
export const smtpSecurities = ['starttls', 'tls', 'none'] as const;
export type SmtpSecurity = (typeof smtpSecurities)[number];

export const smtpInputSchema = z
  .object({
    enabled: z.boolean().default(true),
    host: z.string().trim().min(1, 'expected a host name or IP address').max(253).regex(/^[A-Za-z0-9.:[\]-]+$/, 'expected a host name or IP address'),
    port: z.number().int().min(1, 'expected 1–65535').max(65535, 'expected 1–65535'),
    security: z.enum(smtpSecurities),
    /** Check the server's certificate (off only for a relay with a self-made certificate). */
    verifyTls: z.boolean().default(true),
    username: z.string().max(256).default(''),
    /** Write-only: absent keeps the stored one, '' removes it. */
    password: z.string().max(256).optional(),
    from: emailSchema,
    fromName: z.string().max(128).refine((s) => !/[\r\n"<>]/.test(s), 'no line breaks, quotes or angle brackets').default(''),
  })
  .strict();
export type SmtpInput = z.input<typeof smtpInputSchema>;

export interface SmtpSettings {
  enabled: boolean;
  host: string;
  port: number;
  security: SmtpSecurity;
  verifyTls: boolean;
  username: string;
  from: string;
  fromName: string;
  hasPassword: boolean;
  updatedAt: string;
}

interface Stored extends Omit<SmtpSettings, 'hasPassword'> {
  passwordSealed: string | null;
}

/** What nodemailer needs: the settings and the password opened. */
export interface SmtpConnection extends SmtpSettings {
  /** Whose settings these are (null: the appliance's). */
  scope: number | null;
  password: string;
}

export class SmtpSettingsStore {
  constructor(
    private readonly store: Pick<Store, 'settings'>,
    private readonly box: () => SecretBox,
  ) {}

  /** The settings of exactly this scope, without the password. */
  get(tenantId: number | null): SmtpSettings | undefined {
    const s = this.store.settings.get<Stored>(SMTP_KEY, tenantId);
    if (!s) return undefined;
    const { passwordSealed, ...rest } = s;
    return { ...rest, hasPassword: passwordSealed !== null };
  }

  /** Validated input in; a password left out keeps the stored one. */
  set(tenantId: number | null, input: z.output<typeof smtpInputSchema>, now = new Date()): SmtpSettings {
    const prev = this.store.settings.get<Stored>(SMTP_KEY, tenantId);
    const { password, ...rest } = input;
    const passwordSealed = password === undefined ? (prev?.passwordSealed ?? null) : password === '' ? null : this.box().seal(password, SMTP_PASSWORD.aad(tenantId));
    const stored: Stored = { ...rest, passwordSealed, updatedAt: now.toISOString() };
    this.store.settings.set(SMTP_KEY, stored, tenantId, now);
    return this.get(tenantId)!;
  }

  delete(tenantId: number | null): void {
    this.store.settings.delete(SMTP_KEY, tenantId);
  }

  /** The connection a tenant's mail goes out on: its own enabled settings, else the appliance's. */
  resolve(tenantId: number | null): SmtpConnection | undefined {
    for (const scope of tenantId === null ? [null] : [tenantId, null]) {
      const s = this.store.settings.get<Stored>(SMTP_KEY, scope);
      if (s?.enabled) return this.open(scope, s);
    }
    return undefined;
  }

  /** A connection from settings not yet saved (the test button on an unsaved form), with the stored password when none is given. */
  draft(tenantId: number | null, input: z.output<typeof smtpInputSchema>): SmtpConnection {
    const prev = this.store.settings.get<Stored>(SMTP_KEY, tenantId);
    const { password, ...rest } = input;
    const stored = prev?.passwordSealed ? this.box().open(prev.passwordSealed, SMTP_PASSWORD.aad(tenantId)) : '';
    return { ...rest, scope: tenantId, password: password ?? stored, hasPassword: (password ?? stored) !== '', updatedAt: prev?.updatedAt ?? '' };
  }

  private open(scope: number | null, s: Stored): SmtpConnection {
    const { passwordSealed, ...rest } = s;
    const password = passwordSealed ? this.box().open(passwordSealed, SMTP_PASSWORD.aad(scope)) : '';
    return { ...rest, scope, password, hasPassword: passwordSealed !== null };
  }
}
