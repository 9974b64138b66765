// Which master key a backup's recordings need, by id only (never the key).
import { existsSync, readFileSync } from 'node:fs';
import type { Config } from '../config/schema';
import { defaultMasterKeyPath, masterKeyId } from '../../services/recordings';

export { defaultMasterKeyPath };

export function loadMasterKeyId(config: Readonly<Config>): string | null {
  const file = config.recordings.masterKeyPath ?? defaultMasterKeyPath(config.dataDir);
  return existsSync(file) ? masterKeyId(readFileSync(file)) : null;
}
