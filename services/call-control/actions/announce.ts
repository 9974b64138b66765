// A prompt both parties of a just-answered call hear before they hear each
// other: the recording notice on an outbound route (Minjust order No. 134 of
// 06.05.2024: the debtor is told the call is recorded). rtpengine 10.5 plays
// a prompt as a second SSRC beside the forwarded audio (notes: phones garble
// or pick one), so both directions are blocked while it plays and unblocked
// after; the called party hears it only when the tenant asks (`toCallee`),
// else it waits in silence as long.
import type { Call } from '../call/call';
import type { Prompt, PlayOutcome } from './actions';
import type { ActionDeps } from './answer';

export interface AnnounceOptions {
  /** The called party (B) hears it too. */
  toCallee: boolean;
}

export async function announce(deps: ActionDeps, call: Call, prompt: Prompt, opts: AnnounceOptions): Promise<PlayOutcome> {
  if (call.ended) return { kind: 'ended' };
  const legs = call.media;
  if (!legs?.tagB) throw new Error('announce before both parties answered');
  const { mediaId, tagA, tagB } = legs;
  const tags = opts.toCallee ? [tagA, tagB] : [tagA];
  await Promise.all([tagA, tagB].map((t) => deps.media.blockMedia(mediaId, t)));
  try {
    const played = await Promise.all(tags.map((t) => deps.media.playMedia(mediaId, t, prompt.file)));
    const ms = Math.max(...played.map((p) => p.durationMs ?? prompt.durationMs ?? 0));
    return await new Promise<PlayOutcome>((resolve) => {
      const timer = setTimeout(() => {
        off();
        resolve({ kind: 'played', durationMs: ms });
      }, ms);
      const off = call.on('ended', () => {
        clearTimeout(timer);
        resolve({ kind: 'ended' });
      });
    });
  } finally {
    // A call that ended meanwhile has no session left to unblock.
    if (!call.ended) await Promise.all([tagA, tagB].map((t) => deps.media.unblockMedia(mediaId, t)));
  }
}
