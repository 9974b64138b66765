// The captures that make one recording. rtpengine 10.5 has no `pause
// recording` ("Unrecognized command", notes B.9), so call-control pauses with
// `stop recording` and resumes with `start recording`. Checked on this
// machine: every start opens a NEW capture, `pcaps/<call>-<new 16 hex>.pcap`
// with its own metadata file; a stop finishes the current one at once (its
// metadata moves to metadata/); only the first carries the SDPs. So one
// paused and resumed recording arrives as several finished captures with the
// same recording id in their metadata strings, and must become ONE stored
// recording whose paused spans are silence.
//
// A capture that a pause ended says so (`pausedAt` in our metadata string).
// Its group waits while the recording may still go on: a capture of the same
// call is being written (tmp/), its CDR is still open, or rtpengine still has
// the call. Once the call
// is gone (or, without rtpengine to ask, the capture has been idle as long as
// an orphan), a pause that lasted to the hang-up ends the recording there.
// A transfer moves a recording onto a new rtpengine session (call-control's
// recording.ts moveTo): its captures join by CDR and recording id, and a
// capture being written on any session of the call keeps the group waiting.
import { existsSync } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { isAppError } from '../common/errors';
import { decodeRecordingMetadata, parseRtpengineMetadata, type RecordingMetadata } from './capture-metadata';
import { PcapParser, readPcapFile } from './pcap-reader';
import { callIdOf, DEFAULT_ORPHAN_IDLE_MS, type SpoolCapture, type SpoolOptions } from './spool';

export interface CapturePart {
  pcapPath: string;
  metadataPath: string;
}

export interface CaptureGroup {
  callId: string;
  /** In capture order (first packet time). */
  parts: CapturePart[];
}

interface Described extends CapturePart {
  callId: string;
  cdrId: string | undefined;
  key: string;
  firstUs: number;
  pausedAt: number | undefined;
  lastChange: number;
}

/** Capture time of the first packet (µs); Infinity for an empty or unreadable pcap. */
async function firstPacketUs(pcapPath: string): Promise<number> {
  if (!existsSync(pcapPath)) return Infinity;
  try {
    for await (const d of readPcapFile(pcapPath, new PcapParser({ allowTruncatedTail: true }))) return d.timeUs;
  } catch (e) {
    if (!isAppError(e)) throw e;
  }
  return Infinity;
}

async function describe(c: SpoolCapture): Promise<Described> {
  let meta: RecordingMetadata = {};
  try {
    meta = decodeRecordingMetadata(parseRtpengineMetadata(await readFile(c.metadataPath, 'utf8')).appMetadata);
  } catch (e) {
    // A bad metadata string fails in the pipeline with its own error; here it only stands alone.
    if (!isAppError(e)) throw e;
  }
  const times = await Promise.all([c.pcapPath, c.metadataPath].map((f) => stat(f).then((s) => s.mtimeMs, () => 0)));
  return {
    pcapPath: c.pcapPath,
    metadataPath: c.metadataPath,
    callId: c.callId,
    cdrId: meta.cdrId,
    // By the CDR id, not the rtpengine call: a transfer moves a recording onto a new session (sessionFamily).
    key: meta.recordingId ? `${meta.cdrId ?? sessionFamily(c.callId)}\n${meta.recordingId}` : `${c.callId}\n${c.pcapPath}`,
    firstUs: await firstPacketUs(c.pcapPath),
    pausedAt: meta.pausedAt,
    lastChange: Math.max(...times),
  };
}

/**
 * The call a transferred call's rtpengine session belongs to: call-control
 * names the sessions a transfer moves a call onto `<call id>~x<n>`
 * (call-control/calls/transfer.ts), and the recording goes with it.
 */
export function sessionFamily(callId: string): string {
  return callId.replace(/~x\d+$/, '');
}

/** Calls (session families) with a capture still being written (rtpengine-meta-<call>-<hex>.tmp). */
export async function callsBeingCaptured(recordingDir: string): Promise<Set<string>> {
  const tmp = path.join(recordingDir, 'tmp');
  if (!existsSync(tmp)) return new Set();
  return new Set((await readdir(tmp)).filter((n) => n.endsWith('.tmp')).map((n) => sessionFamily(callIdOf(n))));
}

/**
 * Groups finished captures by call and recording id, in capture order, and
 * keeps back the groups whose last capture was ended by a pause that may
 * still be resumed. Returns the groups to convert now and how many wait.
 */
export async function groupCaptures(
  finished: SpoolCapture[],
  recordingDir: string,
  opts: SpoolOptions = {},
): Promise<{ ready: CaptureGroup[]; waiting: number }> {
  const groups = new Map<string, Described[]>();
  for (const c of finished) {
    const d = await describe(c);
    groups.set(d.key, [...(groups.get(d.key) ?? []), d]);
  }
  const capturing = await callsBeingCaptured(recordingDir);
  const now = (opts.now ?? Date.now)();
  const idle = opts.orphanIdleMs ?? DEFAULT_ORPHAN_IDLE_MS;
  const ready: CaptureGroup[] = [];
  let waiting = 0;
  for (const parts of groups.values()) {
    parts.sort((a, b) => a.firstUs - b.firstUs || a.lastChange - b.lastChange);
    const last = parts[parts.length - 1]!;
    if (last.pausedAt !== undefined && (await mayResume(last, capturing, now, idle, opts))) {
      waiting++;
      continue;
    }
    ready.push({ callId: sessionFamily(parts[0]!.callId), parts: parts.map(({ pcapPath, metadataPath }) => ({ pcapPath, metadataPath })) });
  }
  return { ready, waiting };
}

async function mayResume(last: Described, capturing: Set<string>, now: number, idleMs: number, opts: SpoolOptions): Promise<boolean> {
  if (capturing.has(sessionFamily(last.callId))) return true;
  // The CDR is the call: while it is open the recording may resume, on this
  // session or on one a transfer moves it to (whose capture may not exist yet).
  if (last.cdrId && opts.isCdrOpen?.(last.cdrId)) return true;
  if (opts.isCallLive) return opts.isCallLive(last.callId);
  return now - last.lastChange < idleMs;
}
