// The shape of a CLI verb, and the options every verb shares.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ConfigError, loadConfig } from '../config/load';
import type { Config } from '../config/schema';

export interface Command {
  name: string;
  summary: string;
  /** Full help text shown by `korobka <verb> --help`. */
  help: string;
  run(argv: string[]): Promise<number>;
}

export class UsageError extends Error {}

export const commonOptions = {
  'data-dir': { type: 'string' },
  config: { type: 'string' },
  set: { type: 'string', multiple: true },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

export const commonHelp = `Common options:
  --data-dir DIR     data directory (default ./var in a checkout, /var/lib/korobka when installed)
  --config FILE      config file (default <data-dir>/korobka.json)
  --set KEY=VALUE    override one config field, e.g. --set api.port=9443 (repeatable)
  -h, --help         this help`;

export function parse<O extends ParseArgsConfig['options']>(argv: string[], options: O, allowPositionals = false) {
  try {
    return parseArgs({ args: argv, options: { ...commonOptions, ...options }, allowPositionals, strict: true });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

export function configFrom(values: { 'data-dir'?: string; config?: string; set?: string[] }): Readonly<Config> {
  const flags: Record<string, string> = {};
  if (values['data-dir']) flags.dataDir = values['data-dir'];
  for (const kv of values.set ?? []) {
    const i = kv.indexOf('=');
    if (i <= 0) throw new UsageError(`--set expects KEY=VALUE, got "${kv}"`);
    flags[kv.slice(0, i)] = kv.slice(i + 1);
  }
  return loadConfig({ configFile: values.config, flags });
}

export { ConfigError };

export const print = (s = '') => process.stdout.write(s + '\n');
export const printErr = (s: string) => process.stderr.write(s + '\n');
