// The two kinds of metadata beside a capture:
//
// 1. rtpengine's metadata file (`<recording-dir>/metadata/rtpengine-meta-<call>.txt`,
//    moved there from tmp/ when the call ends): the pcap path on line 1, the
//    SDPs when recording was on at offer/answer time ("SDP mode: offer" blocks),
//    call start/end times, and at the end the `metadata` string we passed.
// 2. Our metadata string inside it, which call-control builds with
//    `encodeRecordingMetadata`: `korobka=1|rec=…|tenant=…|cdr=…|caller=…|callee=…|left=…|right=…`
//    with percent-encoded values. It makes every capture self-describing, so a
//    capture left over by a crash can be converted without asking anyone.
import { metadataInvalid } from './errors';
import type { ChannelMap } from './stereo-track';

export interface RtpengineMetadata {
  pcapPath: string | undefined;
  sdps: Array<{ mode: string; sdp: string }>;
  callStart: string | undefined;
  callEnd: string | undefined;
  /** The `metadata` string given to rtpengine (last one set). */
  appMetadata: string;
}

export function parseRtpengineMetadata(text: string): RtpengineMetadata {
  const lines = text.split(/\r?\n/);
  const out: RtpengineMetadata = { pcapPath: undefined, sdps: [], callStart: undefined, callEnd: undefined, appMetadata: '' };
  const first = lines[0]?.trim();
  if (first && first.startsWith('/')) out.pcapPath = first;
  let endIdx = -1;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const mode = /^SDP mode: (\S+)/.exec(line);
    if (mode) {
      let j = i + 1;
      while (j < lines.length && !/^v=/.test(lines[j] ?? '')) j++;
      const sdp: string[] = [];
      while (j < lines.length && /^[a-z]=/.test(lines[j] ?? '')) sdp.push(lines[j++] ?? '');
      out.sdps.push({ mode: mode[1] ?? '', sdp: sdp.join('\r\n') + '\r\n' });
      i = j - 1;
      continue;
    }
    const start = /^call start time: (.+)$/.exec(line);
    if (start) out.callStart = start[1]?.trim();
    const end = /^call end time: (.+)$/.exec(line);
    if (end) {
      out.callEnd = end[1]?.trim();
      endIdx = i;
    }
  }
  if (endIdx >= 0) out.appMetadata = lines.slice(endIdx + 1).map((l) => l.trim()).filter(Boolean).join('');
  return out;
}

export interface RecordingMetadata {
  recordingId?: string;
  tenantId?: string;
  cdrId?: string;
  caller?: string;
  callee?: string;
  /** Endpoints (`addr:port`) of the caller's / callee's media: either side of their packets. */
  channels?: ChannelMap;
  /** Wall-clock spans (epoch ms) when recording was paused: silenced in the audio. */
  paused?: Array<{ fromMs: number; toMs: number }>;
  /**
   * Set on the capture that a pause ended (epoch ms): rtpengine 10.5 cannot
   * pause, so call-control stops the capture and a resume starts a new one
   * with the same recording id (capture-groups.ts waits for it).
   */
  pausedAt?: number;
}

const KEYS = { rec: 'recordingId', tenant: 'tenantId', cdr: 'cdrId', caller: 'caller', callee: 'callee' } as const;

export function encodeRecordingMetadata(m: RecordingMetadata): string {
  const parts = ['korobka=1'];
  for (const [k, field] of Object.entries(KEYS)) {
    const v = m[field];
    if (v !== undefined) parts.push(`${k}=${encodeURIComponent(v)}`);
  }
  if (m.channels) {
    parts.push(`left=${m.channels.left.map(encodeURIComponent).join(',')}`);
    parts.push(`right=${m.channels.right.map(encodeURIComponent).join(',')}`);
  }
  if (m.paused?.length) parts.push(`paused=${m.paused.map((p) => `${p.fromMs}-${p.toMs}`).join(',')}`);
  if (m.pausedAt !== undefined) parts.push(`pausedAt=${m.pausedAt}`);
  return parts.join('|');
}

/** Our fields from a metadata string; a string without `korobka=1` yields nothing (not ours). */
export function decodeRecordingMetadata(s: string): RecordingMetadata {
  const fields = new Map<string, string>();
  for (const part of s.split('|')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
  }
  if (fields.get('korobka') !== '1') return {};
  const dec = (v: string, key: string) => {
    try {
      return decodeURIComponent(v);
    } catch {
      throw metadataInvalid(`${key}: bad percent-encoding`);
    }
  };
  const out: RecordingMetadata = {};
  for (const [k, field] of Object.entries(KEYS)) {
    const v = fields.get(k);
    if (v) out[field] = dec(v, k);
  }
  const list = (k: string) => (fields.get(k) ?? '').split(',').filter(Boolean).map((v) => dec(v, k));
  if (fields.has('left') || fields.has('right')) out.channels = { left: list('left'), right: list('right') };
  if (fields.has('paused')) out.paused = list('paused').map(pausedSpan);
  const pausedAt = fields.get('pausedAt');
  if (pausedAt !== undefined) {
    if (!/^\d{1,15}$/.test(pausedAt)) throw metadataInvalid(`pausedAt: expected epoch ms, got ${JSON.stringify(pausedAt)}`);
    out.pausedAt = Number(pausedAt);
  }
  return out;
}

function pausedSpan(v: string): { fromMs: number; toMs: number } {
  const m = /^(\d{1,15})-(\d{1,15})$/.exec(v);
  const fromMs = Number(m?.[1]);
  const toMs = Number(m?.[2]);
  if (!m || toMs < fromMs) throw metadataInvalid(`paused: expected <from ms>-<to ms> with from ≤ to, got ${JSON.stringify(v)}`);
  return { fromMs, toMs };
}

function mediaEndpoints(sdp: string): string[] {
  const session = /^c=IN IP[46] (\S+)/m.exec(sdp.split(/^m=/m)[0] ?? '')?.[1];
  const out: string[] = [];
  for (const media of sdp.split(/^(?=m=)/m).slice(1)) {
    const port = /^m=audio (\d+)/.exec(media)?.[1];
    const addr = /^c=IN IP[46] (\S+)/m.exec(media)?.[1] ?? session;
    if (port && addr && port !== '0') out.push(addr.includes(':') ? `[${addr}]:${port}` : `${addr}:${port}`);
  }
  return out;
}

/**
 * Channels from the SDPs rtpengine logged (present when recording was on at
 * offer time). They are rtpengine's rewritten SDPs: the offer went to the
 * callee, so the callee sends to its address (right); the answer went back to
 * the caller, so the caller sends to the answer's address (left).
 */
export function channelsFromSdps(sdps: RtpengineMetadata['sdps']): ChannelMap | undefined {
  const left = sdps.filter((s) => s.mode === 'answer').flatMap((s) => mediaEndpoints(s.sdp));
  const right = sdps.filter((s) => s.mode === 'offer').flatMap((s) => mediaEndpoints(s.sdp));
  return left.length && right.length ? { left, right } : undefined;
}
