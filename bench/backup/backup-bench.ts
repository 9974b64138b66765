// What a backup costs a running box, measured in one run on the same
// appliance: `korobka backup` throughput (MB/s) alone and while calls are set
// up, and the call set-up rate (sipp through sip-core, call-control and
// rtpengine, answered and hung up at once, CDR written) with backups running
// back to back against the same load without. Target (issue 18): the set-up
// rate during a backup within 10 % of the rate without; no call failed.
// The backup runs as an admin's cron job would: `nice -n N korobka backup`
// (--nice 0 for none).
// Run: node bench/backup/run.mjs [--data-mb 500] [--rate 100] [--calls 1500] [--nice 10]
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, openSync, closeSync, writeSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, randomPortRange } from '../../test/helpers/ports';
import { tempDir } from '../../test/helpers/tmp';
import { uacScenario, uasScenario } from '../../test/integration/call-control/call-scenarios';
import { installTestLicence, registerPhone, startCallee, startCaller, startPbx, vendorKey, type Pbx } from '../../test/integration/call-control/pbx';
import { CLI } from '../../test/integration/appliance/appliance';
import { sippCounts } from '../../appliance/selftest/load-stats';

const args = new Map<string, string>();
process.argv.slice(2).forEach((a, i, all) => a.startsWith('--') && args.set(a.slice(2), all[i + 1] ?? ''));
const int = (name: string, dflt: number, min: number, max: number): number => {
  const v = Number(args.get(name) ?? dflt);
  if (!Number.isInteger(v) || v < min || v > max) throw new Error(`--${name} must be an integer in [${min}, ${max}]`);
  return v;
};
const DATA_MB = int('data-mb', 500, 1, 20_000);
const RATE = int('rate', 100, 1, 1000);
const CALLS = int('calls', 1500, 10, 50_000);
const NICE = int('nice', 10, 0, 19);
const MB = 1024 * 1024;
const PASS = 'bench backup passphrase';

interface BackupRun {
  mb: number;
  /** Wall time of the whole command: Node start, scrypt, the online copy, the archive. */
  seconds: number;
  mbPerSecond: number;
  /** The archive's own rate as `korobka backup` reports it (from its first byte to its rename). */
  archiveMbPerSecond: number;
}

/** One `korobka backup` of the appliance's data directory into `target`; the archive removed after. */
function backupOnce(pbx: Pbx, target: string, passFile: string): Promise<BackupRun> {
  const started = process.hrtime.bigint();
  const cmd = NICE > 0 ? 'nice' : process.execPath;
  const argv = [...(NICE > 0 ? ['-n', String(NICE), process.execPath] : []), CLI, 'backup', '--passphrase-file', passFile, '--target', target, '--data-dir', pbx.app.dataDir];
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (out += d.toString()));
    p.on('error', reject);
    // 'close', not 'exit': 'exit' may come before the last of stdout is read (it did under load, and the archive's name was missed).
    p.on('close', (code) => {
      if (code !== 0) return reject(new Error(`korobka backup exited ${code}: ${out.slice(-2000)}`));
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const file = /^backup written: (.*)$/m.exec(out)?.[1];
      if (!file) return reject(new Error(`no archive named in: ${out.slice(-500)}`));
      const mb = Number(/^ {3}([\d.]+) MB in/m.exec(out)?.[1] ?? 0);
      const archiveMbPerSecond = Number(/\(([\d.]+) MB\/s\)/.exec(out)?.[1] ?? 0);
      for (const n of readdirSync(target)) rmSync(path.join(target, n), { recursive: true, force: true });
      resolve({ mb, seconds: round(seconds), mbPerSecond: round(mb / seconds), archiveMbPerSecond });
    });
  });
}

const round = (n: number) => Math.round(n * 10) / 10;

/** CALLS calls at RATE/s, each answered and hung up at once; sipp's own counts. */
async function setupRate(pbx: Pbx, tag: string) {
  const uas = await startCallee(uasScenario('answer'), CALLS, ['-buff_size', '4194304']);
  await registerPhone(pbx, '202', uas.port);
  const t0 = process.hrtime.bigint();
  const uac = await startCaller(pbx, uacScenario(`bench-backup-${tag}`, { answer: true }), '201', '202', { calls: CALLS, rate: RATE, limit: Math.max(100, RATE * 2), holdMs: 0, extra: ['-buff_size', '4194304'] });
  await uac.exited;
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  await uas.stop('SIGTERM', 2000);
  const c = sippCounts(uac.output());
  return { offeredRate: RATE, calls: CALLS, ...c, seconds: round(seconds), callsPerSecond: round(c.successful / seconds) };
}

/** Fills recordings/ with DATA_MB of incompressible files, as encrypted recordings are. */
function seedRecordings(dataDir: string): void {
  const dir = path.join(dataDir, 'recordings', 'bench');
  mkdirSync(dir, { recursive: true });
  const chunk = randomBytes(MB);
  for (let f = 0; f * 4 < DATA_MB; f++) {
    const fd = openSync(path.join(dir, `rec-${f}.kvault`), 'w', 0o600);
    for (let i = 0; i < Math.min(4, DATA_MB - f * 4); i++) writeSync(fd, chunk);
    closeSync(fd);
  }
}

const machine = { cpus: os.cpus().length, model: os.cpus()[0]?.model ?? '', memGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, loadAverageAtStart: os.loadavg().map(round) };
const vendorTmp = tempDir('korobka-bench-vendor-');
const work = tempDir('korobka-backup-bench-');
const target = path.join(work.dir, 'backups');
mkdirSync(target);
const passFile = path.join(work.dir, 'pass');
writeFileSync(passFile, PASS + '\n', { mode: 0o600 });
const publicKey = await vendorKey(vendorTmp.dir);
const mediaPorts = randomPortRange(4000);
const rtpengine = { interface: '127.0.0.1', ngHost: '127.0.0.1', ngPort: await freePort(), portMin: mediaPorts.min, portMax: mediaPorts.max, dtmfLogPort: await freePort() };
const pbx = await startPbx('backup-bench', ['201', '202'], { logLevel: 'warn', rtpengine, license: { developmentKeyFiles: [publicKey] } }, async (app) => {
  await installTestLicence(app, vendorTmp.dir, 'L');
  seedRecordings(app.dataDir);
});
let exit = 0;
try {
  process.stderr.write(`[bench/backup] backup alone (${DATA_MB} MB of recordings) …\n`);
  const alone = await backupOnce(pbx, target, passFile);
  process.stderr.write(`[bench/backup] ${CALLS} calls at ${RATE}/s without a backup …\n`);
  const without = await setupRate(pbx, 'without');
  process.stderr.write('[bench/backup] the same calls with backups back to back …\n');
  const during: BackupRun[] = [];
  let calling = true;
  const loop = (async () => {
    while (calling) during.push(await backupOnce(pbx, target, passFile));
  })();
  const withBackup = await setupRate(pbx, 'during');
  calling = false;
  await loop;
  const ratio = withBackup.callsPerSecond / Math.max(without.callsPerSecond, 0.001);
  const verdict = {
    setupRateWithin10Percent: ratio >= 0.9,
    noCallFailed: without.failed === 0 && withBackup.failed === 0,
  };
  console.log(
    JSON.stringify({
      bench: 'backup',
      machine,
      nice: NICE,
      dataMb: DATA_MB,
      backupAlone: alone,
      backupsDuringCalls: { count: during.length, mbPerSecond: round(during.reduce((s, b) => s + b.mb, 0) / Math.max(during.reduce((s, b) => s + b.seconds, 0), 0.001)), runs: during },
      setupWithout: without,
      setupDuringBackup: withBackup,
      setupRateRatio: Math.round(ratio * 1000) / 1000,
      verdict,
    }),
  );
  if (!verdict.setupRateWithin10Percent || !verdict.noCallFailed) exit = 1;
} finally {
  await pbx.close();
  vendorTmp.cleanup();
  work.cleanup();
}
process.exit(exit);
