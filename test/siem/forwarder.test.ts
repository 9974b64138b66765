// Audit events reach a syslog receiver on 127.0.0.1 started by the test: RFC
// 5424 + CEF framed by octet counting over TCP and TLS, JSON lines over TCP;
// events written while the receiver is down arrive after it is back; the
// cursor survives a restart of the forwarder.
import { afterEach, describe, expect, it } from 'vitest';
import path from 'node:path';
import { silentLogger } from '../../services/common/logger';
import { openStore, type Store } from '../../services/store';
import { SiemForwarder, SIEM_CURSOR_KEY, SIEM_SETTINGS_KEY, type SiemSettings } from '../../services/siem';
import { issueServerCert, makeCa } from '../../provisioning/tls';
import { tempDir } from '../helpers/tmp';
import { SyslogReceiver, until } from './receiver';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function world(): Store {
  const t = tempDir('korobka-siem-');
  const store = openStore(path.join(t.dir, 'korobka.db'));
  cleanups.push(() => t.cleanup(), () => store.close());
  return store;
}

function forwarder(store: Store): SiemForwarder {
  const f = new SiemForwarder({ store, log: silentLogger, hostname: 'pbx-1', version: '1.2.3', pollMs: 30, connectTimeoutMs: 2000 });
  f.start();
  cleanups.push(() => f.stop());
  return f;
}

async function receiver(framing: 'octet-counting' | 'lines', tlsOpts?: { cert: string; key: string }, port = 0) {
  const r = new SyslogReceiver(framing, tlsOpts);
  const p = await r.start(port);
  cleanups.push(() => r.stop());
  return { r, port: p };
}

const ids = (msgs: string[]) => new Set(msgs.map((m) => Number(/ externalId=(\d+) /.exec(m)?.[1] ?? /"id":(\d+)/.exec(m)?.[1])));

describe('SIEM export', () => {
  it('sends RFC 5424 syslog with CEF over TCP, octet-counted, one message per audit row', async () => {
    const store = world();
    const { r, port } = await receiver('octet-counting');
    store.settings.set(SIEM_SETTINGS_KEY, { enabled: true, host: '127.0.0.1', port, protocol: 'tcp', format: 'syslog-cef', ca: '' } satisfies SiemSettings);
    forwarder(store);
    store.audit.append({ actorId: 7, actor: 'админ', tenantId: 2, action: 'user.create', target: 'user:9', details: { role: 'auditor', note: 'a=b|c' }, ip: '10.1.2.3' }, new Date('2026-12-06T10:00:00.000Z'));
    store.audit.append({ actorId: 8, actor: 'eve', tenantId: 2, action: 'access.denied', target: 'GET /api/users', outcome: 'denied' }, new Date('2026-12-06T10:00:01.000Z'));
    await until(() => r.messages.length >= 2, 'two syslog messages');
    const link = store.audit.list({ limit: 2 }).rows[1]!.hash;
    // <PRI> = facility 13 (log audit) × 8 + severity 6 (informational) = 110; denied is warning (4) = 108.
    expect(r.messages[0]).toBe(
      `<110>1 2026-12-06T10:00:00.000Z pbx-1 korobka - user.create [korobka@32473 id="1" tenant="2" outcome="ok"] ` +
        `CEF:0|Korobka|Korobka PBX|1.2.3|user.create|user.create|3|rt=1796551200000 act=user.create outcome=ok suser=админ suid=7 src=10.1.2.3 ` +
        `cs1Label=tenantId cs1=2 cs2Label=target cs2=user:9 cs3Label=chainLink cs3=${link} externalId=1 msg={"role":"auditor","note":"a\\=b|c"}`,
    );
    expect(r.messages[1]).toMatch(/^<108>1 2026-12-06T10:00:01\.000Z pbx-1 korobka - access\.denied \[korobka@32473 id="2" tenant="2" outcome="denied"\] CEF:0\|Korobka\|Korobka PBX\|1\.2\.3\|access\.denied\|access\.denied\|7\|.* externalId=2 /);
  });

  it('over TLS (RFC 5425) trusting the CA given in the settings, and refuses a receiver signed by another CA', async () => {
    const store = world();
    const ca = makeCa('SIEM test CA');
    const server = issueServerCert(ca, { dns: ['siem.test'], ips: ['127.0.0.1'] });
    const { r, port } = await receiver('octet-counting', server);
    const other = makeCa('Another CA');
    store.settings.set(SIEM_SETTINGS_KEY, { enabled: true, host: '127.0.0.1', port, protocol: 'tls', format: 'syslog-cef', ca: other.cert } satisfies SiemSettings);
    const f = forwarder(store);
    store.audit.append({ actorId: 1, actor: 'admin', tenantId: 1, action: 'trunk.update', target: 'trunk:3' });
    await until(() => f.status().lastError !== null, 'a TLS refusal');
    expect(f.status()).toMatchObject({ connected: false, cursor: 0, lastError: expect.stringMatching(/certificate/i) });
    expect(r.messages).toEqual([]);
    store.settings.set(SIEM_SETTINGS_KEY, { enabled: true, host: '127.0.0.1', port, protocol: 'tls', format: 'syslog-cef', ca: ca.cert } satisfies SiemSettings);
    await until(() => r.messages.length >= 1, 'the message over TLS', 15_000);
    expect(r.messages[0]).toMatch(/^<110>1 \S+ pbx-1 korobka - trunk\.update \[korobka@32473 id="1" tenant="1" outcome="ok"\] CEF:0\|/);
    expect(f.status()).toMatchObject({ connected: true, cursor: 1, lastError: null });
  }, 60_000);

  it('as JSON lines', async () => {
    const store = world();
    const { r, port } = await receiver('lines');
    store.settings.set(SIEM_SETTINGS_KEY, { enabled: true, host: '127.0.0.1', port, protocol: 'tcp', format: 'jsonl', ca: '' } satisfies SiemSettings);
    forwarder(store);
    store.audit.append({ actorId: 1, actor: 'admin', tenantId: 1, action: 'extension.update', target: 'extension:201', details: { fields: ['displayName'] } });
    await until(() => r.messages.length >= 1, 'a JSON line');
    expect(JSON.parse(r.messages[0]!)).toMatchObject({ id: 1, action: 'extension.update', actorId: 1, tenantId: 1, target: 'extension:201', outcome: 'ok', details: { fields: ['displayName'] }, chainLink: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });

  it('loses nothing while the receiver is down, and keeps its cursor across a restart of the forwarder', async () => {
    const store = world();
    // Take a free port, then close the receiver: the SIEM is down when events happen.
    const first = await receiver('octet-counting');
    await first.r.stop();
    store.settings.set(SIEM_SETTINGS_KEY, { enabled: true, host: '127.0.0.1', port: first.port, protocol: 'tcp', format: 'syslog-cef', ca: '' } satisfies SiemSettings);
    const f = forwarder(store);
    for (let i = 0; i < 30; i++) store.audit.append({ actorId: 1, actor: 'admin', tenantId: 1, action: `while-down.${i}` });
    await until(() => f.status().lastError !== null, 'the forwarder to notice the receiver is down');
    expect(f.status()).toMatchObject({ connected: false, cursor: 0 });

    const back = await receiver('octet-counting', undefined, first.port);
    await until(() => ids(back.r.messages).size >= 30, 'the 30 events after the receiver came back', 20_000);
    expect([...ids(back.r.messages)].sort((a, b) => a - b)).toEqual(Array.from({ length: 30 }, (_, i) => i + 1));
    expect(store.settings.get(SIEM_CURSOR_KEY)).toBe(30);

    await f.stop();
    const seen = back.r.messages.length;
    // A new forwarder (the api restarted) starts from the stored cursor, not from the beginning.
    forwarder(store);
    store.audit.append({ actorId: 1, actor: 'admin', tenantId: 1, action: 'after-restart' });
    await until(() => back.r.messages.length > seen, 'the event after the restart');
    expect(back.r.messages.slice(seen).map((m) => / externalId=(\d+) /.exec(m)?.[1])).toEqual(['31']);
  });
});
