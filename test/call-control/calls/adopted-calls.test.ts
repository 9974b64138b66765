// The in-dialog requests of calls taken over after a restart, driven with a
// real SQLite store; srf's request/response objects are plain recorders
// (the end-to-end path runs in test/integration/call-control/restart.test.ts).
import { afterEach, describe, expect, it } from 'vitest';
import { CallLedger } from '../../../licensing/admission';
import { AdoptedCalls } from '../../../services/call-control/calls/adopted-calls';
import { startCdr, applyEvent } from '../../../services/call-control/cdr/cdr-machine';
import { endedByRecovery } from '../../../services/call-control/cdr/cdr-recovery';
import { createLogger } from '../../../services/common/logger';
import { openStore, type Store } from '../../../services/store';
import { tempDir } from '../../helpers/tmp';

const log = createLogger({ level: 'error', sink: () => undefined });
const tmp = tempDir('korobka-adopted-');
let store: Store | undefined;
afterEach(() => store?.close());

function setup(withCdr = true) {
  store = openStore(`${tmp.dir}/${Math.random().toString(36).slice(2)}.db`);
  const tenantId = store.tenants.create({ name: 'Bank', sipDomain: 'bank.example.ru', isDefault: true }).id;
  const answeredAt = Date.now() - 10_000;
  if (withCdr) {
    const cdr = applyEvent(startCdr({ type: 'attempt', at: answeredAt - 1000, callId: 'c1', tenantId, direction: 'internal', caller: { dialled: '201', number: '201' }, callee: { dialled: '202', number: '202' }, extension: '201' }), { type: 'answer', at: answeredAt }).cdr;
    store.cdrs.open(cdr, 'boot-1');
  }
  store.callLegs.save('boot-1', { cdrId: 'c1', tenantId, aDialog: 'a;from-tag=1', bDialog: 'b;from-tag=2', mediaId: 'c1', tagA: '1', tagB: '2', sdpToA: 'v=0 to-a', sdpToB: 'v=0 to-b', caller: '201', callee: '202', answeredAt });
  const sent: Array<{ method: string; stackDialogId: string }> = [];
  const deleted: string[] = [];
  const ledger = new CallLedger();
  const srf = { request: (_uri: string, o: { method: string; stackDialogId: string }) => (sent.push(o), Promise.resolve()) };
  const adopted = new AdoptedCalls({ srf, legs: store.callLegs, cdrs: store.cdrs, deleteMedia: async (id) => void deleted.push(id), ledger, owner: 'boot-2', now: Date.now, log });
  return { store, adopted, sent, deleted, ledger };
}

function request(method: string, stackDialogId: string, body = '') {
  const replies: Array<{ status: number; opts?: unknown }> = [];
  const res = { finalResponseSent: false, send: (status: number, opts?: unknown) => replies.push({ status, opts }) };
  return { req: { method, stackDialogId, body }, res, replies };
}

describe('AdoptedCalls', () => {
  it('takes over the stored call, counts it against the licence, and ends it on a BYE from either side', () => {
    const { store, adopted, sent, deleted, ledger } = setup();
    expect(adopted.load()).toBe(1);
    expect(ledger.size).toBe(1);
    expect(store.callLegs.foreign('boot-3')).toHaveLength(1);
    expect(store.callLegs.foreign('boot-2')).toHaveLength(0); // now ours
    const bye = request('BYE', 'b;from-tag=2');
    adopted.middleware()(bye.req, bye.res, () => expect.unreachable('handled here'));
    expect(bye.replies).toEqual([{ status: 200, opts: undefined }]);
    expect(sent).toEqual([expect.objectContaining({ method: 'BYE', stackDialogId: 'a;from-tag=1' })]);
    expect(deleted).toEqual(['c1']);
    expect(store.cdrs.get('c1')).toMatchObject({ status: 'completed', disposition: 'answered', hangupSide: 'callee', hangupSipStatus: 200 });
    expect(store.cdrs.get('c1')!.billableSeconds).toBeGreaterThanOrEqual(10);
    expect(ledger.size).toBe(0);
    expect(adopted.size).toBe(0);
  });

  it('answers a session refresh with the SDP that side has, refuses a transfer, passes other dialogs on', () => {
    const { adopted } = setup();
    adopted.load();
    const refresh = request('INVITE', 'a;from-tag=1', 'v=0 offer');
    adopted.middleware()(refresh.req, refresh.res, () => expect.unreachable('handled here'));
    expect(refresh.replies[0]).toMatchObject({ status: 200, opts: { body: 'v=0 to-a' } });
    const refer = request('REFER', 'b;from-tag=2');
    adopted.middleware()(refer.req, refer.res, () => expect.unreachable('handled here'));
    expect(refer.replies[0]?.status).toBe(403);
    let passed = false;
    const other = request('BYE', 'someone-else;from-tag=9');
    adopted.middleware()(other.req, other.res, () => (passed = true));
    expect(passed).toBe(true);
    expect(other.replies).toEqual([]);
  });

  it('carries a call whose CDR row never reached the disk, and drops one that recovery already closed', () => {
    const orphan = setup(false);
    expect(orphan.adopted.load()).toBe(1);
    store!.close();
    const closed = setup();
    const cdr = closed.store.cdrs.get('c1')!;
    closed.store.cdrs.close(endedByRecovery(cdr, Date.now()));
    expect(closed.adopted.load()).toBe(0);
    expect(closed.store.callLegs.foreign('x')).toHaveLength(0);
    expect(closed.ledger.size).toBe(0);
  });
});
