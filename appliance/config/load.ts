// Reads the configuration once: defaults → config file → environment → flags.
// Every problem is collected and reported together, each naming its field and
// where the value came from; the result is deep-frozen.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { configSchema, crossFieldProblems, type Config } from './schema';

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(problems.join('\n'));
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** Environment variables the appliance reads, and the config field each sets. */
export const envMap: Record<string, { path: string; type: 'string' | 'number' | 'boolean' }> = {
  KOROBKA_DATA_DIR: { path: 'dataDir', type: 'string' },
  KOROBKA_LOG_LEVEL: { path: 'logLevel', type: 'string' },
  KOROBKA_LOG_MASK_PERSONAL_DATA: { path: 'logMaskPersonalData', type: 'boolean' },
  KOROBKA_API_HOST: { path: 'api.host', type: 'string' },
  KOROBKA_API_PORT: { path: 'api.port', type: 'number' },
  KOROBKA_PUBLIC_URL: { path: 'api.publicUrl', type: 'string' },
  KOROBKA_SIP_PUBLIC_ADDRESS: { path: 'sip.publicAddress', type: 'string' },
  KOROBKA_DRACHTIO_HOST: { path: 'drachtio.host', type: 'string' },
  KOROBKA_DRACHTIO_PORT: { path: 'drachtio.port', type: 'number' },
  KOROBKA_DRACHTIO_SECRET: { path: 'drachtio.secret', type: 'string' },
  KOROBKA_DRACHTIO_EXTERNAL: { path: 'drachtio.external', type: 'boolean' },
  KOROBKA_RTPENGINE_ENABLED: { path: 'rtpengine.enabled', type: 'boolean' },
  KOROBKA_RTPENGINE_BINARY: { path: 'rtpengine.binary', type: 'string' },
  KOROBKA_RTPENGINE_INTERFACE: { path: 'rtpengine.interface', type: 'string' },
  KOROBKA_RTPENGINE_NG_PORT: { path: 'rtpengine.ngPort', type: 'number' },
  KOROBKA_RTPENGINE_DTMF_LOG_PORT: { path: 'rtpengine.dtmfLogPort', type: 'number' },
};

export interface LoadOptions {
  /** Explicit config file; otherwise `<dataDir>/korobka.json` when it exists. */
  configFile?: string;
  env?: Record<string, string | undefined>;
  /** Values from command-line flags, as dotted paths: {'api.port': '8443'}. */
  flags?: Record<string, string>;
}

function setPath(target: Record<string, unknown>, dotted: string, value: unknown): void {
  const keys = dotted.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[keys[keys.length - 1]!] = value;
}

function coerce(raw: string, type: 'string' | 'number' | 'boolean', origin: string, problems: string[]): unknown {
  if (type === 'string') return raw;
  if (type === 'number') {
    const n = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(n)) {
      problems.push(`${origin}: expected a number, got "${raw}"`);
      return undefined;
    }
    return n;
  }
  if (/^(1|true|yes|on)$/i.test(raw)) return true;
  if (/^(0|false|no|off)$/i.test(raw)) return false;
  problems.push(`${origin}: expected true or false, got "${raw}"`);
  return undefined;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  return JSON.stringify(v);
}

function valueAt(obj: unknown, keys: PropertyKey[]): unknown {
  let node = obj;
  for (const k of keys) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[k];
  }
  return node;
}

export function loadConfig(opts: LoadOptions = {}): Readonly<Config> {
  const env = opts.env ?? process.env;
  const flags = opts.flags ?? {};
  const problems: string[] = [];
  const raw: Record<string, unknown> = {};
  const origins = new Map<string, string>();

  // The data dir decides where the default config file is, so look at it first.
  const dataDirHint = flags['dataDir'] ?? env['KOROBKA_DATA_DIR'] ?? './var';
  const fileName = opts.configFile ?? path.join(dataDirHint, 'korobka.json');
  const fileLabel = path.basename(fileName);
  if (existsSync(fileName)) {
    try {
      const parsed: unknown = JSON.parse(readFileSync(fileName, 'utf8'));
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
        problems.push(`${fileLabel}: expected a JSON object at the top level`);
      } else {
        Object.assign(raw, parsed);
      }
    } catch (e) {
      problems.push(`${fileLabel}: not valid JSON (${(e as Error).message})`);
    }
  } else if (opts.configFile) {
    problems.push(`${fileName}: no such file`);
  }

  for (const [name, spec] of Object.entries(envMap)) {
    const v = env[name];
    if (v === undefined) continue;
    const value = coerce(v, spec.type, `${name}`, problems);
    if (value !== undefined) {
      setPath(raw, spec.path, value);
      origins.set(spec.path, name);
    }
  }

  const defaults = configSchema.parse({});
  for (const [dotted, v] of Object.entries(flags)) {
    const kind = typeof valueAt(defaults, dotted.split('.'));
    const type = kind === 'number' || kind === 'boolean' ? kind : 'string';
    const value = coerce(v, type, `--${dotted}`, problems);
    if (value !== undefined) {
      setPath(raw, dotted, value);
      origins.set(dotted, `--${dotted}`);
    }
  }

  const result = configSchema.safeParse(raw);
  if (!result.success) {
    for (const issue of result.error.issues) {
      const field = issue.path.join('.');
      const origin = origins.get(field) ?? fileLabel;
      const got = valueAt(raw, issue.path);
      problems.push(`${origin}: ${field || '(top level)'}: ${issue.message}, got ${describe(got)}`);
    }
  }
  for (const x of crossFieldProblems(raw)) {
    problems.push(`${origins.get(x.path) ?? fileLabel}: ${x.path}: ${x.message}, got ${describe(x.got)}`);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  const config = result.data!;
  config.dataDir = path.resolve(config.dataDir);
  return deepFreeze(config);
}
