// Debian's baresip (1.0) as a headless phone: audio from a WAV file (aufile),
// every received stream dumped to WAV (sndfile), commands and events as JSON
// netstrings over ctrl_tcp on a free loopback port. One process per phone,
// stopped by its pid.
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { freePort, freeTcpPort, randomPortRange } from '../../helpers/ports';
import { startProcess, type Started } from '../../helpers/processes';
import { readWav, writeToneWav, type Wav } from './wav';

export interface BaresipEvent {
  type: string;
  class?: string;
  param?: string;
  peeruri?: string;
  [k: string]: unknown;
}

export interface BaresipOptions {
  dir: string;
  extension: string;
  password: string;
  domain: string;
  /** The PBX's SIP port on 127.0.0.1 (outbound proxy: the SIP domain does not resolve). */
  pbxPort: number;
  /** The tone this phone sends. */
  toneHz: number;
}

/** A port free for UDP and TCP whose next port is free for TCP too: baresip binds SIP/TLS there. */
async function sipPortPair(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = await freePort();
    const next = await new Promise<boolean>((resolve) => {
      const srv = net.createServer();
      srv.once('error', () => resolve(false));
      srv.listen(port + 1, '127.0.0.1', () => srv.close(() => resolve(true)));
    });
    if (next) return port;
  }
  throw new Error('no free pair of SIP ports on 127.0.0.1');
}

export class Baresip {
  readonly events: BaresipEvent[] = [];
  private buf = Buffer.alloc(0);
  private token = 0;
  private readonly pending = new Map<string, (r: { ok: boolean; data: string }) => void>();

  private constructor(
    readonly opts: BaresipOptions,
    readonly proc: Started,
    private readonly sock: net.Socket,
    readonly sipPort: number,
  ) {
    sock.on('data', (d: Buffer) => this.onData(d));
  }

  static async start(o: BaresipOptions): Promise<Baresip> {
    mkdirSync(path.join(o.dir, 'dumps'), { recursive: true });
    const sipPort = await sipPortPair();
    let ctrlPort = await freeTcpPort();
    // baresip listens for SIP/TLS on sip_listen's port + 1 (seen as "SIP/TLS transport failed: Address already in use").
    while (ctrlPort === sipPort || ctrlPort === sipPort + 1) ctrlPort = await freeTcpPort();
    const rtp = randomPortRange(20);
    writeToneWav(path.join(o.dir, 'tone.wav'), o.toneHz, 60);
    writeFileSync(
      path.join(o.dir, 'config'),
      [
        `sip_listen 127.0.0.1:${sipPort}`,
        `audio_source aufile,${path.join(o.dir, 'tone.wav')}`,
        // No sound card here: aubridge is a player that pulls at the packet rate and drops the audio; sndfile has already dumped it.
        'audio_player aubridge,play',
        'audio_alert aubridge,alert',
        `rtp_ports ${rtp.min}-${rtp.max}`,
        'net_interface 127.0.0.1',
        'module_path /usr/lib/baresip/modules',
        'module g711.so',
        'module aufile.so',
        'module aubridge.so',
        'module sndfile.so',
        'module_app account.so',
        'module_app menu.so',
        'module_app ctrl_tcp.so',
        `ctrl_tcp_listen 127.0.0.1:${ctrlPort}`,
        `snd_path ${path.join(o.dir, 'dumps')}`,
        '',
      ].join('\n'),
    );
    // answermode=manual: the test accepts calls, so it sees CALL_INCOMING first.
    writeFileSync(
      path.join(o.dir, 'accounts'),
      `<sip:${o.extension}@${o.domain}>;auth_user=${o.extension};auth_pass=${o.password};outbound="sip:127.0.0.1:${o.pbxPort}";regint=300;answermode=manual;audio_codecs=PCMA,PCMU\n`,
    );
    writeFileSync(path.join(o.dir, 'contacts'), '');
    const proc = startProcess('baresip', ['-f', o.dir, '-v'], {
      logFile: path.join(o.dir, 'baresip.log'),
      timeoutMs: 240_000,
      cwd: o.dir,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const sock = await connectWithRetry(ctrlPort, proc);
    return new Baresip(o, proc, sock, sipPort);
  }

  private onData(d: Buffer): void {
    this.buf = Buffer.concat([this.buf, d]);
    for (;;) {
      const colon = this.buf.indexOf(':');
      if (colon < 0) return;
      const len = Number(this.buf.toString('ascii', 0, colon));
      if (this.buf.length < colon + 1 + len + 1) return;
      const msg = JSON.parse(this.buf.toString('utf8', colon + 1, colon + 1 + len)) as Record<string, unknown>;
      this.buf = this.buf.subarray(colon + 1 + len + 1);
      if (msg.event) this.events.push(msg as BaresipEvent);
      else if (msg.response) this.pending.get(String(msg.token))?.({ ok: Boolean(msg.ok), data: String(msg.data ?? '') });
    }
  }

  /** A menu command (`dial`, `accept`, `hangup`, `hold`, `resume`, `sndcode`, `transfer`, `reginfo`). */
  command(command: string, params?: string): Promise<{ ok: boolean; data: string }> {
    const token = String(++this.token);
    const body = Buffer.from(JSON.stringify({ command, params, token }));
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`baresip ${this.opts.extension}: no answer to ${command}`)), 20_000);
      this.pending.set(token, (r) => {
        clearTimeout(t);
        resolve(r);
      });
      this.sock.write(Buffer.concat([Buffer.from(`${body.length}:`), body, Buffer.from(',')]));
    });
  }

  /**
   * The account's registration as `reginfo` shows it: OK, ERR, or zzz (not yet).
   * Not from events: the first REGISTER is answered before the control socket connects.
   */
  async registration(): Promise<'OK' | 'ERR' | 'zzz'> {
    const r = await this.command('reginfo');
    // eslint-disable-next-line no-control-regex -- the status is wrapped in ANSI colour codes
    const m = /\b(OK|ERR|zzz)\b/.exec(r.data.replace(/\u001b\[[;\d]*m/g, ''));
    return (m?.[1] as 'OK' | 'ERR' | 'zzz' | undefined) ?? 'zzz';
  }

  /** Waits until the registration is settled (OK or ERR) and returns it. */
  async registered(timeoutMs = 30_000): Promise<'OK' | 'ERR'> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const r = await this.registration();
      if (r !== 'zzz') return r;
      if (Date.now() > end) throw new Error(`baresip ${this.opts.extension}: registration not settled in ${timeoutMs} ms`);
      await new Promise((res) => setTimeout(res, 200));
    }
  }

  /** Waits for an event of `type` (after the `since`-th event) and returns it. */
  async waitEvent(type: string, timeoutMs = 30_000, since = 0): Promise<BaresipEvent> {
    const end = Date.now() + timeoutMs;
    for (;;) {
      const e = this.events.slice(since).find((x) => x.type === type);
      if (e) return e;
      if (Date.now() > end)
        throw new Error(
          `baresip ${this.opts.extension}: no ${type} in ${timeoutMs} ms; events: ${this.events.map((x) => x.type).join(' ')}`,
        );
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** The received-audio dumps sndfile wrote (one per call stream, `dump-<time>-dec.wav`). */
  received(): Wav[] {
    const dir = path.join(this.opts.dir, 'dumps');
    return readdirSync(dir)
      .filter((f) => f.endsWith('-dec.wav'))
      .sort()
      .map((f) => readWav(path.join(dir, f)));
  }

  async stop(): Promise<void> {
    this.sock.destroy();
    await this.proc.stop('SIGTERM', 5000);
  }
}

async function connectWithRetry(port: number, proc: Started): Promise<net.Socket> {
  const end = Date.now() + 30_000;
  for (;;) {
    try {
      return await new Promise<net.Socket>((resolve, reject) => {
        const s = net.connect(port, '127.0.0.1', () => resolve(s));
        s.once('error', reject);
      });
    } catch (e) {
      if (proc.child.exitCode !== null || Date.now() > end)
        throw new Error(`baresip ctrl_tcp on ${port} not reachable: ${String(e)}\n${proc.output().slice(-2000)}`, { cause: e });
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}
