// A ring group's round robin remembered in the store (ring_group_memory,
// migration 0050) through call-control's feature store: after a restart (a
// new process: a fresh in-memory RingMemory and factory) the next call starts
// after the member who answered last, not at the top. Real SQLite file.
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ringGroupSchema } from '../../../services/call-flows';
import { storeFeatureConfigs } from '../../../services/call-control/features/call-lists';
import { RingMemory, ringGroupFactory } from '../../../services/call-control/features/ring-group';
import { createLogger } from '../../../services/common/logger';
import { openStore, type Store } from '../../../services/store';
import { tempDir } from '../../helpers/tmp';
import { answeredBy } from '../fakes/fake-actions';
import { flowWorld } from './flow-world';

let open: { store: Store; cleanup: () => void } | undefined;
afterEach(() => {
  open?.store.close();
  open?.cleanup();
  open = undefined;
});

function world() {
  const t = tempDir('ring-memory-');
  const store = openStore(path.join(t.dir, 'korobka.db'));
  open = { store, cleanup: t.cleanup };
  const tenant = store.tenants.create({ name: 'T', sipDomain: 't.example.ru' }).id;
  const other = store.tenants.create({ name: 'U', sipDomain: 'u.example.ru' }).id;
  const members = ['201', '202', '203'].map((extension) => ({ extension }));
  const group = store.callFlows.create(
    'ring-group',
    tenant,
    ringGroupSchema.parse({ name: 'Продажи', strategy: 'round-robin', members, timeout: 30 }),
  ).id;
  return { store, tenant, other, group, configs: storeFeatureConfigs(store, createLogger({ sink: () => undefined })) };
}

/** One call to the group in "a process" (its factory): who was rung in which order, `answerer` taking it. */
async function call(
  w: ReturnType<typeof world>,
  factory: ReturnType<typeof ringGroupFactory>,
  answerer: string,
  tenantId = w.tenant,
): Promise<string[]> {
  const f = flowWorld({ tenantId, featureConfigs: w.configs, table: { 'ring-group': factory } });
  f.actions.rings.push(answeredBy(answerer));
  await f.run({ kind: 'feature', feature: 'ring-group', id: String(w.group) });
  const ring = f.actions.log.find((l) => l.action === 'ring');
  return ring?.action === 'ring' ? ring.targets.map((t) => t.extension) : [];
}

describe('round robin across a restart', () => {
  it('starts after the member who answered last, read from ring_group_memory by a new process', async () => {
    const w = world();
    const before = ringGroupFactory(new RingMemory());
    expect(await call(w, before, '201')).toEqual(['201', '202', '203']);
    expect(await call(w, before, '202')).toEqual(['202', '203', '201']);
    expect(w.store.callFlows.lastMember(w.group)).toBe('202');
    // Restarted: nothing in memory, the store remembers 202.
    const after = ringGroupFactory(new RingMemory());
    expect(await call(w, after, '203')).toEqual(['203', '201', '202']);
    expect(w.store.callFlows.lastMember(w.group)).toBe('203');
  });

  it("another tenant's call cannot read or move a group's memory", async () => {
    const w = world();
    w.store.callFlows.rememberMember(w.group, '202');
    expect(w.configs.lastMember?.(w.other, String(w.group))).toBeUndefined();
    w.configs.rememberMember?.(w.other, String(w.group), '201');
    expect(w.store.callFlows.lastMember(w.group)).toBe('202');
    expect(w.configs.lastMember?.(w.tenant, String(w.group))).toBe('202');
  });
});
