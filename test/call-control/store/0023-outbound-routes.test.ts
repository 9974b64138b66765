// Migration 0023, OutboundRoutesRepo and the dial plan loaded from a real SQLite file.
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { migrate, migrations, openDatabase, schemaVersion } from '../../../services/store';
import { OutboundRoutesRepo } from '../../../services/store/repos/outbound-routes';
import { RegistrationsRepo } from '../../../services/store/repos/registrations';
import { SettingsRepo } from '../../../services/store/repos/settings';
import { TenantsRepo } from '../../../services/store/repos/tenants';
import { loadDialPlan, saveNumbering, saveRoutes, type DialPlanStores } from '../../../services/dialplan/dial-plan-store';
import { tempDir } from '../../helpers/tmp';

const t = tempDir();
afterAll(t.cleanup);

function fresh(name: string) {
  const db = openDatabase(path.join(t.dir, name));
  const tenants = new TenantsRepo(db);
  tenants.create({ name: 'Bank', sipDomain: 'bank.example.ru', isDefault: true });
  tenants.create({ name: 'Insurer', sipDomain: 'ins.example.ru' });
  const stores: DialPlanStores = { settings: new SettingsRepo(db), routes: new OutboundRoutesRepo(db) };
  return { db, stores };
}

const routes = [
  { id: 'moscow', patterns: ['_+7495XXXXXXX', '_+7499XXXXXXX'], strip: 2, trunks: ['rostelecom', 'mts'] },
  { id: 'mobile', name: 'Мобильные через GSM-шлюз', patterns: ['_+79XXXXXXXXX'], strip: 2, prepend: '8', trunks: ['gsm'] },
  { id: 'emergency', patterns: ['112', '_10[1-4]'], trunks: ['rostelecom'] },
];

describe('migration 0023-outbound-routes', () => {
  it('migrates N-1 → N keeping registrations, and the new table takes routes', () => {
    const db = openDatabase(path.join(t.dir, 'm23.db'), { migrations: migrations.filter((m) => m.version < 23) });
    expect(schemaVersion(db)).toBe(22);
    new TenantsRepo(db).create({ name: 'Bank', sipDomain: 'bank.example.ru', isDefault: true });
    new RegistrationsRepo(db).replace('1:201', [{ contact: 'sip:201@10.0.0.5', expiresAt: 9e12, callId: 'x', cseq: 1, source: { address: '10.0.0.5', port: 5060, transport: 'udp' }, registeredAt: 0 }]);
    migrate(db, migrations, 23);
    expect(schemaVersion(db)).toBe(23);
    expect(new RegistrationsRepo(db).load(0).get('1:201')).toHaveLength(1);
    new OutboundRoutesRepo(db).replaceAll(1, [{ id: 'r', name: '', enabled: true, patterns: ['_X.'], strip: 0, prepend: '', trunks: ['t'] }]);
    expect(new OutboundRoutesRepo(db).list(1).map((r) => r.id)).toEqual(['r']);
    db.close();
  });
});

describe('dial plan in the store', () => {
  it('saves numbering and ordered routes per tenant and loads a working DialPlan back', () => {
    const { db, stores } = fresh('plan.db');
    saveNumbering(stores, 1, { cityCode: '495', localAreaCodes: ['499'] });
    expect(saveRoutes(stores, 1, routes).map((r) => r.id)).toEqual(['moscow', 'mobile', 'emergency']);
    const plan = loadDialPlan(stores, 1);
    expect(plan.decide('223-45-67', 'local')).toMatchObject({ kind: 'outbound', number: '+74952234567', route: { routeId: 'moscow', dialNumber: '4952234567', trunks: ['rostelecom', 'mts'] } });
    expect(plan.decide('8 916 123 45 67', 'national')).toMatchObject({ route: { routeId: 'mobile', dialNumber: '89161234567', trunks: ['gsm'] } });
    expect(stores.routes.list(1)[1]).toEqual({ id: 'mobile', name: 'Мобильные через GSM-шлюз', enabled: true, patterns: ['_+79XXXXXXXXX'], strip: 2, prepend: '8', trunks: ['gsm'] });
    // The other tenant has its own (empty) plan.
    expect(loadDialPlan(stores, 2).decide('8 916 123 45 67', 'international')).toMatchObject({ kind: 'refused', code: 'no-outbound-route' });
    // Reordering is one replace.
    saveRoutes(stores, 1, [routes[2]!, routes[0]!]);
    expect(stores.routes.list(1).map((r) => r.id)).toEqual(['emergency', 'moscow']);
    db.close();
  });

  it('refuses a bad route list or numbering plan with every problem named, and keeps what was stored', () => {
    const { db, stores } = fresh('bad.db');
    saveRoutes(stores, 1, routes);
    let caught: unknown;
    try {
      saveRoutes(stores, 1, [{ id: 'x', patterns: ['_8[9-1]'], trunks: [] }]);
    } catch (e) {
      caught = e;
    }
    expect(caught).toMatchObject({ status: 400, code: 'validation-failed', message: 'routes[0].trunks: expected at least one trunk; routes[0].patterns[0]: pattern _8[9-1]: bad range 9-1' });
    expect(() => saveNumbering(stores, 1, { cityCode: '4852' })).toThrowError(
      expect.objectContaining({ code: 'validation-failed', message: 'numbering.extensionMaxLength: must be below 6, the length of local numbers in area 4852' }),
    );
    expect(stores.routes.list(1).map((r) => r.id)).toEqual(['moscow', 'mobile', 'emergency']);
    expect(stores.settings.get('dialplan.numbering', 1)).toBeUndefined();
    db.close();
  });

  it('names a broken stored numbering plan at load time', () => {
    const { db, stores } = fresh('broken.db');
    stores.settings.set('dialplan.numbering', { cityCode: 'abc' }, 1);
    expect(() => loadDialPlan(stores, 1)).toThrowError(expect.objectContaining({ message: 'numbering.cityCode: must be 3–5 digits starting with 3–9, or empty' }));
    db.close();
  });
});
