import { commonHelp, configFrom, parse, print, printErr, type Command } from '../command';
import { isAlive, readPid } from '../runtime';

export const stopCommand: Command = {
  name: 'stop',
  summary: 'stop the appliance and every process it started',
  help: `Usage: korobka stop [--timeout SECONDS]

Sends SIGTERM to the supervisor, which stops the api, call-control, sip-core
and rtpengine in that order, and waits for it to exit (default 30 s).

${commonHelp}`,
  async run(argv) {
    const { values } = parse(argv, { timeout: { type: 'string' } });
    const config = configFrom(values);
    const pid = readPid(config.dataDir);
    if (!pid || !isAlive(pid)) {
      print('Korobka is not running');
      return 0;
    }
    const timeout = Number(values.timeout ?? 30) * 1000;
    process.kill(pid, 'SIGTERM');
    const deadline = Date.now() + timeout;
    while (isAlive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    if (isAlive(pid)) {
      printErr(`supervisor (pid ${pid}) still running after ${timeout / 1000} s`);
      return 1;
    }
    print('Korobka stopped');
    return 0;
  },
};
