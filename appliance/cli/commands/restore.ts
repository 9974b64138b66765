// `korobka restore ARCHIVE`: verify, stop, restore beside the data, migrate,
// switch, run doctor, start again if it was running.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { restoreBackup } from '../../backup/restore-backup';
import { commonHelp, configFrom, parse, print, UsageError, type Command } from '../command';
import { isAlive, readPid } from '../runtime';
import { runChecks } from './doctor';
import { printBackupError, progressPrinter, readPassphrase } from './backup';

async function stopRunning(dataDir: string): Promise<{ stopped: boolean; wasRunning: boolean }> {
  const pid = readPid(dataDir);
  if (!pid || !isAlive(pid)) return { stopped: true, wasRunning: false };
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + 30_000;
  while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
  return { stopped: !isAlive(pid), wasRunning: true };
}

export const restoreCommand: Command = {
  name: 'restore',
  summary: 'restore a backup archive (verified first; what it replaces is kept)',
  help: `Usage: korobka restore ARCHIVE --passphrase-file FILE [--no-start]

Checks the whole archive first (every SHA-256, the passphrase, the version: a
backup made by a newer Korobka is refused), then stops the appliance, writes
the backup into <data-dir>/.restore, migrates its database to this version,
and only then switches it in. What it replaced is kept in
<data-dir>/backups/before-restore-<time>/. A restore interrupted before the
switch leaves the box as it was; one interrupted during it is completed by
the next \`korobka restore\` or \`korobka start\`. The host's own korobka.json
(ports, addresses) is kept; the backup's goes beside it as
korobka.json.from-backup. Ends with \`korobka doctor\`, and starts the
appliance again if it was running (\`korobka start --daemon\`; under systemd
stop the service first and start it after).

  --passphrase-file FILE  the backup passphrase (- reads standard input)
  --no-start              do not start the appliance afterwards

${commonHelp}`,
  async run(argv) {
    const { values, positionals } = parse(argv, { 'passphrase-file': { type: 'string' }, 'no-start': { type: 'boolean' } }, true);
    if (positionals.length !== 1) throw new UsageError('expected one ARCHIVE');
    const archive = path.resolve(positionals[0]!);
    const config = configFrom(values);
    let wasRunning = false;
    try {
      const passphrase = readPassphrase(values['passphrase-file'], true)!;
      const bar = progressPrinter('reading');
      const r = await restoreBackup({
        config,
        archive,
        passphrase,
        stop: async () => {
          const s = await stopRunning(config.dataDir);
          wasRunning = s.wasRunning;
          return s.stopped;
        },
        onPhase: (phase) => {
          bar.end();
          print(`[${phase}]`);
        },
        onProgress: (p) => bar.update(p.doneBytes, p.totalBytes),
      });
      const m = r.manifest;
      print(`restored ${path.basename(archive)} (Korobka ${m.appVersion}, made ${m.createdAt} on ${m.hostname}) into ${config.dataDir}`);
      if (r.migratedTo !== r.migratedFrom) print(`   database migrated from schema ${r.migratedFrom} to ${r.migratedTo}`);
      if (r.replacedKeptIn) print(`   what it replaced is kept in ${r.replacedKeptIn} (remove it once all is well)`);
      if (r.configKeptAside) print('   this host\'s korobka.json was kept; the backup\'s is beside it as korobka.json.from-backup');
      for (const n of r.notes) print(`   note: ${n}`);
    } catch (e) {
      return printBackupError('restore', e);
    }
    print('doctor:');
    const checks = await runChecks(config);
    for (const c of checks) print(`   ${c.verdict === 'ok' ? 'OK  ' : c.verdict === 'warn' ? 'WARN' : 'FAIL'} ${c.name.padEnd(16)} ${c.detail}`);
    if (wasRunning && !values['no-start']) {
      const args = [process.argv[1]!, 'start', '--daemon', '--data-dir', config.dataDir, ...(values.config ? ['--config', values.config] : [])];
      const s = spawnSync(process.execPath, args, { stdio: 'inherit', timeout: 90_000 });
      if (s.status !== 0) return 1;
    }
    return 0;
  },
};
