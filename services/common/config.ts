// The one configuration schema of the appliance, with its defaults. Here in
// services/common because every service reads it; appliance/config loads it.
// Layers: defaults → config file → environment → command-line flags
// (see appliance/config/load.ts). What an admin edits at run time (extensions, trunks, …)
// lives in SQLite, not here.
import { isIP } from 'node:net';
import { z } from 'zod';

const port = z.number().int().min(1, 'expected 1–65535').max(65535, 'expected 1–65535');
const host = z.string().min(1, 'expected a host name or IP address');
const featureCode = /^[*#0-9]{2,6}$/;
/** An IPv4/IPv6 address with an optional prefix length within the family's bits. */
function isCidr(v: string): boolean {
  const [addr = '', bits, extra] = v.split('/');
  const family = isIP(addr);
  if (family === 0 || extra !== undefined) return false;
  return bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (family === 6 ? 128 : 32));
}

export const sipListenSchema = z.object({
  transport: z.enum(['udp', 'tcp', 'tls', 'ws', 'wss']),
  host,
  port,
});

export const configSchema = z
  .object({
    /** Data directory: korobka.db, recordings/, keys/, tls/, license/, branding/, backups/ */
    dataDir: z.string().min(1, 'expected a directory path').default('./var'),
    logLevel: z.enum(['debug', 'info', 'warn', 'error']).default('info'),
    /** Mask phone numbers, names and phones' addresses in logs (152-FZ). false only for a developer's debug session. */
    logMaskPersonalData: z.boolean().default(true),
    api: z
      .object({
        host: host.default('0.0.0.0'),
        port: port.default(8443),
        /** Public URL admins use, printed by the installer. Derived when empty. */
        publicUrl: z.string().default(''),
        sessionHours: z.number().positive().max(168).default(12),
        lockoutAttempts: z.number().int().min(1).max(100).default(5),
        lockoutMinutes: z.number().positive().max(1440).default(15),
        /** A session unused this long ends (it also ends sessionHours after sign-in, whatever the use). */
        idleMinutes: z.number().positive().max(1440).default(30),
        /** A one-time password (from init, an admin's create or reset) is refused this long after it was set. */
        oneTimePasswordHours: z.number().positive().max(720).default(72),
        /** scrypt cost as log2(N): 17 is OWASP's figure; lower only to speed up test runs. */
        scryptLogN: z.number().int().min(14, 'expected 14–20').max(20, 'expected 14–20').default(17),
      })
      .prefault({}),
    sip: z
      .object({
        listen: z.array(sipListenSchema).min(1, 'expected at least one listener').default([
          { transport: 'udp', host: '0.0.0.0', port: 5060 },
          { transport: 'tcp', host: '0.0.0.0', port: 5060 },
          { transport: 'tls', host: '0.0.0.0', port: 5061 },
        ]),
        /** Address advertised in Via/Contact when the box sits behind NAT. */
        publicAddress: z.string().default(''),
        /**
         * SIP over TLS (RFC 3261 §26, RFC 5630): certificate and key of the
         * tls listeners (empty: tls/server.crt and tls/server.key of the data
         * directory, the certificate HTTPS uses — the appliance CA's or the
         * bank's own), and whom outbound TLS (trunks) trusts.
         */
        tls: z
          .object({
            certFile: z.string().default(''),
            keyFile: z.string().default(''),
            /** Phones must present a certificate signed by clientCaFile (empty: tls/ca.crt); off by default: most phones have none. */
            requireClientCert: z.boolean().default(false),
            clientCaFile: z.string().default(''),
            /** Extra CA certificates (PEM file) trusted for outbound TLS besides the system's; trunks' certificates are always checked. */
            trustedCaFile: z.string().default(''),
          })
          .prefault({}),
        maxMessageBytes: z.number().int().min(1024).max(1_048_576).default(65_535),
        /**
         * RFC 3261 §17 timers. Timers B, F, H, J, L, M (and the wait for the
         * ACK of a 2xx, §13.3.1.4) are 64×T1; retransmissions start at T1 and
         * double up to T2; T4 is how long a message may linger in the network.
         */
        timers: z
          .object({
            t1Ms: z.number().int().min(50, 'expected 50–10000').max(10_000, 'expected 50–10000').default(500),
            t2Ms: z.number().int().min(50, 'expected 50–60000').max(60_000, 'expected 50–60000').default(4000),
            t4Ms: z.number().int().min(50, 'expected 50–60000').max(60_000, 'expected 50–60000').default(5000),
            /**
             * TESTS ONLY: the smallest Session-Expires sip-core accepts. RFC
             * 4028 §4 makes 90 s the floor for every peer; lower values exist
             * so that session-timer tests need not wait minutes.
             */
            testOnlyMinSessionExpiresS: z.number().int().min(2, 'expected 2–90').max(90, 'expected 2–90').default(90),
          })
          .prefault({}),
        /**
         * Flood and scan defences (README "Security"). Trusted networks (this
         * box's own processes, the admin's office) are never budgeted, shed or
         * banned; everyone else shares the budgets below.
         */
        security: z
          .object({
            trustedNetworks: z.array(z.string().refine(isCidr, 'expected an IP address or CIDR block')).default(['127.0.0.0/8', '::1/128']),
            /**
             * Requests from sources not yet authenticated (never answered 2xx:
             * scanners, floods, a phone's first REGISTER), per source and in all.
             * Registered phones and trunks that answered are outside these budgets.
             */
            unauthenticatedPerSourcePerSecond: z.number().int().min(1).max(100_000).default(50),
            unauthenticatedPerSourceBurst: z.number().int().min(1).max(100_000).default(100),
            unauthenticatedPerSecond: z.number().int().min(1).max(1_000_000).default(150),
            unauthenticatedBurst: z.number().int().min(1).max(1_000_000).default(300),
            /** A source over its unauthenticated budget is not even parsed for this long. */
            shedMs: z.number().int().min(100).max(600_000).default(1000),
            /** Server transactions waiting for their final response or ACK, in all and per source address. */
            maxServerTransactions: z.number().int().min(10).max(1_000_000).default(20_000),
            maxServerTransactionsPerSource: z.number().int().min(1).max(1_000_000).default(500),
            tcp: z
              .object({
                maxConnections: z.number().int().min(4).max(1_000_000).default(2048),
                /** Slots only sources we have answered 2xx (registered phones, trunks) or trusted ones may take. */
                reservedForKnown: z.number().int().min(0).max(1_000_000).default(512),
                maxPerSource: z.number().int().min(1).max(100_000).default(64),
                /** Per IPv4 /24 and per IPv6 /64. */
                maxPerSubnet: z.number().int().min(1).max(100_000).default(256),
                /** A connection that has not carried one complete SIP message by then is closed. */
                firstMessageMs: z.number().int().min(200).max(120_000).default(5000),
                /** Idle connections close; CRLF keep-alives count only on connections that carried a request we answered 2xx. */
                idleMs: z.number().int().min(1000).max(86_400_000).default(600_000),
              })
              .prefault({}),
          })
          .prefault({}),
      })
      .prefault({}),
    drachtio: z
      .object({
        host: host.default('127.0.0.1'),
        port: port.default(9022),
        /** Empty: generated at init and kept in keys/drachtio.secret. */
        secret: z.string().default(''),
        /** true: call-control dials an external drachtio-server; sip-core is not started. */
        external: z.boolean().default(false),
        /** Answered calls of an app that disconnected wait this long for its restart to adopt them; 0 hangs them up at once. */
        orphanGraceSeconds: z.number().int().min(0, 'expected 0–300').max(300, 'expected 0–300').default(30),
      })
      .prefault({}),
    rtpengine: z
      .object({
        enabled: z.boolean().default(true),
        binary: z.string().default('rtpengine'),
        /** Address rtpengine binds media to; the public one goes in advertisedAddress. */
        interface: host.default('127.0.0.1'),
        advertisedAddress: z.string().default(''),
        ngHost: host.default('127.0.0.1'),
        ngPort: port.default(22222),
        portMin: port.default(30000),
        portMax: port.default(40000),
        dtmfLogPort: port.default(22223),
      })
      .prefault({}),
    calls: z
      .object({
        /** A call nobody answers is ended after this long (CDR disposition no-answer, 480 to the caller). */
        ringTimeoutSeconds: z.number().int().min(1, 'expected 1–600').max(600, 'expected 1–600').default(45),
        /** After a restart, a call whose media has been silent this long is ended by CDR recovery. */
        recoveryIdleSeconds: z.number().int().min(1, 'expected 1–3600').max(3600, 'expected 1–3600').default(30),
        /** How often CDR recovery looks at calls a previous process left open. */
        recoverySweepSeconds: z.number().int().min(1, 'expected 1–3600').max(3600, 'expected 1–3600').default(60),
        /** call-control's local control channel (HTTP on a Unix socket, mode 0600) the api uses; empty: <dataDir>/run/call-control.sock. */
        controlSocket: z.string().default(''),
        /** An outbound INVITE the trunk has not answered at all (not even 100 Trying) this long goes to the next trunk of the route. */
        trunkFailoverSeconds: z.number().int().min(1, 'expected 1–60').max(60, 'expected 1–60').default(5),
        /**
         * Channels of an IP trunk whose own channel limit is 0 (none set): an IP trunk is known by a forgeable
         * UDP source address, so it gets a bound by default (issue 16 item 4); 0 here: no default bound.
         */
        ipTrunkChannels: z.number().int().min(0, 'expected 0–10000').max(10000, 'expected 0–10000').default(30),
      })
      .prefault({}),
    license: z
      .object({
        /**
         * Extra trusted licence-signing public keys (PEM files from
         * `korobka-license keygen`), for the vendor's test licences. A release
         * build refuses this setting: it trusts only the keys built into it.
         */
        developmentKeyFiles: z.array(z.string().min(1)).default([]),
      })
      .prefault({}),
    recordings: z
      .object({
        /** false: the recordings process is not started and nothing is converted. */
        enabled: z.boolean().default(true),
        format: z.enum(['opus', 'wav']).default('opus'),
        /** Opus bit rate for the two 8 kHz voice channels, bit/s. */
        opusBitrate: z.number().int().min(6000, 'expected 6000–128000').max(128000, 'expected 6000–128000').default(24000),
        /** Master key on separate media; absent: <dataDir>/keys/master.key, created on first start. */
        masterKeyPath: z.string().min(1, 'expected a file path').optional(),
        /** A capture of a dead rtpengine is converted once idle this long (rtpengine's silent-timeout is 1 h). */
        orphanIdleMs: z.number().int().min(1000).max(86_400_000).default(65 * 60_000),
        /** Retention for tenants that set none. */
        retentionDays: z.number().int().min(1, 'expected 1–36500').max(36500, 'expected 1–36500').default(365),
        /** Disk usage (percent) that raises a warning. */
        diskAlarmPercent: z.number().min(1).max(100).default(80),
        /** Disk usage (percent) at which new recordings are refused (calls go on unrecorded). */
        diskStopPercent: z.number().min(1).max(100).default(95),
        /** How often the spool is swept for finished captures. */
        sweepIntervalMs: z.number().int().min(200).max(3_600_000).default(15_000),
        /** Local hour after which the daily retention purge runs. */
        purgeHour: z.number().int().min(0).max(23).default(3),
        /** Conversions running at once, each on its own worker thread; 0: one per CPU core. */
        converters: z.number().int().min(0, 'expected 0–64').max(64, 'expected 0–64').default(0),
        /** Longest recording kept; audio beyond is cut and the alarm recordings-track-cut raised. */
        maxRecordingHours: z.number().min(1, 'expected 1–168').max(168, 'expected 1–168').default(24),
        /** First retry of a quarantined capture (one that failed conversion); the delay doubles up to a day. */
        quarantineRetryMs: z.number().int().min(1000, 'expected 1000–86400000').max(86_400_000, 'expected 1000–86400000').default(5 * 60_000),
        /** Codes pressed during a call (RFC 4733 DTMF): start/stop an on-demand recording, pause/resume one (card data). */
        featureCodes: z
          .object({
            toggleRecording: z.string().regex(featureCode, 'expected 2–6 of 0-9 * #').default('*1'),
            togglePause: z.string().regex(featureCode, 'expected 2–6 of 0-9 * #').default('*2'),
            /** A code's digits must follow each other within this many ms. */
            interDigitMs: z.number().int().min(200, 'expected 200–10000').max(10_000, 'expected 200–10000').default(2000),
          })
          .prefault({})
          .refine((c) => !c.toggleRecording.startsWith(c.togglePause) && !c.togglePause.startsWith(c.toggleRecording), {
            message: 'toggleRecording and togglePause must not start one another',
            path: ['togglePause'],
          }),
      })
      .prefault({}),
    audit: z
      .object({
        /**
         * The copy of the audit log's signed checkpoints outside the database
         * (better on other media); empty: <dataDir>/audit/checkpoints.jsonl.
         */
        checkpointFile: z.string().default(''),
        /** A checkpoint at least every this many audit rows… */
        checkpointEveryRows: z.number().int().min(1, 'expected 1–100000').max(100_000, 'expected 1–100000').default(100),
        /** …and every this many seconds while rows are uncovered (the api's timer). */
        checkpointEverySeconds: z.number().int().min(10, 'expected 10–86400').max(86_400, 'expected 10–86400').default(300),
      })
      .prefault({}),
    mail: z
      .object({
        /** false: the mail process is not started; the outbox still queues (nothing is lost, nothing is sent). */
        enabled: z.boolean().default(true),
        /** How often the outbox is looked at for due messages and the CDRs for missed calls. */
        pollMs: z.number().int().min(50, 'expected 50–60000').max(60_000, 'expected 50–60000').default(1000),
        /** First retry after a failed send; each next one waits twice as long, up to retryMaxMs. */
        retryBaseMs: z.number().int().min(50, 'expected 50–3600000').max(3_600_000, 'expected 50–3600000').default(30_000),
        retryMaxMs: z.number().int().min(50, 'expected 50–86400000').max(86_400_000, 'expected 50–86400000').default(3_600_000),
        /** Attempts before a message is marked failed (the default spans about 8 hours). */
        maxAttempts: z.number().int().min(1, 'expected 1–100').max(100, 'expected 1–100').default(14),
        /** Longest one SMTP conversation may take (connect, greeting, each command). */
        timeoutMs: z.number().int().min(1000, 'expected 1000–300000').max(300_000, 'expected 1000–300000').default(30_000),
        /** Sent messages are deleted after this many days (their bodies carry caller numbers). */
        keepSentDays: z.number().int().min(1, 'expected 1–3650').max(3650, 'expected 1–3650').default(30),
      })
      .prefault({}),
    supervisor: z
      .object({
        restartMinMs: z.number().int().min(50).max(60_000).default(500),
        restartMaxMs: z.number().int().min(100).max(600_000).default(15_000),
        stopTimeoutMs: z.number().int().min(100).max(60_000).default(8_000),
      })
      .prefault({}),
  });

/**
 * Rules across fields, checked on the merged input even when other fields
 * are wrong, so that every problem is reported in one go.
 */
export function crossFieldProblems(c: {
  sip?: { timers?: { t1Ms?: unknown; t2Ms?: unknown } };
  api?: { port?: unknown };
  drachtio?: { port?: unknown; external?: unknown };
  rtpengine?: { portMin?: unknown; portMax?: unknown; ngPort?: unknown; dtmfLogPort?: unknown; enabled?: unknown };
  supervisor?: { restartMinMs?: unknown; restartMaxMs?: unknown };
  recordings?: { diskAlarmPercent?: unknown; diskStopPercent?: unknown };
}): { path: string; message: string; got: unknown }[] {
  const out: { path: string; message: string; got: unknown }[] = [];
  const t1 = c.sip?.timers?.t1Ms ?? 500;
  const t2 = c.sip?.timers?.t2Ms ?? 4000;
  // RFC 3261 §17.1.2.2: retransmissions double from T1 up to T2.
  if (typeof t1 === 'number' && typeof t2 === 'number' && t1 > t2)
    out.push({ path: 'sip.timers.t2Ms', message: `must not be below sip.timers.t1Ms (${t1})`, got: t2 });
  const min = c.rtpengine?.portMin ?? 30000;
  const max = c.rtpengine?.portMax ?? 40000;
  if (typeof min === 'number' && typeof max === 'number' && min >= max)
    out.push({ path: 'rtpengine.portMax', message: `must be above rtpengine.portMin (${min})`, got: max });
  const rmin = c.supervisor?.restartMinMs ?? 500;
  const rmax = c.supervisor?.restartMaxMs ?? 15000;
  if (typeof rmin === 'number' && typeof rmax === 'number' && rmin > rmax)
    out.push({ path: 'supervisor.restartMaxMs', message: 'must not be below supervisor.restartMinMs', got: rmax });
  const warn = c.recordings?.diskAlarmPercent ?? 80;
  const stop = c.recordings?.diskStopPercent ?? 95;
  if (typeof warn === 'number' && typeof stop === 'number' && warn > stop)
    out.push({ path: 'recordings.diskStopPercent', message: `must not be below recordings.diskAlarmPercent (${warn})`, got: stop });
  out.push(...portClashes(c));
  return out;
}

/**
 * Two of the appliance's own listeners on one protocol and port: the second
 * would fail to bind at start (the DTMF listener on rtpengine's ng port, the
 * api on the drachtio port). SIP listeners on different specific addresses may
 * share a port.
 */
function portClashes(c: Parameters<typeof crossFieldProblems>[0]): { path: string; message: string; got: unknown }[] {
  const out: { path: string; message: string; got: unknown }[] = [];
  const seen: { field: string; protocol: string; host: string; port: unknown }[] = [];
  const listen = (c as { sip?: { listen?: unknown } }).sip?.listen;
  const sip = Array.isArray(listen) ? listen : listen === undefined ? [{ transport: 'udp', port: 5060 }, { transport: 'tcp', port: 5060 }, { transport: 'tls', port: 5061 }] : [];
  const external = c.drachtio?.external === true;
  const rtp = c.rtpengine?.enabled !== false;
  const wanted = [
    { field: 'api.port', protocol: 'tcp', host: '*', port: c.api?.port ?? 8443 },
    ...(external ? [] : sip.map((l: { transport?: unknown; host?: unknown; port?: unknown }, i) => ({ field: `sip.listen[${i}].port`, protocol: l.transport === 'udp' ? 'udp' : 'tcp', host: typeof l.host === 'string' && l.host !== '0.0.0.0' && l.host !== '::' ? l.host : '*', port: l.port }))),
    ...(external ? [] : [{ field: 'drachtio.port', protocol: 'tcp', host: '*', port: c.drachtio?.port ?? 9022 }]),
    ...(rtp ? [{ field: 'rtpengine.ngPort', protocol: 'udp', host: '*', port: c.rtpengine?.ngPort ?? 22222 }, { field: 'rtpengine.dtmfLogPort', protocol: 'udp', host: '*', port: c.rtpengine?.dtmfLogPort ?? 22223 }] : []),
  ];
  for (const w of wanted) {
    // A port that is itself wrong is reported by the schema already.
    if (typeof w.port !== 'number' || !Number.isInteger(w.port) || w.port < 1 || w.port > 65535) continue;
    const other = seen.find((s) => s.protocol === w.protocol && s.port === w.port && (s.host === '*' || w.host === '*' || s.host === w.host));
    if (other) out.push({ path: w.field, message: `must differ from ${other.field} (both ${w.protocol} ${w.port})`, got: w.port });
    else seen.push(w);
  }
  return out;
}

export type Config = z.infer<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
export type SipListen = z.infer<typeof sipListenSchema>;
