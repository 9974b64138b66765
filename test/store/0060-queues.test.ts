// Migration 0060: queues over a database at version 51 with a tenant. A queue
// is a call-flow object (unique name per tenant); agents' standing is per
// queue and goes with it; queued callers are kept for the counters after
// their queue is deleted; the checks refuse an unknown outcome; the repo's
// agent rules (logging out clears a pause) and a restart closing callers of
// the process that is gone.
import { describe, expect, it } from 'vitest';
import { schemaVersion } from '../../services/store';
import { CallFlowsRepo } from '../../services/store/repos/call-flows';
import { QueuesRepo } from '../../services/store/repos/queues';
import { migrationDb } from '../helpers/migration-db';

const mig = migrationDb('mig60-');

function at60() {
  const d = mig.at(51, 60, (db) => {
    db.prepare("INSERT INTO tenants (name, sip_domain, created_at) VALUES ('T', 't.example.ru', '2026-12-06T00:00:00Z')").run();
  });
  return { d, flows: new CallFlowsRepo(d), queues: new QueuesRepo(d) };
}

describe('migration 0060 queues', () => {
  it('stores a queue, its agents and its callers; deleting the queue takes its agents, keeps its callers', () => {
    const { d, flows, queues } = at60();
    expect(schemaVersion(d)).toBe(60);
    const q = flows.create('queue', 1, { name: 'Поддержка', members: [{ extension: '201' }] } as { name: string });
    expect(() => flows.create('queue', 1, { name: 'Поддержка' })).toThrow(expect.objectContaining({ code: 'queue-exists' }));
    expect(queues.setAgent(q.id, '202', { loggedIn: true }, false)).toMatchObject({ loggedIn: true, paused: false });
    expect(queues.setAgent(q.id, '202', { paused: true, pauseReason: 'обед' }, false)).toMatchObject({ paused: true, pauseReason: 'обед' });
    expect(queues.setAgent(q.id, '202', { loggedIn: false }, false)).toMatchObject({ loggedIn: false, paused: false, pauseReason: '' });
    expect(queues.agentMissed(q.id, '201', true)).toBe(1);
    expect(queues.agentMissed(q.id, '201', true)).toBe(2);
    queues.agentAnswered(q.id, '201', true);
    expect(queues.agent(q.id, '201')).toMatchObject({ loggedIn: true, calls: 1, missed: 0 });
    const c = queues.enter({ tenantId: 1, queueId: q.id, cdrId: 'cdr-1', caller: '201', at: 1000, position: 1 });
    expect(() => d.prepare("UPDATE queue_calls SET outcome = 'gone' WHERE id = ?").run(c)).toThrow(/CHECK/);
    flows.delete('queue', q.id);
    expect(queues.agents(q.id)).toEqual([]);
    expect(queues.callsOf('cdr-1')).toHaveLength(1);
  });

  it('a restart closes callers still waiting as lost and talking ones as ended', () => {
    const { queues } = at60();
    const w = queues.enter({ tenantId: 1, queueId: 1, cdrId: 'a', caller: '', at: 1000, position: 1 });
    const t = queues.enter({ tenantId: 1, queueId: 1, cdrId: 'b', caller: '', at: 1000, position: 2 });
    queues.answered(t, '201', 2000);
    expect(queues.closeStale(5000)).toBe(2);
    expect(queues.call(w)).toMatchObject({ outcome: 'lost', endedAt: 5000 });
    expect(queues.call(t)).toMatchObject({ outcome: 'answered', endedAt: 5000 });
    expect(queues.recentHandleMs(1)).toBe(3000);
  });
});
