// `korobka license request | install FILE | show`: offline activation.
import { readFileSync, writeFileSync } from 'node:fs';
import { describeEvaluation } from '../../../licensing';
import { isAppError } from '../../../services/common/errors';
import { openStore, storeOptionsFrom } from '../../../services/store';
import { layout } from '../../data-dir';
import { activationRequest, currentLicence, installLicence, licenceSummary } from '../../license/licence-service';
import { commonHelp, configFrom, parse, print, printErr, UsageError, type Command } from '../command';

export const licenseCommand: Command = {
  name: 'license',
  summary: 'offline activation: request, install FILE, show',
  help: `Usage: korobka license request [--out FILE]
       korobka license install FILE
       korobka license show [--json]

  request   writes the activation request (hashed hardware fingerprint and
            installation id) to FILE or standard output; send it to the vendor
  install   verifies FILE (signature, this machine, dates, product) and
            installs it; an invalid licence is refused and changes nothing
  show      the licence state, limits and what to do about it

${commonHelp}`,
  async run(argv) {
    const { values, positionals } = parse(argv, { out: { type: 'string' }, json: { type: 'boolean' } }, true);
    const [verb, file] = positionals;
    const config = configFrom(values);
    if (verb === 'request' && positionals.length === 1) {
      // The last self-test goes with it, for the vendor's sizing.
      const store = openStore(layout(config.dataDir).db, storeOptionsFrom(config));
      let selftest;
      try {
        selftest = store.selftests.latest();
      } finally {
        store.close();
      }
      const text = await activationRequest(config, undefined, undefined, selftest);
      if (values.out) {
        writeFileSync(values.out, text);
        print(`activation request written to ${values.out}; send it to your Korobka vendor`);
      } else print(text);
      return 0;
    }
    if ((verb === 'install' && positionals.length === 2 && file) || (verb === 'show' && positionals.length === 1)) {
      const store = openStore(layout(config.dataDir).db, storeOptionsFrom(config));
      try {
        if (verb === 'install') {
          let text: string;
          try {
            text = readFileSync(file!, 'utf8');
          } catch (e) {
            printErr(`cannot read ${file}: ${(e as Error).message}`);
            return 1;
          }
          try {
            const r = await installLicence({ config, store }, text);
            store.audit.append({ actorId: null, actor: 'korobka license', tenantId: null, action: 'license.install', details: { licenceId: r.licence?.licenceId, profile: r.profile.name, state: r.state } });
            print(`licence installed\n${describeEvaluation(r)}`);
            print('restart Korobka (or wait for call-control to reload it) for new limits to apply');
            return 0;
          } catch (e) {
            if (!isAppError(e)) throw e;
            store.audit.append({ actorId: null, actor: 'korobka license', tenantId: null, action: 'license.install', outcome: 'failed', details: { reason: (e.details as { reason?: string })?.reason } });
            printErr(`licence refused (${(e.details as { reason?: string })?.reason ?? e.code}): ${e.message}`);
            return 1;
          }
        }
        const r = await currentLicence({ config, store });
        print(values.json ? JSON.stringify(licenceSummary(r), null, 2) : describeEvaluation(r));
        return r.state === 'invalid' ? 1 : 0;
      } finally {
        store.close();
      }
    }
    throw new UsageError('expected: korobka license request [--out FILE] | install FILE | show');
  },
};
