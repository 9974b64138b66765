// The IVR destination: the PBX answers, plays the menu's prompt (a key
// pressed during it is taken at once), and routes on the key pressed — an
// option, or with dial-by-extension any extension of the tenant. Silence or a
// wrong key replays the menu (after its own prompt, if set) up to `retries`
// times, then the call goes to `final`.
import { ivrMenuSchema, runtimeDestination, type IvrMenuConfig } from '../../call-flows';
import type { Prompt } from '../actions/actions';
import type { Call } from '../call/call';
import { defineFeature, type Feature, type FeatureDeps, type Next } from './feature';

/** Between the digits of an extension: long enough for a person reading a number off a card. */
export const INTER_DIGIT_MS = 3000;

export type Choice = { kind: 'option'; to: Next } | { kind: 'invalid' } | { kind: 'timeout' };

export class Ivr implements Feature {
  private stopped = false;

  constructor(
    private readonly config: IvrMenuConfig,
    private readonly deps: FeatureDeps,
  ) {}

  async run(call: Call): Promise<Next> {
    await this.deps.actions.answer(call);
    const menu = this.prompt(call, this.config.prompt);
    for (let attempt = 0; attempt <= this.config.retries; attempt++) {
      if (this.stopped || call.ended) return { kind: 'done' };
      const digits = await this.deps.actions.collectDigits(call, {
        // One key decides unless extensions may be dialled: then wait for more.
        max: this.config.dialByExtension ? 6 : 1,
        timeoutMs: this.config.timeout * 1000,
        interDigitMs: INTER_DIGIT_MS,
        // '#' ends an extension early, unless the menu uses it as an option.
        ...(this.config.dialByExtension && !this.config.options.some((o) => o.digit === '#') ? { terminator: '#' } : {}),
        ...(menu ? { prompt: menu } : {}),
      });
      if (digits.kind === 'ended') return { kind: 'done' };
      const choice = digits.kind === 'timeout' ? ({ kind: 'timeout' } as const) : this.choose(call, digits.digits);
      call.log.info('ivr input', { result: choice.kind, digits: digits.kind === 'digits' ? digits.digits.length : 0, attempt });
      if (choice.kind === 'option') return choice.to;
      const again = this.prompt(call, choice.kind === 'timeout' ? this.config.timeoutPrompt : this.config.invalidPrompt);
      if (again && attempt < this.config.retries) {
        const played = await this.deps.actions.play(call, again);
        if (played.kind === 'ended') return { kind: 'done' };
      }
    }
    return { kind: 'route', to: runtimeDestination(this.config.final) };
  }

  /** What a key sequence means: one key is an option; 2–6 digits an extension (when allowed and it exists). */
  choose(call: Call, digits: string): Choice {
    if (digits.length === 1) {
      const option = this.config.options.find((o) => o.digit === digits);
      return option ? { kind: 'option', to: { kind: 'route', to: runtimeDestination(option.destination) } } : { kind: 'invalid' };
    }
    if (this.config.dialByExtension && /^\d{2,6}$/.test(digits) && this.deps.directory.hasExtension(call.tenantId, digits)) {
      return { kind: 'option', to: { kind: 'route', to: { kind: 'extension', extension: digits } } };
    }
    return { kind: 'invalid' };
  }

  private prompt(call: Call, id: number | null): Prompt | undefined {
    if (id === null) return undefined;
    const p = this.deps.prompts.file(call.tenantId, id);
    // A deleted prompt leaves the menu silent rather than broken: the keys still work.
    if (!p) call.log.warn('ivr prompt missing', { prompt: id });
    return p;
  }

  stop(): void {
    this.stopped = true;
  }
}

export const ivrFeature = defineFeature<IvrMenuConfig>({
  name: 'ivr',
  config: ivrMenuSchema,
  create: (config, deps) => new Ivr(config, deps),
});
