// The actions features receive as deps.actions, over rtpengine and srf.
import type { CallActions } from './actions';
import { announce } from './announce';
import { answer, type ActionDeps } from './answer';
import { collectDigits } from './collect-digits';
import { play } from './play';
import { record } from './record';
import { ring, type RingDeps } from './ring';

/** `ring` needs the B2BUA's parts (srf, router, live calls); without them a ring group's call fails loudly. */
export function callActions(deps: ActionDeps & { ring?: RingDeps }): CallActions {
  const ringDeps = deps.ring;
  return {
    answer: (call) => answer(deps, call),
    play: (call, prompt, opts) => play(deps, call, prompt, opts),
    collectDigits: (call, opts) => collectDigits(deps, call, opts),
    ring: async (call, targets, opts) => {
      if (!ringDeps) throw new Error('ring: this process was started without the B2BUA');
      return ring(ringDeps, call, targets, opts);
    },
    record: (call, opts) => record(deps, call, opts),
    announce: (call, prompt, opts) => announce(deps, call, prompt, opts),
  };
}
