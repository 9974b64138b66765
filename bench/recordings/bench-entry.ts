// What the recordings benchmark needs from TypeScript, bundled by run.mjs.
export { RecordingPipeline, openKeyring, Vault, encodeRecordingMetadata } from '../../services/recordings/index';
export { silentLogger } from '../../services/common/logger';
export { MemoryRecordingRepository } from '../../test/recordings/memory-recording-repository';
export { partyPackets, CALLER, CALLEE } from '../../test/recordings/call-builder';
export { pcapGlobalHeader, pcapRecord, udpDatagram } from '../../test/recordings/pcap-builder';
export { parsePcap } from '../../services/recordings/pcap-reader';
export { parseRtp } from '../../services/recordings/rtp';
export { ALAW_TO_LINEAR, encodeG711 } from '../../services/recordings/g711';
export { WorkerPool } from '../../services/recordings/converter-pool';
