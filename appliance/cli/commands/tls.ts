// `korobka tls`: the server certificate — the bank's own CA first (a request,
// then the signed certificate), or the appliance's name-constrained CA.
import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { CertificateRefused, installExternal, makeRequest } from '../../../provisioning/external-cert';
import { permittedBy } from '../../../provisioning/name-constraints';
import { ensureTls, localNames, tlsFiles } from '../../../provisioning/tls';
import { commonHelp, configFrom, parse, print, printErr, UsageError, type Command } from '../command';

const help = `Usage: korobka tls <status|csr|install|new-ca|delete-ca-key> [options]

  status                       who issued the server certificate, its names and
                               expiry, whether the appliance CA is constrained
                               and its key still on the box
  csr [--name N]... [--out F]  make a key (kept in tls/) and a certificate
                               request for this box's names plus N; prints it
                               or writes it to F, for your CA to sign
  install --cert F --ca C      install the certificate your CA signed (F: the
                               server's certificate first, then intermediates;
                               C: your CA's certificate, which phones and
                               browsers trust). Checked first; nothing changes
                               on a refusal. Restart Korobka to serve it.
  new-ca [--name N]... [--delete-ca-key]
                               make a new appliance CA (constrained to this
                               box's names and networks) and server certificate
  delete-ca-key                delete the appliance CA's private key

${commonHelp}`;

export const tlsCommand: Command = {
  name: 'tls',
  summary: "the server certificate: your CA's (csr, install) or the appliance's",
  help,
  async run(argv) {
    const { values, positionals } = parse(
      argv,
      { name: { type: 'string', multiple: true }, out: { type: 'string' }, cert: { type: 'string' }, ca: { type: 'string' }, 'delete-ca-key': { type: 'boolean' } },
      true,
    );
    const dir = configFrom(values).dataDir;
    const files = tlsFiles(dir);
    switch (positionals[0]) {
      case 'status': {
        if (!existsSync(files.cert)) {
          printErr('no server certificate: run `korobka init`');
          return 1;
        }
        const x = new X509Certificate(readFileSync(files.cert));
        const issuer = existsSync(files.issuer) ? readFileSync(files.issuer, 'utf8').trim() : 'appliance';
        print(`issued by:   ${issuer === 'external' ? 'your CA' : 'the appliance CA'} (${x.issuer.replace(/\n/g, ', ')})`);
        print(`valid until: ${new Date(x.validTo).toISOString().slice(0, 10)}`);
        print(`names:       ${x.subjectAltName ?? '-'}`);
        if (issuer !== 'external' && existsSync(files.caCert)) {
          const p = permittedBy(readFileSync(files.caCert, 'utf8'));
          print(`CA limited to: ${p ? [...p.dns, ...p.nets].join(', ') : 'nothing (an older, unconstrained CA: run `korobka tls new-ca`)'}`);
          print(`CA key:      ${existsSync(files.caKey) ? `on this box (${files.caKey})` : 'deleted'}`);
        }
        return 0;
      }
      case 'csr': {
        const r = makeRequest(dir, localNames(values.name));
        if (values.out) {
          writeFileSync(values.out, r.csr);
          print(`request written to ${values.out}; have your CA sign it, then: korobka tls install --cert SIGNED.crt --ca YOUR-CA.crt`);
        } else print(r.csr.trimEnd());
        return 0;
      }
      case 'install': {
        if (!values.cert || !values.ca) throw new UsageError('install needs --cert FILE and --ca FILE');
        try {
          const r = installExternal(dir, readFileSync(values.cert, 'utf8'), readFileSync(values.ca, 'utf8'));
          print(`installed ${r.subject.replace(/\n/g, ', ')}, valid until ${r.notAfter.slice(0, 10)}; restart Korobka to serve it`);
          return 0;
        } catch (e) {
          if (!(e instanceof CertificateRefused)) throw e;
          printErr(`korobka tls install: refused, nothing changed: ${e.message}`);
          return 1;
        }
      }
      case 'new-ca': {
        const r = ensureTls(dir, { names: values.name, deleteCaKey: values['delete-ca-key'], newCa: true });
        print(`new appliance CA ${files.caCert} and server certificate valid until ${r.notAfter.slice(0, 10)}; trust the new ca.crt, then restart Korobka`);
        return 0;
      }
      case 'delete-ca-key':
        rmSync(files.caKey, { force: true });
        print('the appliance CA key is deleted; the next renewal makes a new CA');
        return 0;
      default:
        throw new UsageError(positionals[0] ? `unknown action "${positionals[0]}"` : 'an action is needed');
    }
  },
};
