// Gateway templates: each names its model (registrations per port, trunk
// with per-port DID and prefix, operator), fills defaults, and refuses a
// field out of range by name; the plan finds the port of an inbound call
// and writes the number to dial through a port.
import { describe, expect, it } from 'vitest';
import { buildGateway, deviceSettings, gatewayTemplateIds, gatewayTemplates, inboundPort, outboundUser, portOrder, simProblems, parseOperator, parseBool, type GatewayConfig } from '../../services/fmc';

const ok = (r: ReturnType<typeof buildGateway>): GatewayConfig => {
  if (!r.ok) throw new Error(JSON.stringify(r.problems));
  return r.config;
};
const fields = (r: ReturnType<typeof buildGateway>) => (r.ok ? [] : r.problems.map((p) => p.field));

describe('gateway templates', () => {
  it('every template builds with its defaults', () => {
    for (const id of gatewayTemplateIds) {
      const c = ok(buildGateway(id, 'Офис GoIP', id === 'goip-line' || id === 'dinstar-dwg' || id === 'openvox' ? {} : { host: '192.0.2.7' }));
      expect(c.mode).toBe(gatewayTemplates[id].mode);
      expect(c.ports).toHaveLength(gatewayTemplates[id].defaultPorts);
      expect(c.codecs[0]).toBe('PCMA');
      expect(c.callerIdOrder).toEqual(['pai', 'rpid', 'from']);
    }
  });

  it('GoIP per line: one registering user per port', () => {
    const c = ok(buildGateway('goip-line', 'GoIP 4 склад', { portCount: 2 }));
    expect(c.ports).toEqual([
      { port: 1, username: 'goip-4-1', did: null, prefix: null, enabled: true },
      { port: 2, username: 'goip-4-2', did: null, prefix: null, enabled: true },
    ]);
    expect(c.quirks).toMatchObject({ silent183: true, smsAsMessage: true, answerUnreliable: false });
    expect(inboundPort(c, { username: 'GOIP-4-2' })?.port).toBe(2);
    expect(outboundUser(c, c.ports[0]!, '+79257184444')).toBe('89257184444');
  });

  it('trunk mode: per-port DID in, routing prefix out', () => {
    const c = ok(buildGateway('goip-trunk', 'gw', { host: '192.0.2.7', portCount: 3, ports: [{ port: 2, did: '5002', prefix: '22' }] }));
    expect(c.ports.map((p) => [p.did, p.prefix])).toEqual([['901', '901'], ['5002', '22'], ['903', '903']]);
    expect(inboundPort(c, { requestUser: '5002' })?.port).toBe(2);
    expect(inboundPort(c, { requestUser: '999' })).toBeNull();
    expect(outboundUser(c, c.ports[1]!, '8 925 718-44-44')).toBe('2289257184444');
    expect(outboundUser(c, c.ports[1]!, 'garbage')).toBeNull();
  });

  it('refuses fields out of range, each by name', () => {
    expect(fields(buildGateway('goip-line', 'g', { portCount: 33 }))).toEqual(['portCount']);
    expect(fields(buildGateway('yeastar-tg', 'g', { host: 'h', portCount: 17 }))).toEqual(['portCount']);
    expect(fields(buildGateway('operator-fmc', 'g', { host: 'h', portCount: 2 }))).toEqual(['portCount']);
    expect(fields(buildGateway('goip-trunk', 'g', {}))).toEqual(['host']);
    expect(fields(buildGateway('goip-line', 'g', { sipPort: 0, cityCode: '095x', imei: '352099001761482', optionsInterval: 5, codecs: ['G729'] }))).toEqual(['sipPort', 'cityCode', 'imei', 'codecs', 'optionsInterval']);
    expect(fields(buildGateway('goip-line', 'g', { portCount: 2, ports: [{ port: 2, username: 'g-1' }, { port: 5 }] }))).toEqual(['ports[1].port', 'ports[1].username']);
    expect(fields(buildGateway('goip-trunk', 'g', { host: 'h', portCount: 2, ports: [{ port: 1, prefix: '1' }, { port: 2, prefix: '12', did: 'x' }] }))).toEqual(['ports[1].did', 'ports[1].prefix']);
    expect(ok(buildGateway('goip-line', 'g', { imei: '352099001761481' })).imei).toBe('352099001761481');
  });

  it('orders free ports least used first and never offers a busy one', () => {
    const c = ok(buildGateway('goip-line', 'g', { portCount: 4 }));
    const st: Record<number, { busy: boolean; up: boolean; callsToday: number }> = { 1: { busy: true, up: true, callsToday: 0 }, 2: { busy: false, up: true, callsToday: 5 }, 3: { busy: false, up: false, callsToday: 0 }, 4: { busy: false, up: true, callsToday: 1 } };
    expect(portOrder(c.ports, (p) => st[p]!).map((p) => p.port)).toEqual([4, 2]);
  });

  it('tells the admin what to set on the device', () => {
    const c = ok(buildGateway('goip-trunk', 'gw', { host: '192.0.2.7', portCount: 1 }));
    const s = deviceSettings(c, { host: '192.0.2.1', port: 5060, domain: 'pbx.example.ru' });
    expect(s).toContainEqual({ section: 'Basic VoIP', field: 'Config Mode', value: 'Trunk Gateway' });
    expect(s).toContainEqual({ section: 'Line 1', field: 'Call In: Forward Number', value: '901' });
  });
});

describe('SIM fields', () => {
  it('names the ICCID and the MSISDN when bad', () => {
    expect(simProblems({ iccid: '8970102100000000002', msisdn: '+74952293042' }).problems.map((p) => p.field)).toEqual(['iccid', 'msisdn']);
    expect(simProblems({ iccid: '8970102100000000001', msisdn: '89257184444' })).toEqual({ problems: [], iccid: '8970102100000000001', msisdn: '+79257184444' });
    expect(parseOperator('МегаФон')).toBe('megafon');
    expect(parseOperator('Tele2')).toBe('t2');
    expect(parseOperator('Ростелеком')).toBeNull();
    expect([parseBool('да'), parseBool('0'), parseBool('maybe')]).toEqual([true, false, null]);
  });
});
