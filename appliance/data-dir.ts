// The data directory layout, and the secrets the appliance makes for itself.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from './config/schema';

export const layout = (dataDir: string) => ({
  db: path.join(dataDir, 'korobka.db'),
  recordings: path.join(dataDir, 'recordings'),
  keys: path.join(dataDir, 'keys'),
  tls: path.join(dataDir, 'tls'),
  license: path.join(dataDir, 'license'),
  branding: path.join(dataDir, 'branding'),
  backups: path.join(dataDir, 'backups'),
  run: path.join(dataDir, 'run'),
  logs: path.join(dataDir, 'logs'),
  drachtioSecret: path.join(dataDir, 'keys', 'drachtio.secret'),
});

const PRIVATE = new Set(['keys', 'tls', 'license', 'backups', 'recordings']);

export function ensureLayout(dataDir: string): void {
  mkdirSync(dataDir, { recursive: true, mode: 0o750 });
  const l = layout(dataDir);
  for (const [name, dir] of Object.entries(l)) {
    if (name === 'db' || name === 'drachtioSecret') continue;
    mkdirSync(dir, { recursive: true, mode: PRIVATE.has(name) ? 0o700 : 0o750 });
    if (PRIVATE.has(name)) chmodSync(dir, 0o700);
  }
  // rtpengine's plain captures are personal data until the pipeline encrypts them.
  mkdirSync(path.join(l.recordings, 'spool'), { recursive: true, mode: 0o700 });
  chmodSync(path.join(l.recordings, 'spool'), 0o700);
}

/** The shared secret between sip-core and call-control; made once, mode 0600. */
export function ensureDrachtioSecret(dataDir: string): string {
  const file = layout(dataDir).drachtioSecret;
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const secret = randomBytes(24).toString('base64url');
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, secret + '\n', { mode: 0o600 });
  return secret;
}

/** The config the children get: the secret filled in from keys/ when the file config leaves it empty. */
export function withRuntimeSecrets(config: Readonly<Config>): Readonly<Config> {
  if (config.drachtio.secret) return config;
  return Object.freeze({ ...config, drachtio: Object.freeze({ ...config.drachtio, secret: ensureDrachtioSecret(config.dataDir) }) });
}
