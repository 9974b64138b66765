// Writes captures into a spool exactly as rtpengine lays them out
// (pcaps/<call>.pcap, metadata/rtpengine-meta-<call>.txt), for tests that run
// the recordings service or the API over a real data directory.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { encodeRecordingMetadata, type RecordingMetadata } from '../../services/recordings/capture-metadata';
import { callPackets, CALLEE, CALLER } from './call-builder';
import { buildPcap } from './pcap-builder';

export function writeCapture(spool: string, call: string, meta: RecordingMetadata, opts: { seconds?: number; startMs?: number } = {}) {
  for (const d of ['pcaps', 'metadata', 'tmp']) mkdirSync(path.join(spool, d), { recursive: true });
  const pcapPath = path.join(spool, 'pcaps', `${call}.pcap`);
  const t0 = (opts.startMs ?? Date.UTC(2026, 10, 22, 10)) * 1000;
  writeFileSync(pcapPath, buildPcap(callPackets(opts.seconds ?? 1, t0)));
  const m = encodeRecordingMetadata({ channels: { left: [CALLER.dst], right: [CALLEE.dst] }, ...meta });
  const metadataPath = path.join(spool, 'metadata', `rtpengine-meta-${call}.txt`);
  writeFileSync(metadataPath, `${pcapPath}\n\ncall start time: x\ncall end time: y\n\n${m}\n`);
  return { pcapPath, metadataPath };
}
