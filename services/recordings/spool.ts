// Finds captures in rtpengine's `--recording-dir` (B.2 of the rtpengine notes):
//   pcaps/<call-id>-<16 hex>.pcap               the packets
//   tmp/rtpengine-meta-<call-id>-<16 hex>.tmp   metadata while the call runs
//   metadata/rtpengine-meta-<…>.txt             moved there when the call ends
// A finished capture has its .txt. A capture whose rtpengine died (box crash,
// kill -9) keeps its .tmp forever and its pcap is cut where stdio's buffer
// was (seen here: 40,960 bytes, 189.5 records); it is an orphan once its pcap
// has been idle long enough and rtpengine no longer knows the call.
import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { parseRtpengineMetadata } from './capture-metadata';

export interface SpoolCapture {
  callId: string;
  pcapPath: string;
  metadataPath: string;
  /** Left by a dead rtpengine: metadata never finished, pcap may be cut. */
  orphan: boolean;
  problem?: { code: string; message: string };
}

export interface SpoolOptions {
  /**
   * A .tmp capture whose pcap has not changed for this long is an orphan.
   * Default 65 min: longer than rtpengine's default silent-timeout (3600 s),
   * after which it drops a call that sends nothing.
   */
  orphanIdleMs?: number;
  /** Asks rtpengine (ng `query`) whether the call still exists; without it only idleness counts. */
  isCallLive?: (callId: string) => Promise<boolean>;
  /**
   * Whether the call a CDR id names is still in progress (the CDR is open).
   * A paused capture waits while it is: rtpengine's answer alone is not
   * enough, a query lost on a loaded box reads as "gone".
   */
  isCdrOpen?: (cdrId: string) => boolean;
  now?: () => number;
}

export const DEFAULT_ORPHAN_IDLE_MS = 65 * 60_000;

/** rtpengine's `--recording-dir` as the supervisor sets it (appliance/supervisor/rtpengine-args.ts). */
export const spoolDirOf = (dataDir: string): string => path.join(dataDir, 'recordings', 'spool');

/**
 * `rtpengine-meta-<call-id>-<16 hex>.txt|.tmp` → call-id. rtpengine
 * percent-encodes the call id in file names (seen here: `1-15002%40127.0.0.1`
 * for `1-15002@127.0.0.1`); the ng protocol wants it decoded.
 */
export function callIdOf(metadataName: string): string {
  const raw = metadataName.replace(/^rtpengine-meta-/, '').replace(/-[0-9a-f]{16}\.(txt|tmp)$/, '');
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

async function describe(dir: string, name: string, pcapDir: string, orphan: boolean): Promise<SpoolCapture> {
  const metadataPath = path.join(dir, name);
  const parsed = parseRtpengineMetadata(await readFile(metadataPath, 'utf8'));
  const pcapPath = parsed.pcapPath ? path.resolve(parsed.pcapPath) : '';
  const c: SpoolCapture = { callId: callIdOf(name), pcapPath, metadataPath, orphan };
  if (path.dirname(pcapPath) !== pcapDir) {
    c.problem = { code: 'recording-metadata-invalid', message: `${name}: pcap path outside ${pcapDir}` };
  }
  return c;
}

/** Finished captures first (sorted by name), then orphans. */
export async function findCaptures(recordingDir: string, opts: SpoolOptions = {}): Promise<SpoolCapture[]> {
  const pcapDir = path.resolve(recordingDir, 'pcaps');
  const out: SpoolCapture[] = [];
  const metaDir = path.join(recordingDir, 'metadata');
  if (existsSync(metaDir)) {
    for (const name of (await readdir(metaDir)).filter((n) => n.endsWith('.txt')).sort()) {
      out.push(await describe(metaDir, name, pcapDir, false));
    }
  }
  const tmpDir = path.join(recordingDir, 'tmp');
  if (!existsSync(tmpDir)) return out;
  const now = (opts.now ?? Date.now)();
  const idle = opts.orphanIdleMs ?? DEFAULT_ORPHAN_IDLE_MS;
  for (const name of (await readdir(tmpDir)).filter((n) => n.endsWith('.tmp')).sort()) {
    const c = await describe(tmpDir, name, pcapDir, true);
    const st = !c.problem && existsSync(c.pcapPath) ? await stat(c.pcapPath) : undefined;
    const lastChange = Math.max(st?.mtimeMs ?? 0, (await stat(c.metadataPath)).mtimeMs);
    // Probably a call in progress. A capture started mid-call (`start recording`) has an empty
    // metadata file until it ends, so it has no pcap path yet: not a problem while it is young.
    if (now - lastChange < idle) continue;
    if (!c.problem && opts.isCallLive && (await opts.isCallLive(c.callId))) continue;
    out.push(c);
  }
  return out;
}
