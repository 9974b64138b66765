// Call history: GET /api/cdrs (filters, paging) and GET /api/cdrs.csv, which
// streams every matching row in keyset batches: UTF-8 with a BOM and `;`
// so Russian Excel opens Cyrillic names right. X-Total-Count lets the UI
// show export progress. Employees see only calls of their own extensions.
// Each call carries its forwards and transfers; the CSV sums them up in two
// last columns (call-hops.ts); who answered and the call-flow path (0095)
// come before the call id.
// A stored hop that is not valid is left out
// and logged, never failing the list.
import { Readable } from 'node:stream';
import Router from '@koa/router';
import type { BadHopReport, CdrRow, CdrSearch } from '../../../store';
import type { ApiDeps, ApiState } from '../../context';
import { actorOf, audit, can, type ApiContext } from '../../guard';
import { requestedTenant, tenantScope } from '../../scope';
import { parseInput } from '../../validate';
import { csvLine } from '../../commands/csv';
import { cdrQuerySchema } from './schema';
import { forwardsSummary, transfersSummary } from './call-hops';

const BATCH = 1000;
const HEADER = [
  'started_at',
  'direction',
  'caller',
  'callee',
  'extension',
  'trunk',
  'disposition',
  'duration_seconds',
  'billable_seconds',
  'answered_at',
  'ended_at',
  'hangup_side',
  'hangup_sip_status',
  'hangup_reason',
  'answered_by',
  'path',
  'call_id',
  'forwards',
  'transfers',
];

function searchOf(deps: ApiDeps, ctx: ApiContext): { search: CdrSearch; limit: number; offset: number } {
  const actor = actorOf(ctx).user;
  const { limit, offset, ...filters } = parseInput(cdrQuerySchema, ctx.query);
  const search: CdrSearch = { ...filters, tenantId: tenantScope(actor, requestedTenant(ctx.query, ctx.get('x-korobka-tenant'))) };
  if (actor.role === 'employee') search.onlyExtensions = deps.store.extensionFeatures.numbersOfUser(actor.id);
  return { search, limit: limit ?? 50, offset: offset ?? 0 };
}

const toCells = (r: CdrRow) => [
  r.startedAt,
  r.direction,
  r.caller,
  r.callee,
  r.extension,
  r.trunk,
  r.disposition ?? r.status,
  r.durationSeconds,
  r.billableSeconds,
  r.answeredAt,
  r.endedAt,
  r.hangupSide,
  r.hangupSipStatus,
  r.hangupReason,
  r.answeredBy,
  r.path.join(' → '),
  r.callId,
  forwardsSummary(r),
  transfersSummary(r),
];

/** Logs a stored hop that was left out (the row is still shown). */
const badHopLogger =
  (deps: ApiDeps): BadHopReport =>
  (info) =>
    deps.log.warn('cdr hop not valid, left out', info);

async function* csvRows(deps: ApiDeps, search: CdrSearch): AsyncGenerator<string> {
  yield '\uFEFF' + csvLine(HEADER);
  let after: { startedAt: string; id: number } | undefined;
  for (;;) {
    const rows = deps.store.cdrSearch.batch(search, after, BATCH, badHopLogger(deps));
    if (rows.length === 0) return;
    yield rows.map((r) => csvLine(toCells(r))).join('');
    const last = rows[rows.length - 1]!;
    after = { startedAt: last.startedAt, id: last.id };
    // Let other requests run between batches of a big export.
    await new Promise((r) => setImmediate(r));
  }
}

export function cdrRoutes(deps: ApiDeps): Router<ApiState> {
  const router = new Router<ApiState>();

  router.get('/api/cdrs', can(deps, 'cdrs.read'), async (ctx) => {
    const { search, limit, offset } = searchOf(deps, ctx);
    ctx.body = {
      cdrs: deps.store.cdrSearch.page(search, limit, offset, badHopLogger(deps)),
      total: deps.store.cdrSearch.count(search),
      limit,
      offset,
    };
  });

  router.get('/api/cdrs.csv', can(deps, 'cdrs.read'), async (ctx) => {
    const { search } = searchOf(deps, ctx);
    const total = deps.store.cdrSearch.count(search);
    audit(deps, ctx, {
      tenantId: search.tenantId ?? null,
      action: 'cdr.export',
      details: { rows: total, filters: { ...search, onlyExtensions: undefined } },
    });
    ctx.set('X-Total-Count', String(total));
    ctx.set('Access-Control-Expose-Headers', 'X-Total-Count');
    ctx.set('Content-Disposition', `attachment; filename="calls-${new Date().toISOString().slice(0, 10)}.csv"`);
    ctx.type = 'text/csv; charset=utf-8';
    ctx.body = Readable.from(csvRows(deps, search));
  });

  return router;
}
