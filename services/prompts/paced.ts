// The copy of a prompt that rtpengine plays. rtpengine 10.5's player sends a
// file by its demuxer's packets, and libavformat's WAV demuxer hands out
// 4,096 bytes at a time: 512 ms of A-law leave in a burst, then the caller
// hears a ~260 ms hole, every half second (bench/ivr measured 260–370 ms
// gaps at 200 callers, and rtpengine alone the same). The same samples in
// Matroska with one 20 ms block per packet (asetnsamples=160) play paced at
// 20 ms (bench/ivr: largest gap 35 ms under load). The WAV stays the stored
// original (preview, duration, tests read it); this copy sits beside it as
// <id>.alaw.mka. A-law decoded and encoded again is the same bytes (G.711).
import { promptBroken, toolMissing } from './errors';
import { runTool } from './run-tool';

/** Where the paced copy of a stored `….alaw.wav` lives. */
export function pacedPath(wav: string): string {
  return wav.replace(/\.wav$/, '.mka');
}

/** Writes the 20 ms-packet Matroska copy of an A-law WAV. */
export async function writePaced(wav: string, out: string, timeoutMs: number): Promise<void> {
  let r;
  try {
    r = await runTool(
      'ffmpeg',
      [
        '-nostdin',
        '-hide_banner',
        '-v',
        'error',
        '-xerror',
        '-y',
        '-f',
        'wav',
        '-i',
        wav,
        '-map',
        '0:a:0',
        '-af',
        'asetnsamples=n=160:p=0',
        '-c:a',
        'pcm_alaw',
        '-f',
        'matroska',
        out,
      ],
      { timeoutMs },
    );
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw toolMissing('ffmpeg');
    throw e;
  }
  if (r.timedOut) throw promptBroken('making the playback copy took too long');
  if (r.code !== 0) throw promptBroken(`the playback copy could not be made: ${r.stderr.split('\n')[0]?.slice(0, 200) ?? ''}`);
}
