// A service process gets its configuration from the supervisor, already
// layered and validated, as JSON in one environment variable.
import { configSchema, type Config } from './schema';

export const CHILD_CONFIG_ENV = 'KOROBKA_CHILD_CONFIG';

export function childConfigEnv(config: Readonly<Config>): Record<string, string> {
  return { [CHILD_CONFIG_ENV]: JSON.stringify(config) };
}

export function readChildConfig(): Readonly<Config> {
  const raw = process.env[CHILD_CONFIG_ENV];
  if (!raw) throw new Error(`${CHILD_CONFIG_ENV} is not set: service processes are started by the supervisor`);
  return Object.freeze(configSchema.parse(JSON.parse(raw)));
}
