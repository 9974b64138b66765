// The box's own tools (the appliance tests, benches, a monitoring agent run
// by root) read the full health report with a token kept in the data
// directory's keys/ (mode 0600), without a user account.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const HEALTH_TOKEN_HEADER = 'x-korobka-health-token';

export function healthTokenFile(dataDir: string): string {
  return path.join(dataDir, 'keys', 'health.token');
}

/** Reads the token, making it on first use. */
export function ensureHealthToken(dataDir: string): string {
  const file = healthTokenFile(dataDir);
  try {
    return readFileSync(file, 'utf8').trim();
  } catch {
    mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const token = randomBytes(24).toString('base64url');
    writeFileSync(file, token + '\n', { mode: 0o600, flag: 'wx' });
    return token;
  }
}

export function sameToken(given: string, token: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}
