// Audit events as a SIEM reads them.
//
// syslog-cef: RFC 5424 messages whose MSG is an ArcSight CEF record, framed by
//   octet counting (RFC 5425 §4.3 over TLS; the same framing over plain TCP,
//   RFC 6587 §3.4.1), so a message may hold any byte and no newline escaping
//   is needed.
// jsonl: one JSON object per line (Vector, Logstash, Fluent Bit tcp inputs).
//
// Both carry the row id (CEF externalId, SD-PARAM id, JSON id): after a
// reconnect the forwarder may resend the last batch, and the id dedups it.
import type { AuditRow } from '../store';

export const siemFormats = ['syslog-cef', 'jsonl'] as const;
export type SiemFormat = (typeof siemFormats)[number];

/** RFC 5424 §6.2.1: facility 13 "log audit". */
const FACILITY_LOG_AUDIT = 13;
/** RFC 5424 severities: 6 informational, 4 warning, 3 error. */
const SEVERITY = { ok: 6, denied: 4, failed: 3 } as const;
/** CEF severity 0–10. */
const CEF_SEVERITY = { ok: 3, denied: 7, failed: 6 } as const;
/** RFC 5612: the enterprise number reserved for documentation and examples; ours until Korobka has its own PEN. */
const SD_ID = 'korobka@32473';

// CEF rules (ArcSight CEF implementation standard): in the header escape \ and |;
// in extension values escape \ and = and write line breaks as \n.
const cefHeader = (s: string) => s.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/[\r\n]+/g, ' ');
const cefValue = (s: string) => s.replace(/\\/g, '\\\\').replace(/=/g, '\\=').replace(/\r\n|\r|\n/g, '\\n');

// RFC 5424 §6.3.3: in PARAM-VALUE escape ", \ and ].
const sdValue = (s: string) => s.replace(/[\\"\]]/g, (c) => `\\${c}`);
// RFC 5424 §6: HOSTNAME, APP-NAME, MSGID are PRINTUSASCII (33–126) with length limits, or "-".
const printable = (s: string, max: number) => s.replace(/[^\x21-\x7e]/g, '_').slice(0, max) || '-';

export function toCef(r: AuditRow, version: string): string {
  const ext: [string, string][] = [
    ['rt', String(Date.parse(r.at))],
    ['act', r.action],
    ['outcome', r.outcome],
    ['suser', r.actor],
    ...(r.actorId !== null ? ([['suid', String(r.actorId)]] as [string, string][]) : []),
    ...(r.ip ? ([['src', r.ip]] as [string, string][]) : []),
    ['cs1Label', 'tenantId'],
    ['cs1', r.tenantId === null ? '' : String(r.tenantId)],
    ['cs2Label', 'target'],
    ['cs2', r.target],
    ['cs3Label', 'chainLink'],
    ['cs3', r.hash],
    ['externalId', String(r.id)],
    ['msg', JSON.stringify(r.details)],
  ];
  const header = ['CEF:0', 'Korobka', 'Korobka PBX', version, r.action, r.action, String(CEF_SEVERITY[r.outcome])].map((h, i) => (i === 0 ? h : cefHeader(h)));
  return `${header.join('|')}|${ext.map(([k, v]) => `${k}=${cefValue(v)}`).join(' ')}`;
}

export function toSyslog(r: AuditRow, o: { hostname: string; version: string }): string {
  const pri = FACILITY_LOG_AUDIT * 8 + SEVERITY[r.outcome];
  const sd = `[${SD_ID} id="${r.id}" tenant="${r.tenantId ?? ''}" outcome="${sdValue(r.outcome)}"]`;
  // RFC 5424 §6.1: VERSION 1; TIMESTAMP is RFC 3339 (the row's ISO time).
  return `<${pri}>1 ${r.at} ${printable(o.hostname, 255)} korobka - ${printable(r.action, 32)} ${sd} ${toCef(r, o.version)}`;
}

/** RFC 5425 §4.3 / RFC 6587 §3.4.1: MSG-LEN SP SYSLOG-MSG, the length in octets. */
export function octetCounted(msg: string): Buffer {
  const body = Buffer.from(msg, 'utf8');
  return Buffer.concat([Buffer.from(`${body.length} `, 'ascii'), body]);
}

export function toJsonLine(r: AuditRow): string {
  return JSON.stringify({ id: r.id, at: r.at, action: r.action, outcome: r.outcome, actorId: r.actorId, actor: r.actor, tenantId: r.tenantId, target: r.target, ip: r.ip, details: r.details, chainLink: r.hash }) + '\n';
}

export function frame(r: AuditRow, format: SiemFormat, o: { hostname: string; version: string }): Buffer {
  return format === 'jsonl' ? Buffer.from(toJsonLine(r), 'utf8') : octetCounted(toSyslog(r, o));
}
