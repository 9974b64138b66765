// Tamper evidence for stored recordings: every stored (or re-wrapped, or
// removed) file appends an entry whose hash covers the previous entry's hash,
// so removing, changing or reordering history breaks the chain.
//
//   hash = "k1:" HMAC-SHA-256(K, prevHash ‖ recordingId ‖ fileSha256 ‖ time),
//   each field length-prefixed so that no two field lists hash alike, with
//   K = HKDF-SHA256(master key, "korobka recordings-chain v1") (chainKeyFrom).
//
// Entries written before the key (plain SHA-256 hex, no prefix) stay as they
// are and verify as before; after the first keyed entry an unkeyed one is a
// broken link, so history from there on cannot be rewritten without the key
// (the old unkeyed chain could be recomputed by anyone). Not detected here:
// removal of the newest entries (the audit log's keyed rows, `recording.*`,
// name what happened to each recording).
//
// Storage-agnostic: entries in, findings out. The store keeps the entries;
// `korobka doctor` shows findings as alarms.
import { createHash, createHmac, hkdfSync } from 'node:crypto';
import type { ChainEntry } from '../store';

export type { ChainEntry };

export const GENESIS_HASH = '0'.repeat(64);

export const KEYED_PREFIX = 'k1:';

export function chainKeyFrom(masterKey: Buffer): Buffer {
  return Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), 'korobka recordings-chain v1', 32));
}

/** With a key: the keyed link ("k1:" + HMAC); without: the pre-key SHA-256 link (verifying old entries). */
export function chainHash(prevHash: string, recordingId: string, fileSha256: string | null, time: string, key?: Buffer): string {
  const h = key ? createHmac('sha256', key) : createHash('sha256');
  for (const field of [prevHash, recordingId, fileSha256 ?? '', time]) {
    const b = Buffer.from(field, 'utf8');
    const len = Buffer.alloc(4);
    len.writeUInt32BE(b.length);
    h.update(len).update(b);
  }
  return (key ? KEYED_PREFIX : '') + h.digest('hex');
}

export function nextEntry(prev: ChainEntry | undefined, recordingId: string, fileSha256: string | null, time: Date, key?: Buffer): ChainEntry {
  const prevHash = prev?.hash ?? GENESIS_HASH;
  const t = time.toISOString();
  return { seq: (prev?.seq ?? 0) + 1, recordingId, fileSha256, time: t, prevHash, hash: chainHash(prevHash, recordingId, fileSha256, t, key) };
}

export type FindingKind = 'chain-link-broken' | 'recording-file-missing' | 'recording-file-changed';

export interface ChainFinding {
  kind: FindingKind;
  seq: number;
  recordingId: string;
  message: string;
}

/**
 * The stored file's bytes (or a stream of them), null when it does not exist,
 * or 'unhashed' when it exists but the caller chose not to hash it (a quick
 * check over a large vault).
 */
export type ReadRecordingFile = (entry: ChainEntry) => Promise<Uint8Array | AsyncIterable<Uint8Array> | null | 'unhashed'>;

async function sha256Of(data: Uint8Array | AsyncIterable<Uint8Array>): Promise<string> {
  const h = createHash('sha256');
  if (data instanceof Uint8Array) h.update(data);
  else for await (const chunk of data) h.update(chunk);
  return h.digest('hex');
}

function checkLinks(entries: ChainEntry[], key: Buffer | 'links-only' | undefined): ChainFinding[] {
  const out: ChainFinding[] = [];
  let prev: ChainEntry | undefined;
  let keyedSeen = false;
  for (const e of entries) {
    const broken = (why: string) => out.push({ kind: 'chain-link-broken', seq: e.seq, recordingId: e.recordingId, message: `entry ${e.seq}: ${why}` });
    const expectedSeq = (prev?.seq ?? 0) + 1;
    if (e.seq !== expectedSeq) broken(`sequence ${e.seq} where ${expectedSeq} was expected (entries removed or reordered)`);
    if (e.prevHash !== (prev?.hash ?? GENESIS_HASH)) broken('does not link to the entry before it');
    const keyed = e.hash.startsWith(KEYED_PREFIX);
    if (!keyed && keyedSeen) broken('an unkeyed entry after keyed ones (history rewritten without the key)');
    else if (keyed && key === undefined) broken('a keyed entry and no key to check it');
    else if (keyed && key === 'links-only') {
      // The caller has no key and said so (doctor with the master key missing, which it reports itself): order and links only.
    } else if (e.hash !== chainHash(e.prevHash, e.recordingId, e.fileSha256, e.time, keyed ? (key as Buffer) : undefined)) broken('its hash does not match its content (entry edited)');
    keyedSeen ||= keyed;
    prev = e;
  }
  return out;
}

/**
 * Checks every link, then each recording's file against its latest entry.
 * Returns one finding per problem, each kind distinct; an empty list means
 * the chain and every file are intact.
 */
/** `key`: the chain key; 'links-only' checks keyed entries' order and links but not their content (no key at hand). */
export async function verifyChain(entries: Iterable<ChainEntry>, readFile: ReadRecordingFile, key?: Buffer | 'links-only'): Promise<ChainFinding[]> {
  const list = [...entries].sort((a, b) => a.seq - b.seq);
  const findings = checkLinks(list, key);
  const latest = new Map<string, ChainEntry>();
  for (const e of list) latest.set(e.recordingId, e);
  for (const e of latest.values()) {
    if (e.fileSha256 === null) continue;
    const data = await readFile(e);
    if (data === null) {
      findings.push({ kind: 'recording-file-missing', seq: e.seq, recordingId: e.recordingId, message: `recording ${e.recordingId}: file missing` });
      continue;
    }
    if (data === 'unhashed') continue;
    const actual = await sha256Of(data);
    if (actual !== e.fileSha256) {
      findings.push({
        kind: 'recording-file-changed',
        seq: e.seq,
        recordingId: e.recordingId,
        message: `recording ${e.recordingId}: file changed (sha256 ${actual}, chain says ${e.fileSha256})`,
      });
    }
  }
  return findings;
}
