// Error factories of the recordings pipeline. Codes are stable: call-control,
// the API and `korobka doctor` match on them.
import { AppError } from '../common/errors';

export const pcapNotPcap = (why: string) =>
  new AppError(422, 'pcap-not-pcap', `not a classic pcap file: ${why}`);
export const pcapTruncated = (offset: number, why: string) =>
  new AppError(422, 'pcap-truncated', `pcap truncated at byte ${offset}: ${why}`, { offset });
export const pcapLinkTypeUnsupported = (linkType: number) =>
  new AppError(422, 'pcap-link-type-unsupported', `pcap link type ${linkType} is not supported (1, 101, 113 are)`, {
    linkType,
  });
export const pcapRecordTooLarge = (offset: number, length: number) =>
  new AppError(422, 'pcap-record-too-large', `pcap record at byte ${offset} claims ${length} bytes`, {
    offset,
    length,
  });

export const rtpMalformed = (why: string) => new AppError(422, 'rtp-malformed', `malformed RTP packet: ${why}`);
export const codecNotSupported = (codec: string, payloadType: number) =>
  new AppError(
    422,
    'codec-not-supported',
    `recorded codec ${codec} (payload type ${payloadType}) cannot be converted; keep recorded legs in G.711`,
    { codec, payloadType },
  );

export const recordingEmpty = (pcap: string) =>
  new AppError(422, 'recording-empty', 'the capture holds no audio packets', { pcap });
export const metadataInvalid = (why: string) =>
  new AppError(422, 'recording-metadata-invalid', `recording metadata: ${why}`);
export const encoderFailed = (why: string) => new AppError(500, 'encoder-failed', `audio encoder failed: ${why}`);

export { keyFileInvalid, keyFileMissing, keyFilePermissions } from '../common/keys';
export const keyNotFound = (kind: string, id: string) =>
  new AppError(500, 'key-not-found', `${kind} key ${id} not found`, { kind, id });
export const keyUnwrapFailed = (kind: string, id: string) =>
  new AppError(500, 'key-unwrap-failed', `${kind} key ${id} cannot be unwrapped: wrong wrapping key or tampered`, {
    kind,
    id,
  });

export const vaultNotVault = (path: string, why: string) =>
  new AppError(422, 'vault-not-vault', `${path}: not a recording vault file: ${why}`, { path });
export const vaultTruncated = (path: string, expected: number, actual: number) =>
  new AppError(422, 'vault-truncated', `${path}: ${actual} bytes where ${expected} were expected`, {
    path,
    expected,
    actual,
  });
export const vaultTampered = (path: string, chunk: number) =>
  new AppError(422, 'vault-tampered', `${path}: chunk ${chunk} fails authentication`, { path, chunk });
export const vaultRangeInvalid = (start: number, end: number, length: number) =>
  new AppError(416, 'vault-range-invalid', `range ${start}-${end} is outside 0-${length}`, { start, end, length });
export const vaultVerifyFailed = (path: string) =>
  new AppError(500, 'vault-verify-failed', `${path}: decrypted copy differs from the plain file`, { path });
export const plainFileChanged = (path: string) =>
  new AppError(500, 'plain-file-changed', `${path}: the file changed while it was being encrypted`, { path });
export const chainHeadMoved = (expected: string, actual: string) =>
  new AppError(409, 'chain-head-moved', 'the hash chain grew since this entry was built', { expected, actual });
export const recordingNotFound = (recordingId: string) =>
  new AppError(404, 'recording-not-found', `recording ${recordingId} not found`, { recordingId });
export const recordingIdConflict = (recordingId: string, pcap: string) =>
  new AppError(409, 'recording-id-conflict', `recording ${recordingId} is already stored from another capture; ${pcap} kept`, {
    recordingId,
    pcap,
  });
export const recordingDiskFull = (path: string) =>
  new AppError(507, 'recording-disk-full', `no space left to store a recording (${path}); the capture is kept for a later attempt`, { path });
export const recordingRefused = (reason: 'disabled' | 'disk-full' | 'quota-exceeded', tenantId: string | null) =>
  new AppError(503, 'recording-refused', `recording refused: ${reason}`, { reason, tenantId });
