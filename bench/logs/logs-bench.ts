// Log throughput with personal-data masking against the logger as it was
// before masking (a verbatim copy below) and with masking off, in one run.
// Records look like the SIP path's: Call-IDs, branches, URIs with numbers,
// source addresses, statuses; a third of them carry no personal data at all.
import { createLogger, type Logger } from '../../services/common/logger';

// The logger before issue 15, copied so the baseline does not move with the code.
const oldSecretKey = /pass(word)?|secret|token|authorization|cookie|private|key$|^ha1$/i;
function oldRedact(value: unknown, depth = 0): unknown {
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack };
  if (Array.isArray(value)) return value.map((v) => oldRedact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = oldSecretKey.test(k) ? '[redacted]' : oldRedact(v, depth + 1);
  return out;
}
function oldLogger(sink: (l: string) => void, base: Record<string, unknown>): Pick<Logger, 'info'> {
  return {
    info: (msg, fields) => sink(JSON.stringify({ time: new Date().toISOString(), level: 'info', msg, ...base, ...(fields ? (oldRedact(fields) as object) : {}) })),
  };
}

const records: Array<[string, Record<string, unknown>]> = [
  ['request received', { callId: '3f2a9c1e7b5d4e60a8c2@192.0.2.10', method: 'INVITE', from: 'sip:+79161234567@192.0.2.10', to: 'sip:84951234567@korobka.local', branch: 'z9hG4bK-5249-1-0', source: '192.0.2.10:5060' }],
  ['response sent', { callId: '3f2a9c1e7b5d4e60a8c2@192.0.2.10', status: 180, dialogId: 'd-8841', durationMs: 12 }],
  ['call transferred', { callId: 'a8c2-3f2a-9c1e', referTo: '<sip:89161234567@korobka.local>', extension: '501', party: { name: 'Иван Петров', number: '+79161234567' } }],
  ['transaction timed out', { txnId: 't-19981', branch: 'z9hG4bK-88', method: 'OPTIONS', retryInMs: 500, trunkId: 3 }],
  ['request authentication failed', { source: '198.51.100.23', method: 'REGISTER', code: 401, username: '502', tenantId: 1 }],
  ['state', { callId: '77d1e0b2c4', state: 'answered', side: 'b' }],
];

function run(log: Pick<Logger, 'info'>, n: number): number {
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const [m, f] = records[i % records.length]!;
    log.info(m, f);
  }
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

export function main(n: number, rounds: number): void {
  let bytes = 0;
  const sink = (l: string) => {
    bytes += l.length;
  };
  const base = { service: 'call-control', callId: '3f2a9c1e7b5d4e60a8c2' };
  const variants: Record<string, Pick<Logger, 'info'>> = {
    before: oldLogger(sink, base),
    maskingOff: createLogger({ sink, maskPersonalData: false }).child(base),
    maskingOn: createLogger({ sink, maskPersonalData: true }).child(base),
  };
  const best: Record<string, number> = {};
  // Interleaved rounds, best of each: the machine is shared, so the fastest round is the least disturbed.
  for (let r = 0; r < rounds; r++) {
    for (const [name, log] of Object.entries(variants)) {
      const s = run(log, n);
      best[name] = Math.max(best[name] ?? 0, n / s);
    }
  }
  const perSec = Object.fromEntries(Object.entries(best).map(([k, v]) => [k, Math.round(v)]));
  console.log(`lines/s (best of ${rounds} rounds of ${n}): before ${perSec.before}, masking off ${perSec.maskingOff}, masking on ${perSec.maskingOn}`);
  console.log(`masking on / before: ${(best.maskingOn! / best.before!).toFixed(2)} (bytes written ${bytes})`);
  console.log(JSON.stringify({ linesPerSec: perSec, ratioOnToBefore: Number((best.maskingOn! / best.before!).toFixed(3)), ratioOffToBefore: Number((best.maskingOff! / best.before!).toFixed(3)) }));
}
