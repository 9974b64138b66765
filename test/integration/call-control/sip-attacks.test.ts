// Issue 16 items 3 and 7 as the attack test ran them, against the real
// appliance (sip-core + call-control, started by the supervisor): sources are
// many loopback addresses (127.0.x.y), none trusted but 127.0.0.1.
//  - garbage Authorization headers and nonces replayed from another address
//    never ban a source; wrong answers to a nonce we issued to it do, and a
//    banned source then gets no answer at all;
//  - an unauthenticated INVITE gets one 100 and one 407, with no 407
//    retransmissions and no transaction left behind;
//  - a flood of unauthenticated INVITEs from one address is shed while
//    OPTIONS and REGISTER from other addresses keep being answered.
import { createHash, randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProcess, testOutputDir } from '../../helpers/processes';
import { startPbx, waitFor, type Pbx } from './pbx';
import { SipUdpClient, type SipResponse } from './sip-udp-client';

const md5 = (s: string) => createHash('md5').update(s).digest('hex');
let pbx: Pbx;

beforeAll(async () => {
  pbx = await startPbx('sip-attacks', ['201'], { sip: { security: { trustedNetworks: ['127.0.0.1/32', '::1/128'] } } });
}, 120_000);
afterAll(async () => {
  await pbx?.close();
});

/** Digest for 201 (MD5, qop=auth) against the nonce of `challenge`, with `password`. */
function authorization(challenge: SipResponse, password: string, nc = '00000001'): string {
  const row = challenge.all('www-authenticate').find((v) => v.endsWith('algorithm=MD5'))!;
  const nonce = /nonce="([^"]+)"/.exec(row)![1]!;
  const response = md5(`${md5(`201:${pbx.domain}:${password}`)}:${nonce}:${nc}:c1:auth:${md5(`REGISTER:sip:${pbx.domain}`)}`);
  return `Digest username="201", realm="${pbx.domain}", nonce="${nonce}", uri="sip:${pbx.domain}", response="${response}", algorithm=MD5, qop=auth, nc=${nc}, cnonce="c1"`;
}

async function phone(local: string): Promise<SipUdpClient> {
  return SipUdpClient.open({ host: '127.0.0.1', port: pbx.app.ports.sip }, local);
}

/** A full REGISTER with the right password from `client`: the final status. */
async function registerProperly(client: SipUdpClient, timeoutMs = 5000): Promise<number> {
  const challenge = await client.register({ user: '201', domain: pbx.domain, timeoutMs });
  if (challenge.status !== 401) return challenge.status;
  return (await client.register({ user: '201', domain: pbx.domain, timeoutMs, headers: { Authorization: authorization(challenge, 'pw-201') } })).status;
}

async function sipCoreHealth(): Promise<Record<string, any>> { // eslint-disable-line @typescript-eslint/no-explicit-any -- health JSON
  const procs = (await pbx.app.get('/api/health')).body.processes as Array<{ name: string; health: Record<string, unknown> }>;
  return procs.find((p) => p.name === 'sip-core')!.health;
}

/** A UDP socket on a loopback address that records every response it gets. */
async function rawSource(local: string) {
  const sock = dgram.createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, local, () => r()));
  const got: Array<{ at: number; status: number; text: string }> = [];
  /** Round-trip times of requests sent with `timed`, by Via branch. */
  const pending = new Map<string, number>();
  const rtts: number[] = [];
  sock.on('message', (b) => {
    const text = b.toString();
    const m = /^SIP\/2\.0 (\d{3})/.exec(text);
    if (!m) return;
    got.push({ at: Date.now(), status: Number(m[1]), text });
    const branch = /branch=([^;\s]+)/.exec(text)?.[1];
    const at = branch === undefined ? undefined : pending.get(branch);
    if (at !== undefined && branch !== undefined) {
      pending.delete(branch);
      rtts.push(Date.now() - at);
    }
  });
  const port = sock.address().port;
  return {
    port,
    got,
    rtts,
    pending,
    send: (text: string) => sock.send(text, pbx.app.ports.sip, '127.0.0.1'),
    /** Sends a request as a UA does over UDP (RFC 3261 §17.1.2.2: again after T1, 2×T1, … until answered) and times it. */
    timed: (text: string, branch: string) => {
      pending.set(branch, Date.now());
      const resend = (interval: number) => {
        if (!pending.has(branch) || interval > 4000) return;
        sock.send(text, pbx.app.ports.sip, '127.0.0.1');
        setTimeout(() => resend(interval * 2), interval).unref();
      };
      resend(500);
    },
    close: () => sock.close(),
  };
}

function invite(local: string, port: number, callId = randomBytes(8).toString('hex')): string {
  const branch = `z9hG4bK${randomBytes(6).toString('hex')}`;
  return [
    `INVITE sip:202@${pbx.domain} SIP/2.0`,
    `Via: SIP/2.0/UDP ${local}:${port};branch=${branch};rport`,
    'Max-Forwards: 70',
    `From: <sip:201@${pbx.domain}>;tag=${randomBytes(4).toString('hex')}`,
    `To: <sip:202@${pbx.domain}>`,
    `Call-ID: ${callId}`,
    'CSeq: 1 INVITE',
    `Contact: <sip:201@${local}:${port}>`,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
}

function options(local: string, port: number): { text: string; branch: string } {
  const branch = `z9hG4bK${randomBytes(6).toString('hex')}`;
  const text = [
    `OPTIONS sip:${pbx.domain} SIP/2.0`,
    `Via: SIP/2.0/UDP ${local}:${port};branch=${branch};rport`,
    'Max-Forwards: 70',
    `From: <sip:probe@${pbx.domain}>;tag=${randomBytes(4).toString('hex')}`,
    `To: <sip:${pbx.domain}>`,
    `Call-ID: ${randomBytes(8).toString('hex')}`,
    'CSeq: 1 OPTIONS',
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
  return { text, branch };
}

describe('spoofable failures never ban (issue 16 item 3)', () => {
  it('garbage Authorization headers from a source are answered 400 and never ban it', async () => {
    const c = await phone('127.0.3.10');
    try {
      const garbage = ['Digest username="201"', 'Basic MjAxOnBhc3M=', 'Digest ,,,', `Digest username="201", realm="${pbx.domain}", nonce="x", uri="sip:x", response="zz", qop=auth, nc=1, cnonce="c"`];
      for (let i = 0; i < 20; i++) {
        const r = await c.register({ user: '201', domain: pbx.domain, headers: { Authorization: garbage[i % garbage.length]! } });
        expect(r.status).toBe(400);
      }
      expect(await registerProperly(c)).toBe(200);
    } finally {
      c.close();
    }
  });

  it('wrong answers to a nonce issued to another address count against nobody', async () => {
    const victim = await phone('127.0.3.11');
    const spoofer = await phone('127.0.3.12');
    try {
      const challenge = await victim.register({ user: '201', domain: pbx.domain });
      for (let i = 1; i <= 15; i++) {
        const r = await spoofer.register({ user: '201', domain: pbx.domain, headers: { Authorization: authorization(challenge, 'guess', `0000000${(i % 9) + 1}`) } });
        expect(r.status).toBe(401); // the nonce is not valid from here: a new challenge, no strike
      }
      expect(await registerProperly(spoofer)).toBe(200);
      expect(await registerProperly(victim)).toBe(200);
    } finally {
      victim.close();
      spoofer.close();
    }
  });

  it('wrong passwords to its own nonces ban a source; the ban is stored, and the source gets no answer at all', async () => {
    const guesser = await phone('127.0.3.13');
    try {
      for (let i = 1; i <= 9; i++) {
        const challenge = await guesser.register({ user: '201', domain: pbx.domain });
        expect(challenge.status).toBe(401);
        expect((await guesser.register({ user: '201', domain: pbx.domain, headers: { Authorization: authorization(challenge, `guess-${i}`) } })).status).toBe(401);
      }
      const challenge = await guesser.register({ user: '201', domain: pbx.domain });
      // The 10th wrong answer bans: sip-core sends nothing (not even the 403) from then on.
      await expect(guesser.register({ user: '201', domain: pbx.domain, headers: { Authorization: authorization(challenge, 'guess-10') } })).rejects.toThrow(/no final response/);
      await expect(registerProperly(guesser)).rejects.toThrow(/no final response/);
      await waitFor(() => pbx.store.sipBans.active(Date.now()).some((b) => b.ip === '127.0.3.13'), 5000, 'the ban row');
      await waitFor(async () => (await sipCoreHealth()).transport.policy.silenced > 0, 5000, 'sip-core to count silenced packets');
    } finally {
      guesser.close();
    }
  });
});

describe('unauthenticated INVITEs cost no state (issue 16 item 7)', () => {
  it('answers an unauthenticated INVITE with one 100 and one 407, never retransmitted, and keeps no transaction', async () => {
    const src = await rawSource('127.0.4.1');
    try {
      src.send(invite('127.0.4.1', src.port));
      // Timer G would resend the 407 at 0.5, 1.5 and 3.5 s: wait past all three.
      await new Promise((r) => setTimeout(r, 4000));
      expect(src.got.filter((g) => g.status === 407)).toHaveLength(1);
      expect(src.got.filter((g) => g.status === 100).length).toBeLessThanOrEqual(1);
      expect(src.got.every((g) => g.status === 100 || g.status === 407)).toBe(true);
      await waitFor(async () => (await sipCoreHealth()).transactions.serverTransactions === 0, 5000, 'no server transaction left');
    } finally {
      src.close();
    }
  });

  it('sheds a flood of unauthenticated INVITEs from one address; OPTIONS and REGISTER from others stay answered', async () => {
    const prober = await rawSource('127.0.4.3');
    const legit = await phone('127.0.4.4');
    try {
      // 3,000 INVITEs a second for 6 s from 127.0.4.2, by bench/sip-flood's generator in its own process.
      const gen = startProcess(process.execPath, ['bench/sip-flood/flood-gen.mjs', '--target', `127.0.0.1:${pbx.app.ports.sip}`, '--kind', 'invite', '--first', '127.0.4.2', '--sources', '1', '--rate', '3000', '--seconds', '6', '--domain', pbx.domain], {
        logFile: path.join(testOutputDir('call-control'), 'sip-attacks-flood.log'),
        timeoutMs: 30_000,
      });
      const floodUntil = Date.now() + 6000;
      // An OPTIONS every 100 ms from another address, each timed.
      let probes = 0;
      const probe = setInterval(() => {
        if (Date.now() > floodUntil) return clearInterval(probe);
        const { text, branch } = options('127.0.4.3', prober.port);
        prober.timed(text, branch);
        probes++;
      }, 100);
      await new Promise((r) => setTimeout(r, 2000));
      // Mid-flood, a phone registers (its own retransmission timer is its patience: 10 s here).
      expect(await registerProperly(legit, 10_000)).toBe(200);
      expect(await gen.exited).toBe(0);
      const summary = JSON.parse(gen.output().trim().split('\n').pop()!) as { sent: number; received: number };
      await waitFor(() => Date.now() > floodUntil + 5000, 15_000, 'the probes to settle');
      expect(summary.sent).toBeGreaterThan(12_000);
      expect(probes).toBeGreaterThan(40);
      expect(prober.rtts).toHaveLength(probes); // every OPTIONS answered
      const rtts = [...prober.rtts].sort((a, b) => a - b);
      // Latency itself is bench/sip-flood's measure (this machine is shared by many test runs); here:
      // before the fix the flood left OPTIONS unanswered for its whole length.
      expect(rtts[rtts.length - 1]!).toBeLessThan(5000);
      const h = await sipCoreHealth();
      expect(h.transport.policy.shedBeforeParse).toBeGreaterThan(5000);
      expect(h.transactions.serverTransactions).toBeLessThan(600);
      // The flooder got at most its budget of answers, far fewer than it sent.
      expect(summary.received).toBeLessThan(summary.sent / 5);
    } finally {
      prober.close();
      legit.close();
    }
  }, 60_000);
});
