// The voicemail destination: the PBX answers, plays the box's greeting (the
// busy one when the extension forwarded on busy, else the unavailable one,
// else the box's recorded name), a beep, and records the caller until '#',
// the box's length limit, or hangup — hanging up is how most people finish.
// The message is encrypted into the box's store (services/voicemail) and the
// box's phones get a message-waiting NOTIFY. A full box refuses before
// answering, so the caller hears a busy/unavailable tone rather than silence.
import { z } from 'zod';
import type { Call } from '../call/call';
import { defineFeature, type Feature, type FeatureDeps, type Next } from './feature';

export type { VoicemailPort } from './feature';

/** Shorter than this is a hang-up at the beep, not a message. */
export const MIN_MESSAGE_MS = 1000;
/** A phone that sends no audio for this long (mute, broken NAT) ends the recording. */
export const NO_MEDIA_MS = 10_000;

export const voicemailConfig = z.object({
  id: z.number().int().positive(),
  number: z.string(),
  greetings: z.object({ unavailable: z.number().int().nullable(), busy: z.number().int().nullable(), name: z.number().int().nullable() }),
  maxMessageSeconds: z.number().int().min(5).max(600),
  maxMessages: z.number().int().min(1),
  /** Which greeting: set by forwarding on busy (`<box>:busy` destinations). */
  greeting: z.enum(['unavailable', 'busy']).default('unavailable'),
});
export type VoicemailConfig = z.infer<typeof voicemailConfig>;

export class Voicemail implements Feature {
  constructor(
    private readonly config: VoicemailConfig,
    private readonly deps: FeatureDeps,
  ) {}

  async run(call: Call): Promise<Next> {
    const port = this.deps.voicemail;
    if (!port) throw new Error('voicemail: this process was started without the voicemail store');
    const box = this.config;
    if (port.count(box.id) >= box.maxMessages) {
      call.log.warn('voicemail box full', { box: box.number, max: box.maxMessages });
      return { kind: 'route', to: { kind: 'hangup', status: 480, reason: 'Temporarily Unavailable', code: 'voicemail-box-full' } };
    }
    await this.deps.actions.answer(call);
    const greetingId = (box.greeting === 'busy' ? box.greetings.busy : null) ?? box.greetings.unavailable ?? box.greetings.name;
    const greeting = greetingId === null ? undefined : this.deps.prompts.file(call.tenantId, greetingId);
    if (greetingId !== null && !greeting) call.log.warn('voicemail greeting missing', { prompt: greetingId });
    if (greeting) {
      const played = await this.deps.actions.play(call, greeting);
      if (played.kind === 'ended') return { kind: 'done' };
    }
    const beeped = await this.deps.actions.play(call, port.beep);
    if (beeped.kind === 'ended') return { kind: 'done' };
    const receivedAt = new Date(this.deps.now());
    const rec = await this.deps.actions.record(call, { maxMs: box.maxMessageSeconds * 1000, terminator: '#', noMediaMs: NO_MEDIA_MS });
    const ms = (rec.audio.payload.length * 1000) / 8000;
    if (ms < MIN_MESSAGE_MS) {
      call.log.info('voicemail too short, not kept', { box: box.number, ms, endedBy: rec.endedBy });
    } else {
      const saved = await port.save({ tenantId: call.tenantId, boxId: box.id, callId: call.id, caller: call.caller.number, receivedAt, audio: rec.audio });
      rec.audio.payload.fill(0);
      call.log.info('voicemail left', { box: box.number, message: saved.id, durationMs: saved.durationMs, endedBy: rec.endedBy });
      port.changed(call.tenantId, box.id);
    }
    if (!call.ended) await call.end('system', undefined, 'voicemail-left');
    return { kind: 'done' };
  }

  stop(): void {
    // record() and play() resolve when the call ends; the message is still saved.
  }
}

export const voicemailFeature = defineFeature<VoicemailConfig>({
  name: 'voicemail',
  config: voicemailConfig,
  create: (config, deps) => new Voicemail(config, deps),
});
