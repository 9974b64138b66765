// The decisions around calls over trunks, each on its own: channel leases,
// the caller ID and Request-URI sent to the operator, which DID an inbound
// number is (in every Russian spelling), whether an INVITE is the
// operator's or a phone's, and where the router sends an external number.
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { routeCall, routeToExtension, type RouterStores } from '../../../services/call-control/calls/call-router';
import { DialPlan } from '../../../services/dialplan/dial-plan';
import { numberingConfigSchema } from '../../../services/dialplan/normalise';
import { findDid, hasCredentials, matchInbound } from '../../../services/call-control/trunks/inbound-call';
import { TrunkChannels } from '../../../services/call-control/trunks/trunk-channels';
import { TrunkDirectory } from '../../../services/call-control/trunks/trunk-directory';
import { callerIdHeaders, outboundCallerId, trunkUri } from '../../../services/call-control/trunks/trunk-request';
import { createLogger } from '../../../services/common/logger';
import { openDatabase, type Db, type Did, type TrunkFields } from '../../../services/store';
import { TenantsRepo } from '../../../services/store/repos/tenants';
import { TrunksRepo } from '../../../services/store/repos/trunks';
import { tempDir } from '../../helpers/tmp';

const log = createLogger({ level: 'warn', sink: () => undefined });
const moscow = numberingConfigSchema.parse({ cityCode: '495' });

describe('TrunkChannels', () => {
  it('gives leases up to the limit, frees each exactly once, and 0 means no limit', () => {
    const c = new TrunkChannels();
    const t = { id: 7, channelLimit: 2 };
    const a = c.take(t)!;
    const b = c.take(t)!;
    expect(c.take(t)).toBeUndefined();
    a.release();
    a.release(); // a second release must not free b's channel
    expect(c.count(7)).toBe(1);
    const again = c.take(t);
    expect(again).toBeDefined();
    expect(c.take(t)).toBeUndefined();
    b.release();
    again!.release();
    expect(c.snapshot()).toEqual({});
    const unlimited = { id: 8, channelLimit: 0 };
    for (let i = 0; i < 500; i++) expect(c.take(unlimited)).toBeDefined();
    expect(c.snapshot()).toEqual({ '8': 500 });
  });
});

describe('what the operator receives', () => {
  const trunk = { host: 'sip.operator.example', port: 5060, transport: 'udp' as const, outboundCallerId: '+74950000001', username: '74950000009' };

  it('caller ID: the extension’s own number wins, then the trunk’s, then its account, then the extension', () => {
    expect(outboundCallerId('201', { callerIdNumber: '+74951112233', callerIdName: 'Иванова' }, trunk)).toEqual({ number: '+74951112233', name: 'Иванова', source: 'extension' });
    expect(outboundCallerId('201', { callerIdNumber: '', callerIdName: 'Иванова' }, trunk)).toEqual({ number: '+74950000001', name: 'Иванова', source: 'trunk' });
    expect(outboundCallerId('201', undefined, { ...trunk, outboundCallerId: '' })).toEqual({ number: '74950000009', name: '', source: 'trunk-username' });
    expect(outboundCallerId('201', undefined, { ...trunk, outboundCallerId: '', username: null })).toEqual({ number: '201', name: '', source: 'extension-number' });
  });

  it('Request-URI on the trunk’s host, port and transport; IPv6 in brackets', () => {
    expect(trunkUri(trunk, '74951234567')).toBe('sip:74951234567@sip.operator.example:5060;transport=udp');
    expect(trunkUri({ host: '2001:db8::5', port: 5080, transport: 'tcp' }, '+74951234567')).toBe('sip:+74951234567@[2001:db8::5]:5080;transport=tcp');
    expect(() => trunkUri({ host: null, port: 5060, transport: 'udp' }, '1')).toThrow('trunk has no host');
  });

  it('From and P-Asserted-Identity (RFC 3325) carry the caller ID; a display name is a safe quoted-string', () => {
    expect(callerIdHeaders(trunk, { number: '+74950000001', name: '', source: 'trunk' })).toEqual({ From: '<sip:+74950000001@sip.operator.example>', 'P-Asserted-Identity': '<sip:+74950000001@sip.operator.example>' });
    const h = callerIdHeaders(trunk, { number: '201', name: 'Bad "name"\\\r\nX-Injected: 1', source: 'extension' });
    expect(h.From).toBe('"Bad \\"name\\"\\\\X-Injected: 1" <sip:201@sip.operator.example>');
    expect(h.From).not.toMatch(/[\r\n]/);
  });
});

const did = (number: string, id = 1): Did => ({ id, tenantId: 1, number, trunkId: null, destination: { type: 'extension', extension: '204' }, createdAt: '' });

describe('findDid', () => {
  it.each([
    ['+74951234567', '+74951234567'],
    ['84951234567', '+74951234567'],
    ['74951234567', '+74951234567'],
    ['2234567', '+74952234567'], // a local number in area 495
    ['+74951234567', '84951234567'],
    ['tel-ish 8 (495) 123-45-67', '74951234567'],
  ])('the call to %s finds the DID stored as %s', (dialled, stored) => {
    expect(findDid([did('+74990000000', 9), did(stored)], dialled, moscow)?.number).toBe(stored);
  });

  it('finds nothing for another number, an extension-like string or nothing at all', () => {
    const dids = [did('+74951234567')];
    expect(findDid(dids, '84951234568', moscow)).toBeUndefined();
    expect(findDid(dids, '204', moscow)).toBeUndefined();
    expect(findDid(dids, '', moscow)).toBeUndefined();
    expect(findDid(dids, 'anonymous', moscow)).toBeUndefined();
  });
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a stand-in for drachtio-srf's request, which has no typings
type Loose = any;

function request(o: { from: string; port: number; ruri: string; to?: string; fromUser?: string; auth?: string }): Loose {
  const headers: Record<string, string> = o.auth ? { 'Proxy-Authorization': o.auth } : {};
  return {
    source_address: o.from,
    source_port: o.port,
    uri: o.ruri,
    get: (h: string) => headers[h],
    getParsedHeader: (h: string) => ({ uri: h === 'To' ? (o.to ?? o.ruri) : `sip:${o.fromUser ?? '89161234567'}@${o.from}` }),
  };
}

let cleanup: (() => void) | undefined;
let db: Db | undefined;
afterEach(() => {
  db?.close();
  cleanup?.();
  db = undefined;
});

const ip = (over: Partial<TrunkFields>): TrunkFields => ({
  name: 'x', kind: 'ip', host: '192.0.2.10', port: 5060, transport: 'udp', username: null, registerExpiry: 300,
  addresses: ['192.0.2.10', '192.0.2.11'], optionsInterval: 0, channelLimit: 0, outboundCallerId: '', enabled: true, ...over,
});

describe('matchInbound (a real trunks table)', () => {
  function world() {
    const t = tempDir('inbound-');
    cleanup = t.cleanup;
    db = openDatabase(path.join(t.dir, 'korobka.db'));
    const tenants = new TenantsRepo(db);
    const bank = tenants.create({ name: 'Bank', sipDomain: 'bank.example.ru', isDefault: true }).id;
    const insurer = tenants.create({ name: 'Insurer', sipDomain: 'ins.example.ru' }).id;
    const repo = new TrunksRepo(db);
    const bankTrunk = repo.create(bank, ip({ name: 'МТС' }), null);
    const insurerTrunk = repo.create(insurer, ip({ name: 'МТС' }), null);
    repo.createDid(bank, { number: '+74951234567', trunkId: bankTrunk.id, destination: { type: 'extension', extension: '204' } });
    repo.createDid(insurer, { number: '+74957654321', trunkId: insurerTrunk.id, destination: { type: 'extension', extension: '301' } });
    const directory = new TrunkDirectory({ trunks: repo, secrets: () => { throw new Error('no passwords here'); }, log }, { checkIntervalMs: 0 });
    return { deps: { directory, dids: (tenantId: number) => repo.listDids(tenantId), numbering: () => moscow }, bankTrunk, insurerTrunk };
  }

  it('from the trunk’s host and port: the DID (any spelling, Request-URI or To) decides the tenant; an unknown number is the trunk’s 404', () => {
    const w = world();
    expect(matchInbound(w.deps, request({ from: '192.0.2.10', port: 5060, ruri: 'sip:84951234567@pbx' }))).toMatchObject({ kind: 'did', trunk: { id: w.bankTrunk.id }, did: { destination: { extension: '204' } }, didNumber: '+74951234567', caller: { dialled: '89161234567', number: '+79161234567' } });
    // The other tenant's number over the same operator addresses is the other tenant's call.
    expect(matchInbound(w.deps, request({ from: '192.0.2.10', port: 5060, ruri: 'sip:+74957654321@pbx' }))).toMatchObject({ kind: 'did', trunk: { id: w.insurerTrunk.id }, did: { destination: { extension: '301' } } });
    // Operators that put their account in the Request-URI carry the DID in To.
    expect(matchInbound(w.deps, request({ from: '192.0.2.10', port: 5060, ruri: 'sip:account@pbx', to: 'sip:74951234567@pbx' }))).toMatchObject({ kind: 'did', dialled: '74951234567' });
    expect(matchInbound(w.deps, request({ from: '192.0.2.10', port: 5060, ruri: 'sip:84950000000@pbx' }))).toMatchObject({ kind: 'unknown-did', trunk: { id: w.bankTrunk.id }, dialled: '84950000000' });
  });

  it('from a trunk address but another port: the operator’s only when it names a DID, otherwise a phone to authenticate', () => {
    const w = world();
    expect(matchInbound(w.deps, request({ from: '192.0.2.11', port: 40000, ruri: 'sip:84951234567@pbx' }))).toMatchObject({ kind: 'did' });
    expect(matchInbound(w.deps, request({ from: '192.0.2.11', port: 40000, ruri: 'sip:202@pbx' }))).toEqual({ kind: 'not-trunk' });
  });

  it('of several trunks on one address, the DID’s own trunk carries its calls', () => {
    const w = world();
    const repo = new TrunksRepo(db!);
    const second = repo.create(1, ip({ name: 'МТС-2', port: 5070 }), null);
    repo.createDid(1, { number: '+74951230000', trunkId: second.id, destination: { type: 'extension', extension: '204' } });
    expect(matchInbound(w.deps, request({ from: '192.0.2.10', port: 40000, ruri: 'sip:84951230000@pbx' }))).toMatchObject({ kind: 'did', trunk: { id: second.id } });
    expect(matchInbound(w.deps, request({ from: '192.0.2.10', port: 40000, ruri: 'sip:84951234567@pbx' }))).toMatchObject({ kind: 'did', trunk: { id: w.bankTrunk.id } });
  });

  it('a shared source routes only on a number exactly one tenant reads as its DID (issue 16 item 5): never the first trunk by id or port', () => {
    const w = world();
    // The insurer's numbering says area 499, the bank's 495: a local 7-digit number reads differently per tenant.
    const insurerPlan = numberingConfigSchema.parse({ cityCode: '499' });
    const repo = new TrunksRepo(db!);
    repo.createDid(2, { number: '+74997654321', trunkId: w.insurerTrunk.id, destination: { type: 'extension', extension: '302' } });
    repo.createDid(1, { number: '+74957654320', trunkId: w.bankTrunk.id, destination: { type: 'extension', extension: '205' } });
    const deps = { ...w.deps, numbering: (t: number) => (t === 2 ? insurerPlan : moscow) };
    // 7654321: by the bank's plan +74957654321, by the insurer's +74997654321 — both the insurer's: one owner.
    expect(matchInbound(deps, request({ from: '192.0.2.10', port: 5060, ruri: 'sip:7654321@pbx' }))).toMatchObject({ kind: 'did', did: { tenantId: 2 } });
    // 7654320 by the bank's plan is the bank's …4320; the insurer (499) has no +74997654320: one owner, the bank.
    expect(matchInbound(deps, request({ from: '192.0.2.10', port: 5060, ruri: 'sip:7654320@pbx' }))).toMatchObject({ kind: 'did', did: { tenantId: 1, number: '+74957654320' } });
    // Now the insurer holds +74997654320 too: 7654320 is each tenant's own by its own plan, so nobody's — refused, whatever trunk came first.
    repo.createDid(2, { number: '+74997654320', trunkId: w.insurerTrunk.id, destination: { type: 'extension', extension: '303' } });
    expect(matchInbound(deps, request({ from: '192.0.2.10', port: 5060, ruri: 'sip:7654320@pbx' }))).toMatchObject({ kind: 'unknown-did', ambiguous: true });
    // Even from another port of the address (not the trunk's endpoint): refused, not left to digest authentication.
    expect(matchInbound(deps, request({ from: '192.0.2.10', port: 40000, ruri: 'sip:7654320@pbx' }))).toMatchObject({ kind: 'unknown-did', ambiguous: true });
    // A full spelling is one number in every plan: still routed.
    expect(matchInbound(deps, request({ from: '192.0.2.10', port: 5060, ruri: 'sip:84957654320@pbx' }))).toMatchObject({ kind: 'did', did: { tenantId: 1 } });
  });

  it('anyone else, and anything with credentials, is not the operator', () => {
    const w = world();
    expect(matchInbound(w.deps, request({ from: '198.51.100.7', port: 5060, ruri: 'sip:84951234567@pbx' }))).toEqual({ kind: 'not-trunk' });
    const withAuth = request({ from: '192.0.2.10', port: 5060, ruri: 'sip:84951234567@pbx', auth: 'Digest username="201"' });
    expect(hasCredentials(withAuth)).toBe(true);
    expect(matchInbound(w.deps, withAuth)).toEqual({ kind: 'not-trunk' });
  });
});

describe('the router and external numbers', () => {
  const stores = (o: { forwardAlways?: string } = {}): RouterStores => ({
    extension: (_t, e) => (['201', '204'].includes(e) ? { id: Number(e), enabled: true, outboundPermission: 'national' as const } : undefined),
    dnd: () => false,
    forwarding: () => ({ always: o.forwardAlways ?? null, busy: null, noAnswer: null, noAnswerSeconds: 20, unreachable: null }),
    dialPlan: () => new DialPlan({ cityCode: '495' }, [{ id: 'ru', patterns: ['_+7XXXXXXXXXX'], strip: 1, trunks: ['3', 'МТС'] }]),
    bindings: () => [],
  });

  it('an external number goes to the route’s trunks with its dial number, E.164 kept for the CDR', () => {
    expect(routeCall(stores(), 1, '201', '8 (495) 123-45-67')).toMatchObject({ kind: 'trunk', number: '+74951234567', class: 'local', route: { routeId: 'ru', dialNumber: '74951234567', trunks: ['3', 'МТС'] } });
  });

  it('an extension forwarded to an outside number goes out through the trunks, the forward recorded', () => {
    expect(routeToExtension(stores({ forwardAlways: '89161234567' }), 1, '204', '84951234567')).toMatchObject({ kind: 'trunk', number: '+79161234567', route: { dialNumber: '79161234567' }, forwards: [{ from: '204', to: '+79161234567', reason: 'always' }] });
  });
});
