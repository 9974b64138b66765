// The actions features receive as deps.actions, over rtpengine and srf.
import type { CallActions } from './actions';
import { answer, type ActionDeps } from './answer';
import { collectDigits } from './collect-digits';
import { play } from './play';

export function callActions(deps: ActionDeps): CallActions {
  return {
    answer: (call) => answer(deps, call),
    play: (call, prompt, opts) => play(deps, call, prompt, opts),
    collectDigits: (call, opts) => collectDigits(deps, call, opts),
    ring: async () => {
      // Ringing members from a feature (ring groups, IVR options to a group) comes with actions/ring.ts.
      throw new Error('ring is not available yet');
    },
  };
}
