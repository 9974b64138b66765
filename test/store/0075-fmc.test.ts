// Migration 0075 over a database at version 51 with a tenant and two
// extensions: a SIM's ICCID, number and extension are unique; a port holds
// one SIM; a port needs its gateway; deleting a gateway frees its SIMs'
// ports, deleting an extension unbinds its SIM; a tenant takes all with it.
import { describe, expect, it } from 'vitest';
import { migrate, migrations, schemaVersion, type Db, type SimRecord } from '../../services/store';
import { RegistrationsRepo } from '../../services/store/repos/registrations';
import { GatewaysRepo } from '../../services/store/repos/gateways';
import { SimsRepo } from '../../services/store/repos/sims';
import { buildGateway } from '../../services/fmc';
import { migrationDb } from '../helpers/migration-db';

const mig = migrationDb('mig75-');

function at75(): Db {
  return mig.at(51, 75, (d) => {
    d.prepare("INSERT INTO tenants (name, sip_domain, created_at) VALUES ('T', 't.example.ru', '2026-12-06T00:00:00Z')").run();
    for (const e of ['201', '202'])
      d.prepare("INSERT INTO extensions (tenant_id, extension, display_name, sip_username, ha1_md5, ha1_sha256, outbound_permission, enabled, created_at, updated_at) VALUES (1, ?, '', ?, ?, ?, 'internal', 1, 'x', 'x')").run(e, e, 'a'.repeat(32), 'b'.repeat(64));
  });
}

const sim = (o: Partial<SimRecord> = {}): SimRecord => ({ iccid: '8970102100000000001', msisdn: '+79257184444', operator: 'mts', state: 'active', gatewayId: null, port: null, extensionId: null, userRegistered: false, contract: '', monthlyMinuteLimit: 0, ringMode: 'off', ringDelay: 10, ...o });
const HA1 = { MD5: 'm', 'SHA-256': 's' };

describe('migration 0075 fmc', () => {
  it('stores gateways with their ports and SIMs bound once', () => {
    const d = at75();
    expect(schemaVersion(d)).toBe(75);
    const gws = new GatewaysRepo(d);
    const sims = new SimsRepo(d);
    const built = buildGateway('goip-line', 'GoIP', { portCount: 2 });
    if (!built.ok) throw new Error('template');
    const gw = gws.create(1, 'GoIP', true, built.config, () => HA1);
    expect(gws.get(gw.id)?.config).toEqual(built.config);
    expect(gws.portCredentials(1, 'goip-2')).toEqual({ gatewayId: gw.id, port: 2, username: 'goip-2', ha1: HA1 });
    const a = sims.create(1, sim({ gatewayId: gw.id, port: 1, extensionId: 1 }));
    const codes = (o: Partial<SimRecord>) => {
      try {
        sims.create(1, sim({ iccid: '8970199123456789012', msisdn: '+79160000001', ...o }));
        return 'written';
      } catch (e) {
        return `${(e as { code: string }).code}:${JSON.stringify((e as { details?: unknown }).details)}`;
      }
    };
    expect(codes({ iccid: a.iccid })).toBe('sim-exists:{"field":"iccid"}');
    expect(codes({ msisdn: a.msisdn })).toBe('sim-exists:{"field":"msisdn"}');
    expect(codes({ extensionId: 1 })).toBe('sim-extension-taken:{"field":"extension"}');
    expect(codes({ gatewayId: gw.id, port: 1 })).toBe('sim-port-taken:{"field":"port"}');
    expect(codes({ port: 2 })).toMatch(/^invalid-sim:/);
    expect(codes({ msisdn: '+74952293042' })).toMatch(/^invalid-sim:/);
    // An extension that goes unbinds its SIM; a gateway that goes frees the port.
    d.prepare('DELETE FROM extensions WHERE id = 1').run();
    expect(sims.get(a.id)?.extensionId).toBeNull();
    gws.delete(gw.id);
    expect(sims.get(a.id)).toMatchObject({ gatewayId: null, port: null });
    d.prepare('DELETE FROM tenants WHERE id = 1').run();
    expect(sims.list()).toEqual([]);
  });

  it('0076 keeps the bindings and lets a port user register', () => {
    const d = mig.at(75, 75, (x) => {
      x.prepare("INSERT INTO tenants (name, sip_domain, created_at) VALUES ('T', 't.example.ru', 'x')").run();
      x.prepare("INSERT INTO registrations (aor, contact, expires_at, call_id, cseq, source_address, source_port, transport, registered_at) VALUES ('1:201', 'sip:201@192.0.2.5', '2099-01-01T00:00:00.000Z', 'c', 1, '192.0.2.5', 5060, 'udp', 'x')").run();
    });
    migrate(d, migrations, 76);
    const regs = new RegistrationsRepo(d);
    regs.replace('1:goip-1', [{ contact: 'sip:goip-1@192.0.2.9', expiresAt: Date.parse('2099-01-01'), callId: 'g', cseq: 1, source: { address: '192.0.2.9', port: 5060, transport: 'udp' }, registeredAt: 0 }]);
    expect(regs.listTenant(1, Date.now()).map((r) => r.extension)).toEqual(['201', 'goip-1']);
    expect(() => regs.replace('goip:1', [{ contact: 'sip:x@192.0.2.9', expiresAt: 1, callId: 'g', cseq: 1, source: { address: '192.0.2.9', port: 5060, transport: 'udp' }, registeredAt: 0 }])).toThrow(/CHECK/);
  });
});
