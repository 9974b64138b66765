// Gateway templates: what each kind of GSM gateway or operator FMC trunk
// means for the PBX (wave2-facts.md §1). Two models exist. "line": every GSM
// port registers as its own SIP user (GoIP "Config by Line", Dinstar and
// OpenVox per-port endpoints). "trunk": one SIP peer, the port chosen by a
// routing prefix on calls out and told apart on calls in by the per-port
// forward number the gateway puts in the Request-URI (GoIP "Trunk Gateway",
// Yeastar TG "Hotline"); no vendor sends a port header. "operator": the
// operator presents each SIM's calls on its trunk with the SIM's number as
// caller, and a call to the SIM's number rings the mobile (MCN-style FMC).
// Pure: a template and the admin's overrides in, a checked config out.
import { callerIdSources, type CallerIdSource } from './caller-id';
import { luhnValid } from './iccid';
import { validCityCode } from './numbers';

export const gatewayTemplateIds = ['goip-line', 'goip-trunk', 'dinstar-dwg', 'yeastar-tg', 'openvox', 'operator-fmc'] as const;
export type GatewayTemplateId = (typeof gatewayTemplateIds)[number];
export const gatewayModes = ['line', 'trunk', 'operator'] as const;
export type GatewayMode = (typeof gatewayModes)[number];
/** What rtpengine may offer the gateway; G.711 must be among them (G.729 is transcoded by rtpengine). */
export const gatewayCodecs = ['PCMA', 'PCMU', 'G729', 'G723', 'GSM'] as const;
export type GatewayCodec = (typeof gatewayCodecs)[number];
export const dtmfModes = ['rfc2833', 'inband', 'info'] as const;
export type DtmfMode = (typeof dtmfModes)[number];
/** How the PBX writes a number it sends to the gateway for the GSM network. */
export const dialFormats = ['e164', 'national8'] as const;
export type DialFormat = (typeof dialFormats)[number];

/** Behaviour to absorb (wave2-facts.md "Early media and answer quirks"). */
export interface GatewayQuirks {
  /** Never sends 180: the PBX plays ringback to the caller itself. */
  no180: boolean;
  /** Sends 183 without SDP. */
  early183NoSdp: boolean;
  /** 183 with SDP but silence: play local ringback until audio or answer. */
  silent183: boolean;
  /** 200 OK may come right after 183 while the GSM callee still rings: the CDR marks the answer and billing starts at the first audio. */
  answerUnreliable: boolean;
  /** Received SMS arrive as SIP MESSAGE, text/plain, sender on line 1. */
  smsAsMessage: boolean;
}
export const quirkNames = ['no180', 'early183NoSdp', 'silent183', 'answerUnreliable', 'smsAsMessage'] as const satisfies readonly (keyof GatewayQuirks)[];

export interface GatewayPort {
  port: number;
  /** line mode: the SIP user the port registers as. */
  username: string | null;
  /** trunk mode: the forward number (DID) the gateway calls for this port's incoming GSM calls. */
  did: string | null;
  /** trunk mode: the routing prefix that makes the gateway dial out on this port. */
  prefix: string | null;
  enabled: boolean;
}

export interface GatewayConfig {
  template: GatewayTemplateId;
  mode: GatewayMode;
  /** trunk/operator: where INVITEs and OPTIONS go; line: optional (ports are reached at their registered contacts). */
  host: string | null;
  sipPort: number;
  transport: 'udp' | 'tcp';
  /** For 7-digit local caller IDs: +7 <cityCode> <number>. */
  cityCode: string | null;
  /** The device's IMEI (15 digits, Luhn): recorded for the operator's SIM-box declaration. */
  imei: string | null;
  codecs: GatewayCodec[];
  dtmfMode: DtmfMode;
  callerIdOrder: CallerIdSource[];
  dialFormat: DialFormat;
  quirks: GatewayQuirks;
  /** OPTIONS keepalive, seconds; 0 turns it off. */
  optionsInterval: number;
  ports: GatewayPort[];
}

export interface GatewayTemplate {
  id: GatewayTemplateId;
  mode: GatewayMode;
  maxPorts: number;
  defaultPorts: number;
  defaults: Omit<GatewayConfig, 'template' | 'mode' | 'host' | 'cityCode' | 'imei' | 'ports'>;
}

const G711_FIRST: GatewayCodec[] = ['PCMA', 'PCMU', 'G729'];
const QUIRKS_NONE: GatewayQuirks = { no180: false, early183NoSdp: false, silent183: false, answerUnreliable: false, smsAsMessage: false };
const base = { sipPort: 5060, transport: 'udp', codecs: G711_FIRST, dtmfMode: 'rfc2833', callerIdOrder: [...callerIdSources], dialFormat: 'national8', optionsInterval: 30 } as const;

export const gatewayTemplates: Record<GatewayTemplateId, GatewayTemplate> = {
  // GoIP-1/4/8/16/32; "SIP INVITE Response" defaults to "180 then 183" whose 183 carries SDP but no audio; SMS forward as SIP MESSAGE.
  'goip-line': { id: 'goip-line', mode: 'line', maxPorts: 32, defaultPorts: 4, defaults: { ...base, codecs: [...G711_FIRST], callerIdOrder: [...callerIdSources], quirks: { ...QUIRKS_NONE, silent183: true, smsAsMessage: true } } },
  'goip-trunk': { id: 'goip-trunk', mode: 'trunk', maxPorts: 32, defaultPorts: 4, defaults: { ...base, codecs: [...G711_FIRST], callerIdOrder: [...callerIdSources], quirks: { ...QUIRKS_NONE, silent183: true, smsAsMessage: true } } },
  // Dinstar DWG registers per port (group); its 183 often comes without SDP.
  'dinstar-dwg': { id: 'dinstar-dwg', mode: 'line', maxPorts: 32, defaultPorts: 8, defaults: { ...base, codecs: [...G711_FIRST], callerIdOrder: [...callerIdSources], quirks: { ...QUIRKS_NONE, early183NoSdp: true } } },
  // Yeastar TG: "Mobile to IP" Hotline per port is the DID sent to the trunk.
  'yeastar-tg': { id: 'yeastar-tg', mode: 'trunk', maxPorts: 16, defaultPorts: 4, defaults: { ...base, codecs: [...G711_FIRST], callerIdOrder: [...callerIdSources], quirks: { ...QUIRKS_NONE, silent183: true } } },
  // OpenVox VoxStack is Asterisk-based: one SIP endpoint per GSM channel registering to the PBX.
  'openvox': { id: 'openvox', mode: 'line', maxPorts: 32, defaultPorts: 4, defaults: { ...base, codecs: [...G711_FIRST], callerIdOrder: [...callerIdSources], quirks: { ...QUIRKS_NONE } } },
  // Operator FMC: the SIM's number is the caller; numbers travel as +7….
  'operator-fmc': { id: 'operator-fmc', mode: 'operator', maxPorts: 0, defaultPorts: 0, defaults: { ...base, codecs: ['PCMA', 'PCMU'], callerIdOrder: [...callerIdSources], dialFormat: 'e164', quirks: { ...QUIRKS_NONE } } },
};

const pad2 = (n: number) => String(n).padStart(2, '0');

/** Default ports: line → `<name>-<n>` users; trunk → prefix and DID `9<nn>` (one code both ways). */
export function defaultPorts(template: GatewayTemplate, count: number, usernameBase: string): GatewayPort[] {
  const out: GatewayPort[] = [];
  for (let p = 1; p <= count; p++) {
    const line = template.mode === 'line';
    out.push({ port: p, username: line ? `${usernameBase}-${p}` : null, did: line ? null : `9${pad2(p)}`, prefix: line ? null : `9${pad2(p)}`, enabled: true });
  }
  return out;
}

export interface FieldProblem {
  field: string;
  message: string;
}

export type GatewayOverrides = Partial<Omit<GatewayConfig, 'template' | 'mode' | 'quirks' | 'ports'>> & {
  quirks?: Partial<GatewayQuirks>;
  portCount?: number;
  /** Line mode: the stem of generated port user names (default: from the gateway's name). */
  usernameBase?: string;
  ports?: Array<Partial<GatewayPort> & { port: number }>;
};

/** A slug for usernames from the gateway's name (Latin letters, digits, dashes). */
export function usernameBase(name: string): string {
  const s = name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 24);
  return s || 'gw';
}

/** The template's defaults with the admin's overrides laid over, then checked: every problem names its field. */
export function buildGateway(templateId: GatewayTemplateId, name: string, o: GatewayOverrides = {}): { ok: true; config: GatewayConfig } | { ok: false; problems: FieldProblem[] } {
  const t = gatewayTemplates[templateId];
  const count = o.portCount ?? (o.ports ? o.ports.length : t.defaultPorts);
  const problems: FieldProblem[] = [];
  if (t.mode === 'operator' ? count !== 0 : !Number.isInteger(count) || count < 1 || count > t.maxPorts)
    problems.push({ field: 'portCount', message: t.mode === 'operator' ? 'an operator FMC trunk has no ports: SIMs are told apart by number' : `must be 1–${t.maxPorts} for ${templateId}` });
  const generated = problems.length ? [] : defaultPorts(t, count, o.usernameBase ?? usernameBase(name));
  const ports = generated.map((p) => {
    const given = o.ports?.find((x) => x.port === p.port);
    return given ? { ...p, ...given } : p;
  });
  for (const [i, p] of (o.ports ?? []).entries()) if (!generated.some((g) => g.port === p.port)) problems.push({ field: `ports[${i}].port`, message: `must be 1–${count}` });
  const { quirks, portCount: _c, ports: _p, usernameBase: _u, ...rest } = o;
  const config: GatewayConfig = { ...t.defaults, host: null, cityCode: null, imei: null, ...stripUndefined(rest), template: t.id, mode: t.mode, quirks: { ...t.defaults.quirks, ...stripUndefined(quirks ?? {}) }, ports };
  problems.push(...checkGateway(config, t));
  return problems.length ? { ok: false, problems } : { ok: true, config };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

const USERNAME = /^[a-z0-9][a-z0-9._-]{0,31}$/i;
const DIGITS = /^\d{1,15}$/;

export function checkGateway(c: GatewayConfig, t: GatewayTemplate = gatewayTemplates[c.template]): FieldProblem[] {
  const p: FieldProblem[] = [];
  if (c.mode !== 'line' && !c.host) p.push({ field: 'host', message: `required: the ${c.mode === 'operator' ? "operator's" : "gateway's"} SIP address` });
  if (!Number.isInteger(c.sipPort) || c.sipPort < 1 || c.sipPort > 65535) p.push({ field: 'sipPort', message: 'must be 1–65535' });
  if (c.cityCode !== null && !validCityCode(c.cityCode)) p.push({ field: 'cityCode', message: 'must be a Russian area code: 3–5 digits, first 3–9 (495, 812, 3843)' });
  if (c.imei !== null && !(/^\d{15}$/.test(c.imei) && luhnValid(c.imei))) p.push({ field: 'imei', message: 'must be 15 digits with a valid check digit' });
  if (c.codecs.length === 0 || new Set(c.codecs).size !== c.codecs.length) p.push({ field: 'codecs', message: 'give each codec once, at least one' });
  else if (!c.codecs.includes('PCMA') && !c.codecs.includes('PCMU')) p.push({ field: 'codecs', message: 'must include PCMA or PCMU (G.711): other codecs are transcoded through it' });
  if (c.callerIdOrder.length === 0 || new Set(c.callerIdOrder).size !== c.callerIdOrder.length) p.push({ field: 'callerIdOrder', message: 'give each source (pai, rpid, from) at most once, at least one' });
  if (!Number.isInteger(c.optionsInterval) || !(c.optionsInterval === 0 || (c.optionsInterval >= 10 && c.optionsInterval <= 300))) p.push({ field: 'optionsInterval', message: '0 (off) or 10–300 seconds' });
  if (c.mode === 'operator' && c.ports.length) p.push({ field: 'ports', message: 'an operator FMC trunk has no ports' });
  if (t.maxPorts && c.ports.length > t.maxPorts) p.push({ field: 'ports', message: `at most ${t.maxPorts} ports for ${t.id}` });
  const seen = { username: new Map<string, number>(), did: new Map<string, number>(), prefix: new Map<string, number>() };
  c.ports.forEach((port, i) => {
    if (c.mode === 'line') {
      if (!port.username || !USERNAME.test(port.username)) p.push({ field: `ports[${i}].username`, message: 'must be 1–32 letters, digits, dot, dash or underscore' });
      else if (seen.username.has(port.username.toLowerCase())) p.push({ field: `ports[${i}].username`, message: `same as port ${seen.username.get(port.username.toLowerCase())}` });
      else seen.username.set(port.username.toLowerCase(), port.port);
    }
    if (c.mode === 'trunk') {
      for (const k of ['did', 'prefix'] as const) {
        const v = port[k];
        if (!v || !DIGITS.test(v)) p.push({ field: `ports[${i}].${k}`, message: 'must be 1–15 digits' });
        else if (seen[k].has(v)) p.push({ field: `ports[${i}].${k}`, message: `same as port ${seen[k].get(v)}` });
        else seen[k].set(v, port.port);
      }
      // The gateway picks the port by the leading digits: "1" would also take every "12…" call.
      for (const [other, n] of seen.prefix) if (port.prefix && other !== port.prefix && (port.prefix.startsWith(other) || other.startsWith(port.prefix)))
        p.push({ field: `ports[${i}].prefix`, message: `overlaps the prefix of port ${n}` });
    }
  });
  return p;
}
