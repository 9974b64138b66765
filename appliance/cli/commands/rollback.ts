// `korobka rollback`: back to the release before the last upgrade, with its
// database (issue 18). The work is done by appliance/system/upgrade.sh, the
// same code install.sh's upgrade rolls back with on a failure.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { commonHelp, configFrom, parse, type Command } from '../command';
import { distDir } from '../runtime';

export const rollbackCommand: Command = {
  name: 'rollback',
  summary: 'go back to the release before the last upgrade, and its database',
  help: `Usage: korobka rollback [--systemd] [--no-start] [--user NAME]

Stops the appliance, switches <prefix>/current back to the release that ran
before the last upgrade, puts back the database copied just before that
upgrade (the current one is kept in <data-dir>/backups/rolled-back-<time>/;
what was written since the upgrade is not in the old database), and starts the
previous release. Only for an installation made by install.sh
(<prefix>/releases/…, <prefix>/current); as root it runs the commands as the
service user. /usr/local/bin/korobka passes --systemd where systemd runs the
appliance.

  --systemd    stop and start through systemctl (korobka.service)
  --no-start   switch back only
  --user NAME  (as root) run korobka as NAME

${commonHelp}`,
  async run(argv) {
    const { values } = parse(argv, { systemd: { type: 'boolean' }, 'no-start': { type: 'boolean' }, user: { type: 'string' } });
    const config = configFrom(values);
    // dist/ is <prefix>/releases/<release>/dist when installed.
    const release = path.dirname(distDir());
    const prefix = path.resolve(release, '..', '..');
    const script = path.join(release, 'appliance', 'system', 'upgrade.sh');
    if (path.basename(path.dirname(release)) !== 'releases' || !existsSync(path.join(prefix, 'current')) || !existsSync(script))
      throw new Error(`not an installed release (${release}): rollback works on an installation made by install.sh, <prefix>/releases/<release> with <prefix>/current`);
    const args = [script, 'rollback', '--prefix', prefix, '--data-dir', config.dataDir, '--node', process.execPath];
    if (values.systemd) args.push('--systemd');
    if (values['no-start']) args.push('--no-start');
    if (values.user) args.push('--user', values.user);
    const r = spawnSync('bash', args, { stdio: 'inherit' });
    return r.status ?? 1;
  },
};
