/**
 * Call flows: what an admin configures for where calls go, shared by the api
 * (which validates and stores it) and call-control (whose features/ run it).
 * Pure: zod schemas, graph checks and time arithmetic; no SQL, no I/O.
 *
 * - `Destination`: extension | external | hangup | feature (ring-group, ivr,
 *   schedule, announcement, queue; voicemail, fmc later), what DIDs, the
 *   tenant's main destination, menu options, overflows, schedule branches
 *   and list treatments point at.
 * - Config schemas: ring groups, IVR menus, schedules (+ holidays),
 *   announcements, black/white lists, recording notice.
 * - `resolveSchedule(schedule, at)`: the branch active at an instant in the
 *   schedule's time zone (Intl, DST-aware).
 * - `validateSubject` / `validateGraph`: missing references and loops named
 *   by field (`options[2].destination: ring group 7 does not exist`);
 *   `referrersOf` for refusing deletes.
 * - `dryRun(config, {number, caller, at, keys})`: the path a call would
 *   take; `numberTree` the view of where a number's calls can go.
 * - `parseProductionCalendar` / `calendarHolidays`: the Russian production
 *   calendar CSV (data.gov.ru format) into schedule holidays.
 */
export * from './destination';
export * from './numbers';
export * from './ring-group';
export * from './queue';
export * from './ivr';
export * from './announcement';
export * from './lists';
export * from './schedule';
export * from './graph';
export * from './dry-run';
export * from './tree';
export * from './production-calendar';
