// /api/audit/siem: a superadmin points the audit trail at a SIEM (validated,
// audited without the CA's bytes); the forwarder over the same store then
// delivers to a receiver on 127.0.0.1. /api/audit/verify gives the report.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../services/common/logger';
import { SiemForwarder } from '../../services/siem';
import { startApi, type Client, type Harness } from './harness';
import { SyslogReceiver, until } from '../siem/receiver';

let h: Harness;
let root: Client;
beforeEach(async () => {
  h = await startApi();
  root = (await h.as('superadmin', null, 'root')).client;
}, 30_000);
afterEach(() => h.close());

describe('audit SIEM settings', () => {
  it('names every bad field and changes nothing', async () => {
    const r = await root.request('PUT', '/api/audit/siem', { enabled: true, host: 'bad host!', port: 0, protocol: 'udp', format: 'jsonl', ca: 'x', extra: 1 });
    expect(r.status).toBe(400);
    expect(r.body.code).toBe('validation-failed');
    const fields = (r.body.details.fields as { field: string }[]).map((p) => p.field).sort();
    expect(fields).toEqual(expect.arrayContaining(['ca', 'host', 'port', 'protocol']));
    expect((await root.request('GET', '/api/audit/siem')).body.settings).toBeNull();
    const tcpWithCa = await root.request('PUT', '/api/audit/siem', { enabled: true, host: '127.0.0.1', port: 6514, protocol: 'tcp', format: 'syslog-cef', ca: '-----BEGIN CERTIFICATE-----\nAA==\n-----END CERTIFICATE-----' });
    expect(tcpWithCa.status).toBe(400);
    expect(tcpWithCa.body.details.fields).toEqual([{ field: 'ca', message: 'a CA is for protocol tls only' }]);
  });

  it('saves, audits the change, and the forwarder delivers the events to the receiver', async () => {
    const rx = new SyslogReceiver('octet-counting');
    const port = await rx.start();
    const f = new SiemForwarder({ store: h.store, log: silentLogger, hostname: 'pbx', version: 'test', pollMs: 30 });
    f.start();
    try {
      const r = await root.request('PUT', '/api/audit/siem', { enabled: true, host: '127.0.0.1', port, protocol: 'tcp', format: 'syslog-cef' });
      expect(r.status).toBe(200);
      expect(r.body.settings).toEqual({ enabled: true, host: '127.0.0.1', port, protocol: 'tcp', format: 'syslog-cef', ca: '' });
      const row = h.store.audit.list({ action: 'audit.siem.update' }).rows[0]!;
      expect(row.details).toEqual({ enabled: true, host: '127.0.0.1', port, protocol: 'tcp', format: 'syslog-cef', ca: 'none' });
      await until(() => rx.messages.some((m) => m.includes(' audit.siem.update ')), 'the settings change at the SIEM');
      const status = (await root.request('GET', '/api/audit/siem')).body.status;
      expect(status).toMatchObject({ lastRowId: expect.any(Number), cursor: expect.any(Number) });
    } finally {
      await f.stop();
      await rx.stop();
    }
  });

  it('GET /api/audit/verify reports the keyed chain and its checkpoints', async () => {
    const r = await root.request('GET', '/api/audit/verify');
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ ok: true, report: { ok: true, findings: [], firstBadRow: null } });
  });
});
