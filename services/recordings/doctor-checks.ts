// What `korobka doctor` says about recordings: the master key file, the hash
// chain against every stored file, the disk and the spool. Read-only: opens
// nothing for writing and creates no key.
import { createReadStream, existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../common/config';
import type { Store } from '../store';
import { chainKeyFrom, verifyChain } from './hash-chain';
import { defaultMasterKeyPath } from '../common/keys';
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

/** Bytes `korobka doctor` hashes (newest recordings first) before it checks only presence and size: ~5 s here. */
export const DOCTOR_HASH_BUDGET_BYTES = 2e9;

async function chainCheck(config: Readonly<Config>, store: Pick<Store, 'recordings'>, hashBudget: number): Promise<RecordingsCheck> {
  const dir = path.join(config.dataDir, 'recordings');
  const entries = [...store.recordings.chainEntries()];
  let budget = hashBudget;
  let hashed = 0;
  let files = 0;
  const sizeFindings: string[] = [];
  // Which recordings fit the hash budget, newest first (the chain is in sequence order).
  const newestFirst = new Set<string>();
  for (let i = entries.length - 1; i >= 0; i--) {
    const e = entries[i]!;
    const rec = store.recordings.findRecording(e.recordingId);
    if (!rec || newestFirst.has(e.recordingId)) continue;
    if (budget >= rec.sizeBytes) {
      budget -= rec.sizeBytes;
      newestFirst.add(e.recordingId);
    }
  }
  const keyFile = config.recordings.masterKeyPath ?? defaultMasterKeyPath(config.dataDir);
  // Read even when its mode is wrong (the key check names that): the chain is still worth checking.
  // Without it (the key check fails for that) keyed entries are checked for order and links only.
  let key: Buffer | undefined;
  try {
    const raw = existsSync(keyFile) ? readFileSync(keyFile) : undefined;
    key = raw?.length === 32 ? chainKeyFrom(raw) : undefined;
  } catch {
    key = undefined; // unreadable: keyed entries then show as unverifiable
  }
  const findings = await verifyChain(entries, async (e) => {
    const rec = store.recordings.findRecording(e.recordingId);
    const file = rec ? path.join(dir, rec.path) : undefined;
    if (!rec || !file || !existsSync(file)) return null;
    files++;
    if (newestFirst.has(e.recordingId)) {
      hashed++;
      return createReadStream(file, { highWaterMark: 1 << 20 });
    }
    const size = statSync(file).size;
    if (size !== rec.sizeBytes) sizeFindings.push(`recording ${rec.recordingId}: ${size} bytes, index says ${rec.sizeBytes}`);
    return 'unhashed';
  }, key ?? 'links-only');
  const messages = [...findings.map((f) => f.message), ...sizeFindings];
  const scope = hashed === files ? 'every file hashed' : `${hashed} of ${files} files hashed (newest first), the rest checked for presence and size`;
  if (messages.length === 0) return { name: 'recordings chain', verdict: 'ok', detail: `${entries.length} entries, hash chain intact, ${scope}` };
  const shown = messages.slice(0, 5).join('; ');
  return {
    name: 'recordings chain',
    verdict: 'fail',
    detail: `${messages.length} finding(s): ${shown}${messages.length > 5 ? '; …' : ''}`,
    fix: 'a recording was removed or changed outside Korobka; keep the data directory as it is for investigation and restore the file from a backup',
  };
}

function alarmsCheck(store: Pick<Store, 'alarms'>): RecordingsCheck {
  const active = store.alarms.list({ active: true }).rows.filter((a) => a.source === 'recordings');
  if (active.length === 0) return { name: 'recordings alarms', verdict: 'ok', detail: 'none active' };
  const critical = active.some((a) => a.severity === 'critical');
  return {
    name: 'recordings alarms',
    verdict: critical ? 'fail' : 'warn',
    detail: active.map((a) => `${a.code}${a.tenantId !== null ? ` (tenant ${a.tenantId})` : ''}: ${a.message}`).join('; '),
    fix: 'see the alarm: free disk space, raise the tenant quota, or fix the captures kept in the spool',
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

export async function recordingsChecks(
  config: Readonly<Config>,
  store: Pick<Store, 'recordings' | 'alarms'>,
  opts: { hashBudgetBytes?: number } = {},
): Promise<RecordingsCheck[]> {
  const hasTables = store.recordings.hasIndex();
  const count = hasTables ? store.recordings.list({ limit: 1 }).total : 0;
  const out = [masterKeyCheck(config, count), await diskCheck(config)];
  if (hasTables) out.push(await chainCheck(config, store, opts.hashBudgetBytes ?? DOCTOR_HASH_BUDGET_BYTES), alarmsCheck(store));
  return out;
}
