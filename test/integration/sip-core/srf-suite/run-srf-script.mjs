// Runs one of drachtio-srf's own test programs (node_modules/drachtio-srf/test/scripts)
// unmodified against sip-core and prints what happens as `EVENT …` lines for
// the vitest harness. The program reads its settings through shims/config.
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);
const srfTest = path.join(path.dirname(require.resolve('drachtio-srf/package.json')), 'test');
const [script, action, arg] = process.argv.slice(2);
const App = require(path.join(srfTest, 'scripts', `${script}.js`));
const say = (s) => process.stdout.write(`EVENT ${s}\n`);

const app = new App();
app.srf.on('connect', (err, hostport) => say(err ? `connect-error ${err.message}` : `connected ${hostport}`));
app.on('connected', (dlg) => {
  say('dialog');
  dlg.on('destroy', (_msg, reason) => say(`destroy ${reason ?? ''}`));
  if (action === 'acceptSubscribe') notifyTwice(dlg);
});
app.on('error', (err) => say(`error ${err.message}`));

// What test/uas.js does with a SUBSCRIBE dialog: NOTIFY active, NOTIFY terminated.
async function notifyTwice(dlg) {
  say(`subscriptions ${dlg.getCountOfSubscriptions()}`);
  await dlg.request({ method: 'NOTIFY', headers: { Event: 'presence', 'Subscription-State': 'active' } });
  await dlg.request({ method: 'NOTIFY', headers: { Event: 'presence', 'Subscription-State': 'terminated' } });
  say(`subscriptions ${dlg.getCountOfSubscriptions()}`);
}

switch (action) {
  case 'reject':
    app.reject(Number(arg));
    break;
  case 'accept':
    app.accept(null, arg === 'body');
    break;
  case 'acceptCb':
    app.acceptCb();
    break;
  case 'acceptSubscribe':
    app.acceptSubscribe();
    break;
  case 'handleReinviteScenario':
    app.handleReinviteScenario().then(() => say('reinvite-acked'));
    break;
  default:
    say(`error unknown action ${action}`);
}

process.on('SIGTERM', () => {
  app.disconnect();
  process.exit(0);
});
