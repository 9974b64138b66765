// The licence's concurrent-call limit as call-control enforces it. Read at
// start and every minute (an admin may install a larger licence, or one may
// expire); until the first evaluation, and whenever evaluation fails, the
// eval profile applies: a box never admits more than it may.
import type { Logger } from '../../common/logger';
import { EVAL_LIMITS, type Limits } from '../../../licensing/profiles';

export type LimitsSource = () => Promise<{ limits: Limits; profile: { name: string }; state: string }>;

export class LicenceLimits {
  private current: Limits = EVAL_LIMITS;
  private profile = 'eval';
  private state = 'unknown';

  constructor(private readonly deps: { evaluate: LimitsSource; log: Logger }) {}

  get limits(): Limits {
    return this.current;
  }

  get summary(): { profile: string; state: string; concurrentCalls: number } {
    return { profile: this.profile, state: this.state, concurrentCalls: this.current.concurrentCalls };
  }

  async refresh(): Promise<void> {
    try {
      const e = await this.deps.evaluate();
      if (e.limits.concurrentCalls !== this.current.concurrentCalls || e.profile.name !== this.profile) {
        this.deps.log.info('licence limits', { profile: e.profile.name, state: e.state, concurrentCalls: e.limits.concurrentCalls });
      }
      this.current = e.limits;
      this.profile = e.profile.name;
      this.state = e.state;
    } catch (err) {
      // Keep what we had: a transient read error must not lift or drop the limit.
      this.deps.log.error('licence evaluation failed', { err });
    }
  }
}
