// What features read from the store: call-flow records by id (only the
// tenant's own), a ring group's round-robin memory (ring_group_memory, so it
// survives a restart), and the tenant's black/white lists and DID recording
// notices for screening (screening.ts). Lists may hold thousands of entries: they are
// parsed once and kept until any call-flow object of the tenant changes
// (CallFlowsRepo.version), not re-read per call.
import { listSchema, recordingNoticeSchema, type ListConfig } from '../../call-flows';
import type { Logger } from '../../common/logger';
import { flowKinds, type FlowKind, type Store } from '../../store';
import type { FeatureName } from '../routing/destination';
import type { FeatureConfigs } from './feature';
import type { CallLists } from './screening';

/** `others`: features whose records are not call-flow rows (voicemail boxes), loaded by their own wiring. */
export function storeFeatureConfigs(
  store: Pick<Store, 'callFlows'>,
  log: Logger,
  others: Partial<Record<FeatureName, (tenantId: number, id: string) => unknown>> = {},
): FeatureConfigs {
  const groupOf = (tenantId: number, id: string) => {
    if (!/^\d+$/.test(id)) return undefined;
    const r = store.callFlows.get('ring-group', Number(id));
    return r && r.tenantId === tenantId ? r.id : undefined;
  };
  return {
    load: (tenantId, feature, id) => {
      const other = others[feature];
      if (other) return other(tenantId, id);
      if (!(flowKinds as readonly string[]).includes(feature) || !/^\d+$/.test(id)) return undefined;
      const r = store.callFlows.get(feature as FlowKind, Number(id));
      return r && r.tenantId === tenantId ? r.config : undefined;
    },
    lastMember: (tenantId, id) => {
      const g = groupOf(tenantId, id);
      return g === undefined ? undefined : store.callFlows.lastMember(g);
    },
    rememberMember: (tenantId, id, extension) => {
      const g = groupOf(tenantId, id);
      try {
        if (g !== undefined) store.callFlows.rememberMember(g, extension);
      } catch (err) {
        // A busy database must not fail a call that is already connected: the next call starts from memory.
        log.warn('ring group memory not saved', { group: g, err: err instanceof Error ? err.message : String(err) });
      }
    },
  };
}

export function storeCallLists(store: Pick<Store, 'callFlows'>, log: Logger): CallLists {
  const cache = new Map<number, { version: string; lists: Array<readonly [number, ListConfig]> }>();
  return {
    lists(tenantId) {
      const version = store.callFlows.version(tenantId);
      const hit = cache.get(tenantId);
      if (hit?.version === version) return hit.lists;
      const lists = store.callFlows.list('list', tenantId).flatMap((r) => {
        const p = listSchema.safeParse(r.config);
        // The api validated it when saved; a list that no longer parses screens nobody, said once per change.
        if (!p.success) log.warn('stored list not valid', { list: r.id, issue: p.error.issues[0]?.message });
        return p.success ? [[r.id, p.data] as const] : [];
      });
      cache.set(tenantId, { version, lists });
      return lists;
    },
    didNotice(tenantId, did) {
      const n = store.callFlows.notice(tenantId, 'did', did);
      const p = n && recordingNoticeSchema.safeParse(n.config);
      return p?.success ? p.data : undefined;
    },
    routeNotice(tenantId, routeId) {
      const n = store.callFlows.notice(tenantId, 'route', routeId);
      const p = n && recordingNoticeSchema.safeParse(n.config);
      return p?.success ? p.data : undefined;
    },
    queueNotice(tenantId, queueId) {
      const n = store.callFlows.notice(tenantId, 'queue', queueId);
      const p = n && recordingNoticeSchema.safeParse(n.config);
      return p?.success ? p.data : undefined;
    },
  };
}
