import { readSupervisorStatus } from '../../supervisor/status-file';
import { commonHelp, configFrom, parse, print, type Command } from '../command';
import { isAlive, readPid } from '../runtime';

const STALE_MS = 10_000;

export const statusCommand: Command = {
  name: 'status',
  summary: 'show every process (state, pid, restarts, health), registered phones and calls in progress',
  help: `Usage: korobka status [--json]

Exit code 0 when every process runs, 1 when something is down or
restarting, 3 when the appliance is not running.

${commonHelp}`,
  async run(argv) {
    const { values } = parse(argv, { json: { type: 'boolean' } });
    const config = configFrom(values);
    const pid = readPid(config.dataDir);
    const status = readSupervisorStatus(config.dataDir);
    const up = pid !== null && isAlive(pid) && status?.pid === pid;
    const fresh = status ? Date.now() - new Date(status.updatedAt).getTime() < STALE_MS : false;
    const allRunning = up && fresh && status!.processes.every((p) => p.state === 'running' && p.health?.ok !== false);
    if (values.json) {
      print(JSON.stringify({ running: up, fresh, ok: allRunning, ...(status ?? {}) }, null, 2));
    } else if (!up) {
      print('Korobka is not running');
    } else {
      print(`Korobka supervisor pid ${pid}${fresh ? '' : ' (status is stale: supervisor hung?)'}`);
      print('PROCESS        STATE      PID      RESTARTS  SINCE                     HEALTH');
      for (const p of status!.processes) {
        const health = p.health === null ? '-' : p.health.ok === false ? 'FAILING' : 'ok';
        print(
          `${p.name.padEnd(14)} ${p.state.padEnd(10)} ${String(p.pid ?? '-').padEnd(8)} ${String(p.restarts).padEnd(9)} ${p.since.padEnd(25)} ${health}`,
        );
      }
      // What an admin checks first when a phone "does not work": is it registered, are calls up (call-control's own health report).
      const cc = status!.processes.find((p) => p.name === 'call-control')?.health as Record<string, unknown> | null | undefined;
      if (cc && typeof cc.registrations === 'number' && typeof cc.activeCalls === 'number') {
        print(`Registered phones: ${cc.registrations}   Calls in progress: ${cc.activeCalls}`);
      }
    }
    if (!up) return 3;
    return allRunning ? 0 : 1;
  },
};
