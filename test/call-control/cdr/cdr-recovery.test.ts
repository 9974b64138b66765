import { describe, expect, it } from 'vitest';
import { CdrRecorder, type CdrSink } from '../../../services/call-control/cdr/cdr-recorder';
import { CdrRecovery, mediaWitness, type MediaWitness, type OrphanStore } from '../../../services/call-control/cdr/cdr-recovery';
import type { CdrRecord } from '../../../services/call-control/cdr/cdr-record';
import { AppError } from '../../../services/common/errors';
import { createLogger } from '../../../services/common/logger';

const log = createLogger({ sink: () => undefined });
const T0 = Date.UTC(2026, 10, 22, 9, 0, 0);

/** An in-memory table with the same semantics as CdrsRepo (the real one is tested on SQLite in test/store). */
class MemoryCdrs implements CdrSink, OrphanStore {
  rows = new Map<string, { cdr: CdrRecord; owner: string }>();
  open(cdr: CdrRecord, owner: string) {
    if (this.rows.has(cdr.callId)) throw new Error('duplicate');
    this.rows.set(cdr.callId, { cdr, owner });
  }
  touch(ids: readonly string[], at: number) {
    for (const id of ids) {
      const r = this.rows.get(id);
      if (r && r.cdr.status === 'in-progress') r.cdr = { ...r.cdr, lastSeenAt: Math.max(r.cdr.lastSeenAt, at) };
    }
  }
  close(cdr: CdrRecord) {
    const owner = this.rows.get(cdr.callId)?.owner ?? '';
    this.rows.set(cdr.callId, { cdr, owner });
  }
  orphans(owner: string) {
    return [...this.rows.values()].filter((r) => r.cdr.status === 'in-progress' && r.owner !== owner).map((r) => r.cdr);
  }
}

function attempt(recorder: CdrRecorder, callId: string, at = T0) {
  recorder.attempt({ type: 'attempt', at, callId, tenantId: 1, direction: 'inbound', caller: { dialled: '+79161234567', number: '+79161234567' }, callee: { dialled: '4951234567', number: '+74951234567' }, extension: '201', trunk: 'mts' });
}

describe('CdrRecorder', () => {
  it('writes nothing before answer, the in-progress row at answer, heartbeats in one write, the final row at hangup', () => {
    const store = new MemoryCdrs();
    const touches: number[] = [];
    const sink: CdrSink = { open: (c, o) => store.open(c, o), touch: (ids, at) => (touches.push(ids.length), store.touch(ids, at)), close: (c) => store.close(c) };
    const rec = new CdrRecorder({ sink, owner: 'boot-1', log });
    attempt(rec, 'c1');
    attempt(rec, 'c2');
    attempt(rec, 'c3');
    rec.event('c1', { type: 'ringing', at: T0 + 1_000 });
    expect(store.rows.size).toBe(0);
    rec.event('c1', { type: 'answer', at: T0 + 5_000 });
    rec.event('c2', { type: 'answer', at: T0 + 6_000 });
    expect(store.rows.get('c1')).toMatchObject({ owner: 'boot-1', cdr: { status: 'in-progress', answeredAt: T0 + 5_000, lastSeenAt: T0 + 5_000 } });
    expect(rec.heartbeat(T0 + 35_000)).toBe(2);
    expect(touches).toEqual([2]);
    expect(store.rows.get('c2')?.cdr.lastSeenAt).toBe(T0 + 35_000);
    rec.event('c1', { type: 'hangup', at: T0 + 50_000, side: 'caller' });
    rec.event('c3', { type: 'hangup', at: T0 + 9_000, side: 'callee', sipStatus: 486 });
    expect(store.rows.get('c1')?.cdr).toMatchObject({ status: 'completed', billableSeconds: 45 });
    expect(store.rows.get('c3')?.cdr).toMatchObject({ status: 'completed', disposition: 'busy' });
    expect(rec.liveCalls).toBe(1);
    expect(rec.event('nope', { type: 'answer', at: T0 })).toBeUndefined();
  });

  it('keeps the last persisted state in memory when a write fails', () => {
    const sink: CdrSink = { open: () => { throw new Error('disk full'); }, touch: () => undefined, close: () => undefined };
    const rec = new CdrRecorder({ sink, owner: 'b', log });
    attempt(rec, 'c1');
    expect(() => rec.event('c1', { type: 'answer', at: T0 + 1 })).toThrow('disk full');
    expect(rec.heartbeat(T0 + 2)).toBe(0); // still unanswered as far as the disk knows
  });
});

describe('CdrRecovery', () => {
  function crashedWorld() {
    const store = new MemoryCdrs();
    const old = new CdrRecorder({ sink: store, owner: 'boot-1', log });
    for (const id of ['quiet', 'talking', 'gone', 'unknown']) {
      attempt(old, id);
      old.event(id, { type: 'answer', at: T0 + 10_000 });
    }
    old.heartbeat(T0 + 40_000);
    attempt(old, 'ringing-only');
    attempt(old, 'finished');
    old.event('finished', { type: 'answer', at: T0 + 1_000 });
    old.event('finished', { type: 'hangup', at: T0 + 2_000, side: 'caller' });
    // … and here the old process is killed.
    return store;
  }

  it('completes cut-off calls from the media plane’s last packet, leaves live talks open, and frees their ports', async () => {
    const store = crashedWorld();
    let now = T0 + 120_000;
    const released: string[] = [];
    const media: MediaWitness = {
      lastActivity: async (id) => {
        if (id === 'quiet') return T0 + 55_000;
        if (id === 'talking') return now - 1_000;
        if (id === 'gone') return 'gone';
        throw new AppError(504, 'rtpengine-timeout', 'no answer');
      },
      release: async (id) => {
        released.push(id);
      },
    };
    const recovery = new CdrRecovery({ store, media, owner: 'boot-2', now: () => now, log });
    const first = await recovery.sweep();
    expect(first.stillTalking).toEqual(['talking']);
    expect(first.closed.map((c) => c.callId).sort()).toEqual(['gone', 'quiet', 'unknown']);
    expect(store.rows.get('quiet')?.cdr).toMatchObject({
      status: 'ended-by-recovery',
      disposition: 'answered',
      hangupSide: 'system',
      hangupReason: 'ended-by-recovery',
      endedAt: T0 + 55_000,
      billableSeconds: 45,
    });
    // rtpengine already dropped it, or did not answer: the last heartbeat is the last known time.
    expect(store.rows.get('gone')?.cdr).toMatchObject({ status: 'ended-by-recovery', endedAt: T0 + 40_000, billableSeconds: 30 });
    expect(store.rows.get('unknown')?.cdr).toMatchObject({ status: 'ended-by-recovery', endedAt: T0 + 40_000 });
    expect(released).toEqual(['quiet', 'unknown']);
    expect(store.rows.get('talking')?.cdr).toMatchObject({ status: 'in-progress', lastSeenAt: T0 + 119_000 });
    expect(store.rows.has('ringing-only')).toBe(false);
    expect(store.rows.get('finished')?.cdr.status).toBe('completed');

    // The talkers hang up; a later sweep sees silence and closes at their last packet.
    const lastPacket = now - 1_000;
    now += 60_000;
    media.lastActivity = async () => lastPacket;
    const second = await recovery.sweep();
    expect(second).toMatchObject({ stillTalking: [], closed: [{ callId: 'talking', endedAt: lastPacket }] });
    expect((await recovery.sweep()).closed).toEqual([]);
  });

  it('works without a media plane from the stored last-seen time', async () => {
    const store = crashedWorld();
    const recovery = new CdrRecovery({ store, owner: 'boot-2', now: () => T0 + 600_000, log });
    const r = await recovery.sweep();
    expect(r.closed).toHaveLength(4);
    expect(r.closed.every((c) => c.endedAt === T0 + 40_000 && c.billableSeconds === 30)).toBe(true);
  });

  it('never touches rows of its own process', async () => {
    const store = crashedWorld();
    expect((await new CdrRecovery({ store, owner: 'boot-1', now: () => T0 + 600_000, log }).sweep()).closed).toEqual([]);
  });

  it('mediaWitness reads the latest packet time and maps an unknown call to gone', async () => {
    const w = mediaWitness({
      query: async (id) => {
        if (id === 'x') throw new AppError(404, 'media-call-not-found', 'gone');
        return { createdAt: 100, parties: { A: { lastPacketAt: 160 }, B: { lastPacketAt: 150 }, C: {} } };
      },
      delete: async () => undefined,
    });
    expect(await w.lastActivity('c')).toBe(160_000);
    expect(await w.lastActivity('x')).toBe('gone');
  });
});
