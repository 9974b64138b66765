// `korobka doctor`: every check at once, each with what to do about it.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync, statfsSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { layout } from '../../data-dir';
import { describePort, neededPorts, takenMessage, takenPorts } from '../../ports';
import { defaultCheckpointFile, openStore, readCheckpoints, storeOptionsFrom } from '../../../services/store';
import { permittedBy } from '../../../provisioning/name-constraints';
import { tlsFiles } from '../../../provisioning/tls';
import { readSupervisorStatus } from '../../supervisor/status-file';
import type { Config } from '../../config/schema';
import { commonHelp, configFrom, parse, print, type Command } from '../command';
import { isAlive, readPid } from '../runtime';
import { checkSizing, collectMachineSize } from '../../../licensing';
import { currentLicence } from '../../license/licence-service';
import { recordingsChecks } from '../../../services/recordings';

type Verdict = 'ok' | 'warn' | 'fail';
export interface Check {
  name: string;
  verdict: Verdict;
  detail: string;
  fix?: string;
}

// Decimal, as disks are sold and as licensing/ reports sizes.
const GB = 1e9;

async function licenceChecks(config: Readonly<Config>): Promise<Check[]> {
  const store = openStore(layout(config.dataDir).db, storeOptionsFrom(config));
  try {
    const e = await currentLicence({ config, store });
    const verdict: Verdict = e.alarm === 'critical' ? 'fail' : e.alarm === 'warning' ? 'warn' : 'ok';
    const fix = e.state === 'unlicensed' || e.state === 'invalid' || e.state === 'restored-grace' ? '`korobka license request`, send the file to your vendor, then `korobka license install FILE`' : e.state === 'expired-grace' || e.state === 'expiring-soon' ? 'ask your vendor for a renewal' : undefined;
    const out: Check[] = [{ name: 'licence', verdict, detail: e.message, ...(fix ? { fix } : {}) }];
    const size = await collectMachineSize(config.dataDir);
    for (const v of checkSizing(e.profile, size)) out.push({ name: `sizing ${v.item}`, verdict: v.level, detail: v.message });
    return out;
  } finally {
    store.close();
  }
}

export async function runChecks(config: Readonly<Config>): Promise<Check[]> {
  const checks: Check[] = [];
  const add = (c: Check) => checks.push(c);
  const dir = config.dataDir;

  const major = Number(process.versions.node.split('.')[0]);
  add(major >= 20 ? { name: 'node', verdict: 'ok', detail: `Node ${process.versions.node}` } : { name: 'node', verdict: 'fail', detail: `Node ${process.versions.node}`, fix: 'install Node 20 or newer' });

  if (!existsSync(dir)) {
    add({ name: 'data directory', verdict: 'fail', detail: `${dir} does not exist`, fix: 'run `korobka init`' });
    return checks;
  }
  try {
    accessSync(dir, constants.W_OK);
    add({ name: 'data directory', verdict: 'ok', detail: dir });
  } catch {
    add({ name: 'data directory', verdict: 'fail', detail: `${dir} is not writable`, fix: 'run as the korobka user or root' });
  }
  const fs = statfsSync(dir);
  const free = fs.bavail * fs.bsize;
  const freeGb = (free / GB).toFixed(1);
  if (free < GB) add({ name: 'disk', verdict: 'fail', detail: `${freeGb} GB free`, fix: 'free space: recordings and the database stop growing when the disk is full' });
  else if (free < 10 * GB) add({ name: 'disk', verdict: 'warn', detail: `${freeGb} GB free`, fix: 'plan more space for recordings' });
  else add({ name: 'disk', verdict: 'ok', detail: `${freeGb} GB free` });

  if (!existsSync(layout(dir).db)) {
    add({ name: 'database', verdict: 'fail', detail: 'korobka.db missing', fix: 'run `korobka init`' });
  } else {
    try {
      const store = openStore(layout(dir).db, { ...storeOptionsFrom(config), migrate: false, readonly: true });
      const chain = store.audit.report(readCheckpoints(config.audit.checkpointFile || defaultCheckpointFile(layout(dir).db)));
      const recordings = await recordingsChecks(config, store).finally(() => store.close());
      add({ name: 'database', verdict: 'ok', detail: 'opens' });
      checks.push(...recordings);
      checks.push(...(await licenceChecks(config)));
      const firstBad = chain.findings[0];
      add(
        chain.ok
          ? { name: 'audit log', verdict: 'ok', detail: `${chain.rows} rows, hash chain intact, signed up to row ${chain.checkpoints.lastCoveredRow}` }
          : { name: 'audit log', verdict: 'fail', detail: `hash chain broken at row ${chain.firstBadRow ?? '-'}: ${firstBad?.message ?? ''}`, fix: 'the audit log was edited outside Korobka; keep a copy of korobka.db for investigation; `korobka audit verify` lists every finding' },
      );
    } catch (e) {
      add({ name: 'database', verdict: 'fail', detail: (e as Error).message, fix: 'restore a backup or run `korobka init`' });
    }
  }

  const tls = tlsFiles(dir);
  if (!existsSync(tls.cert)) add({ name: 'tls', verdict: 'fail', detail: 'no server certificate', fix: 'run `korobka init`' });
  else {
    const x = new X509Certificate(readFileSync(tls.cert));
    const days = Math.floor((new Date(x.validTo).getTime() - Date.now()) / 86400_000);
    const external = existsSync(tls.issuer) && readFileSync(tls.issuer, 'utf8').trim() === 'external';
    const renew = external ? 'make a request with `korobka tls csr` and install what your CA signs with `korobka tls install`' : 'run `korobka init` to renew it';
    add(days > 30 ? { name: 'tls', verdict: 'ok', detail: `server certificate valid for ${days} more days` } : { name: 'tls', verdict: days > 0 ? 'warn' : 'fail', detail: `server certificate expires in ${days} days`, fix: renew });
    if (!external && existsSync(tls.caCert) && permittedBy(readFileSync(tls.caCert, 'utf8')) === null) {
      add({ name: 'tls ca', verdict: 'warn', detail: 'the appliance CA is not limited to this box (made before name constraints)', fix: 'run `korobka tls new-ca` and trust the new ca.crt, or install a certificate from your CA (`korobka tls --help`)' });
    }
  }

  if (config.rtpengine.enabled) {
    try {
      // rtpengine prints its version on stderr.
      const r = spawnSync(config.rtpengine.binary, ['--version'], { encoding: 'utf8', timeout: 5000 });
      if (r.error || r.status !== 0) throw r.error ?? new Error(r.stderr);
      const v = `${r.stdout}${r.stderr}`.trim();
      add({ name: 'rtpengine', verdict: 'ok', detail: v.split('\n')[0] ?? v });
    } catch {
      add({ name: 'rtpengine', verdict: 'fail', detail: `${config.rtpengine.binary} not found or not runnable`, fix: 'apt-get install rtpengine-daemon (install.sh does this)' });
    }
  }

  const pid = readPid(dir);
  const running = pid !== null && isAlive(pid);
  if (running) {
    const s = readSupervisorStatus(dir);
    const down = (s?.processes ?? []).filter((p) => p.state !== 'running' || p.health?.ok === false);
    add(down.length === 0 ? { name: 'processes', verdict: 'ok', detail: `supervisor pid ${pid}, all processes up` } : { name: 'processes', verdict: 'fail', detail: `down: ${down.map((p) => `${p.name} (${p.state})`).join(', ')}`, fix: 'see `korobka status` and the log' });
  } else {
    add({ name: 'processes', verdict: 'warn', detail: 'Korobka is not running', fix: 'start it: `korobka start --daemon` or `systemctl start korobka`' });
    const taken = await takenPorts(config);
    for (const p of neededPorts(config)) {
      const t = taken.find((x) => x.field === p.field);
      add(t ? { name: 'port', verdict: 'fail', detail: takenMessage(t), fix: 'stop that program (`ss -lntup` shows it) or change the port in korobka.json' } : { name: 'port', verdict: 'ok', detail: `${describePort(p)} free` });
    }
  }
  return checks;
}

export const doctorCommand: Command = {
  name: 'doctor',
  summary: 'check ports, disk, packages, rtpengine, database, certificates and say what to fix',
  help: `Usage: korobka doctor [--json]

Runs every check and prints one line each; exit code 1 when any check fails.

${commonHelp}`,
  async run(argv) {
    const { values } = parse(argv, { json: { type: 'boolean' } });
    const checks = await runChecks(configFrom(values));
    if (values.json) print(JSON.stringify(checks, null, 2));
    else {
      for (const c of checks) {
        const mark = c.verdict === 'ok' ? 'OK  ' : c.verdict === 'warn' ? 'WARN' : 'FAIL';
        print(`${mark} ${c.name.padEnd(16)} ${c.detail}${c.fix ? `\n     → ${c.fix}` : ''}`);
      }
    }
    return checks.some((c) => c.verdict === 'fail') ? 1 : 0;
  },
};
