// The announcement destination: the PBX answers, plays the prompt to the
// caller, then hangs up or routes on ("we are closed" → voicemail later).
import { announcementSchema, runtimeDestination, type AnnouncementConfig } from '../../call-flows';
import type { Call } from '../call/call';
import { defineFeature, type Feature, type FeatureDeps, type Next } from './feature';

export class Announcement implements Feature {
  constructor(
    private readonly config: AnnouncementConfig,
    private readonly deps: FeatureDeps,
  ) {}

  async run(call: Call): Promise<Next> {
    const prompt = this.deps.prompts.file(call.tenantId, this.config.prompt);
    if (!prompt) {
      // Saving refuses a deleted prompt; one deleted since still must not leave the caller in silence.
      call.log.warn('announcement prompt missing', { prompt: this.config.prompt });
    } else {
      await this.deps.actions.answer(call);
      const played = await this.deps.actions.play(call, prompt);
      if (played.kind === 'ended' || call.ended) return { kind: 'done' };
    }
    if (this.config.then.action === 'continue') return { kind: 'route', to: runtimeDestination(this.config.then.destination) };
    if (!prompt) return { kind: 'route', to: { kind: 'hangup', status: 480, reason: 'Temporarily Unavailable', code: 'prompt-missing' } };
    // Played in full: the PBX ends the call it answered, as the admin asked.
    await call.end('system', undefined, 'announcement');
    return { kind: 'done' };
  }

  stop(): void {
    // play() resolves 'ended' when the call goes; nothing else runs.
  }
}

export const announcementFeature = defineFeature<AnnouncementConfig>({
  name: 'announcement',
  config: announcementSchema,
  create: (config, deps) => new Announcement(config, deps),
});
