// `korobka start`: the supervisor in the foreground (systemd runs it so),
// or detached with --daemon where there is no systemd.
import { spawn } from 'node:child_process';
import { existsSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createLogger } from '../../../services/common/logger';
import { layout, withRuntimeSecrets } from '../../data-dir';
import { finishInterruptedRestore } from '../../backup/restore-backup';
import { takenMessage, takenPorts } from '../../ports';
import { processSpecs } from '../../supervisor/specs';
import { pidFile, readSupervisorStatus, writeSupervisorStatus } from '../../supervisor/status-file';
import { Supervisor } from '../../supervisor/supervisor';
import { BackupScheduler } from '../../backup/scheduler';
import { openStore } from '../../../services/store';
import { tlsFiles } from '../../../provisioning/tls';
import { commonHelp, configFrom, parse, print, printErr, type Command } from '../command';
import { distDir, isAlive, readPid } from '../runtime';

async function waitUntilUp(dataDir: string, pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return false;
    const s = readSupervisorStatus(dataDir);
    if (s && s.pid === pid && s.processes.length > 0 && s.processes.every((p) => p.state === 'running')) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

export const startCommand: Command = {
  name: 'start',
  summary: 'start the appliance (foreground; --daemon to detach)',
  help: `Usage: korobka start [--daemon]

Starts the supervisor, which starts rtpengine, sip-core, call-control and the
api, restarts any that dies, and stops them all on SIGTERM.

  --daemon   detach, log to <data-dir>/logs/korobka.log, and return once every
             process is up (for machines without systemd)

${commonHelp}`,
  async run(argv) {
    const { values } = parse(argv, { daemon: { type: 'boolean' } });
    const fileConfig = configFrom(values);
    const dir = fileConfig.dataDir;
    const running = readPid(dir);
    if (running && isAlive(running)) {
      printErr(`Korobka is already running (pid ${running}); see \`korobka status\``);
      return 1;
    }
    // A restore killed while switching the data in is completed before anything reads the data.
    if (existsSync(dir) && finishInterruptedRestore(dir) === 'finished') print('an interrupted `korobka restore` was completed');
    if (!existsSync(layout(dir).db) || !existsSync(tlsFiles(dir).cert)) {
      printErr(`${dir} is not initialised: run \`korobka init\` first`);
      return 1;
    }
    // Before anything starts: a port another program holds would leave half an appliance running.
    const taken = await takenPorts(fileConfig);
    if (taken.length > 0) {
      printErr(`Korobka not started: ${taken.length === 1 ? 'a port it needs is' : 'ports it needs are'} not free`);
      for (const t of taken) printErr(`  ${takenMessage(t)}`);
      printErr('Stop the program that holds it (`ss -lntup` shows it) or set another port in korobka.json (or --set FIELD=PORT).');
      return 1;
    }
    const config = withRuntimeSecrets(fileConfig);
    if (values.daemon) {
      const logFile = path.join(layout(dir).logs, 'korobka.log');
      const fd = openSync(logFile, 'a', 0o640);
      const args = [process.argv[1]!, 'start', ...argv.filter((a) => a !== '--daemon')];
      const child = spawn(process.execPath, args, { detached: true, stdio: ['ignore', fd, fd] });
      child.unref();
      const up = await waitUntilUp(dir, child.pid!, 60_000);
      if (!up) {
        printErr(
          isAlive(child.pid!)
            ? `Korobka did not come up within 60 s; last lines of ${logFile}:`
            : `Korobka exited at start; last lines of ${logFile}:`,
        );
        printErr(readFileSync(logFile, 'utf8').split('\n').slice(-20).join('\n'));
        return 1;
      }
      print(`Korobka is running (pid ${child.pid}); log: ${logFile}`);
      return 0;
    }

    const log = createLogger({ level: config.logLevel, maskPersonalData: config.logMaskPersonalData, base: { service: 'supervisor' } });
    const specs = processSpecs(config, distDir());
    writeFileSync(pidFile(dir), `${process.pid}\n`);
    const supervisor = new Supervisor(specs, {
      log,
      restartMinMs: config.supervisor.restartMinMs,
      restartMaxMs: config.supervisor.restartMaxMs,
      stopTimeoutMs: config.supervisor.stopTimeoutMs,
      maskPersonalData: config.logMaskPersonalData,
      onStatus: (s) => writeSupervisorStatus(dir, s),
    });
    // Scheduled backups, «run now» and verification from the admin page (appliance/backup/scheduler.ts).
    const store = openStore(layout(dir).db);
    const backups = new BackupScheduler({ config, store, log: log.child({ component: 'backup' }), distDir: distDir() });
    const done = new Promise<number>((resolve) => {
      const stop = (signal: string) => {
        log.info('stopping', { signal });
        void backups
          .stop()
          .then(() => supervisor.stop())
          .then(() => {
            store.close();
            if (readPid(dir) === process.pid) rmSync(pidFile(dir), { force: true });
            resolve(0);
          });
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    });
    supervisor.start();
    backups.start();
    log.info('supervisor started', { processes: specs.map((s) => s.name), dataDir: dir });
    return done;
  },
};
