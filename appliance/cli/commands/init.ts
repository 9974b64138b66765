// `korobka init`: data directory, secrets, database, default tenant, first
// superadmin, TLS certificate. Safe to run again: what exists is kept.
import os from 'node:os';
import { ensureDrachtioSecret, ensureLayout, layout } from '../../data-dir';
import { openStore, storeOptionsFrom } from '../../../services/store';
import { generatePassword, hashPassword } from '../../../services/api/password';
import { ensureTls } from '../../../provisioning/tls';
import { username } from '../../../services/api/routes/tenants/schema';
import { commonHelp, configFrom, parse, print, printErr, type Command } from '../command';

export const initCommand: Command = {
  name: 'init',
  summary: 'prepare the data directory, database, first admin and TLS certificate',
  help: `Usage: korobka init [--admin-name NAME] [--sip-domain DOMAIN] [--password-file FILE]

Creates what the appliance needs in its data directory and keeps what is there:
keys/ and the drachtio secret, korobka.db (migrated), the default tenant,
the first superadmin with a one-time password (printed once), and the
appliance CA with a server certificate in tls/.

  --admin-name NAME     user name of the first superadmin (default: admin; a name
                        of your own is one more thing an attacker must guess)
  --admin NAME          the same (older spelling)
  --sip-domain DOMAIN   SIP domain of the default tenant (default: the host name)
  --password-file FILE  also write the one-time password to FILE (mode 0600)
  --tls-name NAME       one more DNS name or address for the server certificate
                        (the box's FQDN, a NAT address; repeatable, remembered)
  --delete-ca-key       delete the appliance CA's private key once the server
                        certificate is issued (renewal then makes a new CA that
                        browsers must trust again). Better still: your own CA,
                        see \`korobka tls --help\`.

${commonHelp}`,
  async run(argv) {
    const { values } = parse(argv, { admin: { type: 'string' }, 'admin-name': { type: 'string' }, 'sip-domain': { type: 'string' }, 'password-file': { type: 'string' }, 'tls-name': { type: 'string', multiple: true }, 'delete-ca-key': { type: 'boolean' } });
    const config = configFrom(values);
    // Checked before anything is made: a bad name changes nothing.
    const name = values['admin-name'] ?? values.admin ?? 'admin';
    const checked = username.safeParse(name);
    if (!checked.success) {
      printErr(`korobka init: --admin-name: ${checked.error.issues[0]?.message ?? 'not a user name'}`);
      return 2;
    }
    const dir = config.dataDir;
    print(`[1/5] data directory ${dir}`);
    ensureLayout(dir);
    print('[2/5] secrets');
    ensureDrachtioSecret(dir);
    print('[3/5] database');
    const store = openStore(layout(dir).db, storeOptionsFrom(config));
    try {
      let tenant = store.tenants.defaultTenant();
      if (!tenant) {
        const host = os.hostname().toLowerCase();
        const domain = values['sip-domain'] ?? (host.includes('.') ? host : `${host}.korobka.local`);
        tenant = store.tenants.create({ name: 'Default', sipDomain: domain, isDefault: true });
        store.audit.append({ actorId: null, actor: 'korobka init', tenantId: tenant.id, action: 'tenant.create', target: `tenant:${tenant.id}`, details: { sipDomain: domain } });
        print(`      default tenant created, SIP domain ${domain}`);
      } else {
        print(`      default tenant exists (SIP domain ${tenant.sipDomain})`);
      }
      print('[4/5] first administrator');
      if (store.users.countByRole('superadmin') === 0) {
        const password = generatePassword();
        const user = store.users.create({ tenantId: null, username: name, role: 'superadmin', passwordHash: await hashPassword(password, config.api.scryptLogN), mustChangePassword: true });
        store.audit.append({ actorId: null, actor: 'korobka init', tenantId: null, action: 'user.create', target: `user:${user.id}`, details: { username: name, role: 'superadmin' } });
        if (values['password-file']) {
          const { writeFileSync } = await import('node:fs');
          writeFileSync(values['password-file'], password + '\n', { mode: 0o600 });
        }
        print(`      superadmin "${name}" created; one-time password (shown once, change it at first sign-in):`);
        print(`      ${password}`);
      } else {
        print('      a superadmin exists; use `korobka admin reset-password NAME` if the password is lost');
      }
    } finally {
      store.close();
    }
    print('[5/5] TLS certificate');
    const tls = ensureTls(dir, { names: values['tls-name'], deleteCaKey: values['delete-ca-key'] });
    print(`      ${tls.created ? 'created' : 'kept'} ${tls.files.cert} (valid until ${tls.notAfter.slice(0, 10)}); CA: ${tls.files.caCert}`);
    if (tls.newCa) print('      a new appliance CA was made: browsers and phones must trust this ca.crt (an older one no longer applies)');
    if (tls.warning) printErr(`      ${tls.warning}`);
    return 0;
  },
};
