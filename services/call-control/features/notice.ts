// The recording notice (issue 11 item 7): "this call is recorded" played to
// the caller before the call goes on to its destination, as the Minjust
// order No. 134 of 06.05.2024 asks of debt collectors. The PBX answers the
// caller, plays the prompt to its end, then routes on (the phone or group
// that answers is rung by the ring action onto the answered caller). Set on
// a DID: trunks/inbound-origin.ts puts it in front of the DID's destination;
// the call's path (and so its CDR) shows `notice:<prompt>`. Set on a queue:
// features/index.ts runs it in front of the queue (noticeBefore), so every
// caller reaching the queue by any way (DID, IVR option, overflow) hears it.
import type { Call } from '../call/call';
import type { Destination } from '../routing/destination';
import type { Feature, FeatureDeps, Next } from './feature';

/** A queue's notice: the PBX answers, plays `prompt`, then `inner` (the queue) runs; the path shows `notice:<prompt>` after the queue. */
export function noticeBefore(prompt: number, inner: Feature, deps: Pick<FeatureDeps, 'actions' | 'prompts'>): Feature {
  let stopped = false;
  return {
    async run(call: Call): Promise<Next> {
      const file = deps.prompts.file(call.tenantId, prompt);
      if (!file) {
        call.log.error('recording notice prompt missing', { prompt });
        return inner.run(call);
      }
      call.path.push(`notice:${prompt}`);
      await deps.actions.answer(call);
      const played = await deps.actions.play(call, file);
      if (played.kind === 'ended' || call.ended || stopped) return { kind: 'done' };
      call.log.info('recording notice played', { prompt, ms: played.kind === 'played' ? (played.durationMs ?? 0) : 0 });
      return inner.run(call);
    },
    stop(reason) {
      stopped = true;
      inner.stop(reason);
    },
  };
}

export function noticeFeature(to: Extract<Destination, { kind: 'notice' }>, deps: Pick<FeatureDeps, 'actions' | 'prompts'>): Feature {
  return {
    async run(call: Call): Promise<Next> {
      const prompt = deps.prompts.file(call.tenantId, to.prompt);
      if (!prompt) {
        // Saving refuses a prompt of another tenant or a deleted one; deleted since, the caller is still served, loudly logged.
        call.log.error('recording notice prompt missing', { prompt: to.prompt });
        return { kind: 'route', to: to.then };
      }
      await deps.actions.answer(call);
      const played = await deps.actions.play(call, prompt);
      if (played.kind === 'ended' || call.ended) return { kind: 'done' };
      call.log.info('recording notice played', { prompt: to.prompt, ms: played.kind === 'played' ? (played.durationMs ?? 0) : 0 });
      return { kind: 'route', to: to.then };
    },
    stop: () => undefined,
  };
}
