// `korobka admin reset-password NAME`: for the admin locked out of the UI.
// `korobka admin grant-listen NAME --days N --reason TEXT`: a listen grant
// given at once by whoever is root on the box — the owner's first step on a
// fresh box, where no second superadmin exists to approve one (issue 16
// item 9). Root on the appliance can read the keys anyway; the grant makes
// that access visible in the audit log and bounded in time.
import { layout } from '../../data-dir';
import { openStore, storeOptionsFrom } from '../../../services/store';
import { generatePassword, hashPassword } from '../../../services/api/password';
import { commonHelp, configFrom, parse, print, printErr, UsageError, type Command } from '../command';

export const adminCommand: Command = {
  name: 'admin',
  summary: 'administrator accounts: reset-password NAME, grant-listen NAME',
  help: `Usage: korobka admin reset-password NAME
       korobka admin grant-listen NAME --days N --reason TEXT

reset-password: gives the user NAME a new one-time password (printed once),
unlocks the account and ends its sessions; any listen grant of NAME ends.
grant-listen: lets NAME hear recorded calls for N days (1–365) at once,
without the second approver the admin UI asks for: meant for the owner of a
fresh box. Both are written to the audit log.

${commonHelp}`,
  async run(argv) {
    const { values, positionals } = parse(argv, { days: { type: 'string' }, reason: { type: 'string' } }, true);
    const [verb, name] = positionals;
    if ((verb !== 'reset-password' && verb !== 'grant-listen') || !name || positionals.length !== 2)
      throw new UsageError('expected: korobka admin reset-password NAME | grant-listen NAME --days N --reason TEXT');
    const days = Number(values.days ?? '');
    const reason = (values.reason ?? '').trim();
    if (verb === 'grant-listen' && !(Number.isInteger(days) && days >= 1 && days <= 365)) throw new UsageError('--days: a whole number of days, 1–365');
    if (verb === 'grant-listen' && reason.length < 3) throw new UsageError('--reason: why NAME needs to hear calls (at least 3 characters)');
    const config = configFrom(values);
    const store = openStore(layout(config.dataDir).db, storeOptionsFrom(config));
    try {
      const user = store.users.byUsername(name);
      if (!user) {
        printErr(`no user named "${name}"`);
        return 1;
      }
      if (verb === 'grant-listen') {
        if (user.role === 'employee' || user.role === 'dpo') {
          printErr(`"${name}" is a ${user.role}: they hear only their own calls, without a grant`);
          return 1;
        }
        store.recordings.grantListenDirectly(user.id, 'korobka admin (root)', days, reason);
        const g = store.recordings.listenGrant(user.id);
        store.audit.append({
          actorId: null,
          actor: 'korobka admin',
          tenantId: user.tenantId,
          action: 'recordings.listen-granted',
          target: `user:${user.id}`,
          details: { days, reason, expiresAt: g?.expiresAt ?? null, by: 'root on the box' },
        });
        print(`"${name}" may hear recorded calls until ${g?.expiresAt ?? '?'}`);
        return 0;
      }
      const password = generatePassword();
      store.users.setPassword(user.id, await hashPassword(password, config.api.scryptLogN), true);
      store.sessions.deleteForUser(user.id);
      if (store.recordings.revokeListenGrant(user.id))
        store.audit.append({ actorId: null, actor: 'korobka admin', tenantId: user.tenantId, action: 'recordings.listen-revoked', target: `user:${user.id}`, details: { why: 'password-reset' } });
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
