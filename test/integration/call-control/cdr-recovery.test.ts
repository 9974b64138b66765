// Crash recovery of CDRs with the real witnesses: a SQLite file written by a
// "killed" call-control, and a real rtpengine that kept relaying the call.
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CdrRecorder } from '../../../services/call-control/cdr/cdr-recorder';
import { CdrRecovery, mediaWitness } from '../../../services/call-control/cdr/cdr-recovery';
import { RtpengineMedia } from '../../../services/call-control/media/rtpengine-media';
import { createLogger } from '../../../services/common/logger';
import { openDatabase } from '../../../services/store';
import { CdrsRepo } from '../../../services/store/repos/cdrs';
import { TenantsRepo } from '../../../services/store/repos/tenants';
import { testOutputDir } from '../../helpers/processes';
import { tempDir } from '../../helpers/tmp';
import { mediaTarget, RtpEndpoint, tone, waitUntil } from './rtp-endpoint';
import { startRtpengine, type RunningRtpengine } from './rtpengine-process';

const log = createLogger({ level: 'warn', sink: () => undefined });
let rtpengine: RunningRtpengine;
let media: RtpengineMedia;
const tmp = tempDir('korobka-cdr-');

beforeAll(async () => {
  rtpengine = await startRtpengine(testOutputDir('call-control', `cdr-recovery-${process.pid}`));
  media = new RtpengineMedia({ ng: rtpengine.ng, log });
});

afterAll(async () => {
  await rtpengine?.stop();
  tmp.cleanup();
});

describe('CDR recovery after call-control dies mid-call', () => {
  it('keeps a call that still carries media open, then closes it at its last RTP packet and frees the media', async () => {
    const file = path.join(tmp.dir, 'korobka.db');
    const a = await RtpEndpoint.open();
    const b = await RtpEndpoint.open();
    const talking = `cc-recovery-${randomUUID()}`;
    const silent = `cc-recovery-${randomUUID()}`;
    try {
      // --- the first call-control process ---
      const db1 = openDatabase(file);
      new TenantsRepo(db1).create({ name: 'Bank', sipDomain: 'bank.example.ru', isDefault: true });
      const recorder = new CdrRecorder({ sink: new CdrsRepo(db1), owner: 'boot-1', log });
      for (const callId of [talking, silent]) {
        recorder.attempt({ type: 'attempt', at: Date.now(), callId, tenantId: 1, direction: 'internal', caller: { dialled: '201', number: '201' }, callee: { dialled: '202', number: '202' }, extension: '201' });
      }
      const offer = await media.offer({ callId: talking, fromTag: 'A', sdp: a.sdp([[8, 'PCMA']]) });
      const answer = await media.answer({ callId: talking, fromTag: 'A', toTag: 'B', sdp: b.sdp([[8, 'PCMA']]) });
      const answeredAt = Date.now();
      recorder.event(talking, { type: 'answer', at: answeredAt });
      recorder.event(silent, { type: 'answer', at: answeredAt });
      // Both keep talking for 2.5 s while the process is gone.
      const conversation = Promise.all([
        a.send(mediaTarget(answer.sdp), 125, 8, (i) => tone(i, 440, 'pcma')),
        b.send(mediaTarget(offer.sdp), 125, 8, (i) => tone(i, 880, 'pcma')),
      ]);
      db1.close(); // killed: no hangup, no further heartbeat

      // --- the restarted process ---
      const db2 = openDatabase(file);
      const repo = new CdrsRepo(db2);
      const recovery = new CdrRecovery({ store: repo, media: mediaWitness(media), owner: 'boot-2', now: Date.now, log }, 1_500);
      expect(await waitUntil(() => b.count(8) >= 10)).toBe(true);
      const first = await recovery.sweep();
      expect(first.stillTalking).toEqual([talking]);
      // The call without a media session is over at its last known time (the answer).
      expect(first.closed.map((c) => c.callId)).toEqual([silent]);
      expect(repo.get(silent)).toMatchObject({ status: 'ended-by-recovery', endedAt: answeredAt, billableSeconds: 0 });
      expect(repo.get(talking)?.status).toBe('in-progress');

      await conversation;
      const lastPacket = Date.now();
      expect(await waitUntil(async () => (await recovery.sweep()).closed.length === 1, 10_000)).toBe(true);
      const done = repo.get(talking)!;
      expect(done).toMatchObject({ status: 'ended-by-recovery', disposition: 'answered', hangupSide: 'system', hangupReason: 'ended-by-recovery' });
      // rtpengine keeps whole seconds: the end lies within a second of the real last packet.
      expect(done.endedAt!).toBeGreaterThanOrEqual(Math.floor(lastPacket / 1000) * 1000 - 1000);
      expect(done.endedAt!).toBeLessThanOrEqual(lastPacket);
      expect(done.billableSeconds).toBeGreaterThanOrEqual(2);
      await expect(media.query(talking)).rejects.toMatchObject({ code: 'media-call-not-found' });
      expect(repo.orphans('boot-2')).toEqual([]);
      db2.close();
    } finally {
      a.close();
      b.close();
      await media.delete(talking).catch(() => undefined);
    }
  });
});
