// The schedule destination: the branch open now in the schedule's time zone
// (business hours, holidays, the manual day/night switch) decides where the
// call goes. The decision is the same function the dry run uses.
import { resolveSchedule, runtimeDestination, scheduleSchema, type ScheduleConfig } from '../../call-flows';
import type { Call } from '../call/call';
import { defineFeature, type Feature, type FeatureDeps, type Next } from './feature';

export class Schedule implements Feature {
  constructor(
    private readonly config: ScheduleConfig,
    private readonly deps: FeatureDeps,
  ) {}

  async run(call: Call): Promise<Next> {
    const r = resolveSchedule(this.config, new Date(this.deps.now()), { vip: call.vip });
    call.log.info('schedule decided', { state: r.state, branch: r.label, reason: r.reason, local: `${r.local.weekday} ${r.local.date} ${r.local.time}` });
    return { kind: 'route', to: runtimeDestination(r.destination) };
  }

  stop(): void {
    // Decides at once; nothing to stop.
  }
}

export const scheduleFeature = defineFeature<ScheduleConfig>({
  name: 'schedule',
  config: scheduleSchema,
  create: (config, deps) => new Schedule(config, deps),
});
