// The tenant's black/white lists and DID recording notices from the store,
// for screening (screening.ts). Lists may hold thousands of entries: they are
// parsed once and kept until any call-flow object of the tenant changes
// (CallFlowsRepo.version), not re-read per call.
import { listSchema, recordingNoticeSchema, type ListConfig } from '../../call-flows';
import type { Logger } from '../../common/logger';
import type { Store } from '../../store';
import type { CallLists } from './screening';

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
  };
}
