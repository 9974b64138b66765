// What `korobka doctor` says about recordings: the master key file, the hash
// chain against every stored file, the disk and the spool. Read-only: opens
// nothing for writing and creates no key.
import { createReadStream, existsSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../../appliance/config/schema';
import type { Store } from '../store';
import { verifyChain } from './hash-chain';
import { defaultMasterKeyPath } from './keys';
import { diskUsage } from './recording-gate';
import { findCaptures, spoolDirOf } from './spool';

export interface RecordingsCheck {
  name: string;
  verdict: 'ok' | 'warn' | 'fail';
  detail: string;
  fix?: string;
}

function masterKeyCheck(config: Readonly<Config>, recordings: number): RecordingsCheck {
  const file = config.recordings.masterKeyPath ?? defaultMasterKeyPath(config.dataDir);
  if (!existsSync(file)) {
    return recordings > 0
      ? { name: 'recordings key', verdict: 'fail', detail: `${file} is missing: ${recordings} recording(s) cannot be decrypted`, fix: 'put the master key back (from its backup or separate media)' }
      : { name: 'recordings key', verdict: 'warn', detail: `${file} does not exist yet`, fix: 'it is created when the recordings process first starts' };
  }
  const st = statSync(file);
  if ((st.mode & 0o077) !== 0) {
    return { name: 'recordings key', verdict: 'fail', detail: `${file}: mode ${(st.mode & 0o777).toString(8)} lets others read the master key`, fix: `chmod 600 ${file}` };
  }
  return { name: 'recordings key', verdict: 'ok', detail: `${file}, mode 600` };
}

async function chainCheck(config: Readonly<Config>, store: Pick<Store, 'recordings'>): Promise<RecordingsCheck> {
  const dir = path.join(config.dataDir, 'recordings');
  const entries = [...store.recordings.chainEntries()];
  const findings = await verifyChain(entries, async (e) => {
    const rec = store.recordings.findRecording(e.recordingId);
    const file = rec ? path.join(dir, rec.path) : undefined;
    return file && existsSync(file) ? createReadStream(file, { highWaterMark: 1 << 20 }) : null;
  });
  if (findings.length === 0) return { name: 'recordings chain', verdict: 'ok', detail: `${entries.length} entries, hash chain and every file intact` };
  const shown = findings.slice(0, 5).map((f) => f.message).join('; ');
  return {
    name: 'recordings chain',
    verdict: 'fail',
    detail: `${findings.length} finding(s): ${shown}${findings.length > 5 ? '; …' : ''}`,
    fix: 'a recording was removed or changed outside Korobka; keep the data directory as it is for investigation and restore the file from a backup',
  };
}

async function diskCheck(config: Readonly<Config>): Promise<RecordingsCheck> {
  const dir = path.join(config.dataDir, 'recordings');
  const d = diskUsage(existsSync(dir) ? dir : config.dataDir);
  const spool = spoolDirOf(config.dataDir);
  const queue = existsSync(spool) ? (await findCaptures(spool, { orphanIdleMs: config.recordings.orphanIdleMs })).length : 0;
  const detail = `${d.usedPercent}% used, ${queue} capture(s) waiting`;
  const { diskAlarmPercent, diskStopPercent } = config.recordings;
  if (d.usedPercent >= diskStopPercent) return { name: 'recordings disk', verdict: 'fail', detail: `${detail}; new recordings are refused`, fix: 'free space or shorten retention' };
  if (d.usedPercent >= diskAlarmPercent) return { name: 'recordings disk', verdict: 'warn', detail, fix: 'plan more space or a shorter retention' };
  return { name: 'recordings disk', verdict: 'ok', detail };
}

export async function recordingsChecks(config: Readonly<Config>, store: Pick<Store, 'recordings' | 'db'>): Promise<RecordingsCheck[]> {
  const hasTables = store.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'recording_chain'").get() !== undefined;
  const count = hasTables ? store.recordings.list({ limit: 1 }).total : 0;
  const out = [masterKeyCheck(config, count), await diskCheck(config)];
  if (hasTables) out.push(await chainCheck(config, store));
  return out;
}
