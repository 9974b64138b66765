// `korobka admin reset-password NAME`: for the admin locked out of the UI.
import { layout } from '../../data-dir';
import { openStore, storeOptionsFrom } from '../../../services/store';
import { generatePassword, hashPassword } from '../../../services/api/password';
import { commonHelp, configFrom, parse, print, printErr, UsageError, type Command } from '../command';

export const adminCommand: Command = {
  name: 'admin',
  summary: 'administrator accounts: reset-password NAME',
  help: `Usage: korobka admin reset-password NAME

Gives the user NAME a new one-time password (printed once), unlocks the
account and ends its sessions. Written to the audit log.

${commonHelp}`,
  async run(argv) {
    const { values, positionals } = parse(argv, {}, true);
    const [verb, name] = positionals;
    if (verb !== 'reset-password' || !name || positionals.length !== 2) throw new UsageError('expected: korobka admin reset-password NAME');
    const config = configFrom(values);
    const store = openStore(layout(config.dataDir).db, storeOptionsFrom(config));
    try {
      const user = store.users.byUsername(name);
      if (!user) {
        printErr(`no user named "${name}"`);
        return 1;
      }
      const password = generatePassword();
      store.users.setPassword(user.id, await hashPassword(password, config.api.scryptLogN), true);
      store.sessions.deleteForUser(user.id);
      if (user.disabled) store.users.update(user.id, { disabled: false });
      store.audit.append({ actorId: null, actor: 'korobka admin', tenantId: user.tenantId, action: 'user.reset-password', target: `user:${user.id}` });
      print(`new one-time password for "${name}" (change it at first sign-in):`);
      print(password);
      return 0;
    } finally {
      store.close();
    }
  },
};
