// A schedule's day/night switch (the manual override, as the feature code
// flips it from a phone) and the production-calendar import: the CSV is
// parsed into holidays the admin reviews and saves with the schedule; the
// box never fetches a calendar itself.
import Router from '@koa/router';
import { z } from 'zod';
import { calendarHolidays, overrides, parseProductionCalendar, scheduleSchema } from '../../../call-flows';
import type { ApiDeps, ApiState } from '../../context';
import { validationFailed } from '../../errors';
import { audit, can } from '../../guard';
import { parseInput } from '../../validate';
import { load, view } from './flow-resource';

const SCHEDULES = { kind: 'schedule', prefix: '/api/schedules', one: 'schedule', many: 'schedules', slot: 'schedules' } as const;

const overrideSchema = z.object({ override: z.enum(overrides, { message: 'must be auto, day or night' }) });
// The open data file is about 3 KB a year; 200 KB is decades.
const calendarSchema = z.object({ csv: z.string().min(1, 'required').max(200_000, 'at most 200000 characters') });

export function scheduleRoutes(deps: ApiDeps): Router<ApiState> {
  const router = new Router<ApiState>({ prefix: '/api/schedules' });

  // Before /:id routes of the resource router would see it: a fixed path.
  router.post('/calendar', can(deps, 'callflows.write'), async (ctx) => {
    const { csv } = parseInput(calendarSchema, ctx.state.body);
    const parsed = parseProductionCalendar(csv);
    if (!parsed.ok) throw validationFailed(parsed.problems.map((p) => ({ field: `csv line ${p.line}`, message: p.message })));
    ctx.body = {
      years: parsed.years.map((y) => y.year),
      holidays: calendarHolidays(parsed.years),
      shortened: parsed.years.flatMap((y) => y.shortened),
    };
  });

  router.put('/:id/override', can(deps, 'callflows.override'), async (ctx) => {
    const cur = load(deps, ctx, SCHEDULES);
    const { override } = parseInput(overrideSchema, ctx.state.body);
    const config = scheduleSchema.parse(cur.config);
    const next = { ...config, override };
    const r = deps.store.callFlows.update('schedule', cur.id, next)!;
    audit(deps, ctx, { tenantId: cur.tenantId, action: 'schedule.override', target: `schedule:${cur.id}`, details: { name: cur.name, override, before: config.override } });
    ctx.body = { schedule: view(r) };
  });

  return router;
}
