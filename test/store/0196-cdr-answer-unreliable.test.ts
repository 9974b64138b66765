// Migration 0196 over a database at version 195 holding a finished CDR: the
// old row reads back unmarked, a new row keeps its unreliable answer and
// first-audio time through the repo.
import { describe, expect, it } from 'vitest';
import { schemaVersion } from '../../services/store';
import { CdrsRepo, type CdrData } from '../../services/store/repos/cdrs';
import { migrationDb } from '../helpers/migration-db';

const mig = migrationDb('mig196-');
const base = (callId: string): CdrData => ({ callId, tenantId: 1, direction: 'outbound', caller: { dialled: '201', number: '201' }, callee: { dialled: '8926', number: '+79261234567' }, startedAt: 1_000_000, answeredAt: 1_001_000, endedAt: 1_020_000, durationSeconds: 20, billableSeconds: 12, disposition: 'answered', hangupSide: 'caller', transfers: [], status: 'completed', lastSeenAt: 1_020_000 });

describe('migration 0196 cdr answer unreliable', () => {
  it('keeps old rows unmarked and stores the mark and the first audio', () => {
    const d = mig.at(195, 196, (db) => {
      db.prepare("INSERT INTO tenants (name, sip_domain, created_at) VALUES ('T', 't.example.ru', '2026-12-06T00:00:00Z')").run();
      new CdrsRepo(db).close(base('old'));
    });
    expect(schemaVersion(d)).toBe(196);
    const cdrs = new CdrsRepo(d);
    expect(cdrs.get('old')).not.toHaveProperty('answerUnreliable');
    cdrs.close({ ...base('new'), answerUnreliable: true, audioAt: 1_008_000 });
    expect(cdrs.get('new')).toMatchObject({ answerUnreliable: true, audioAt: 1_008_000, billableSeconds: 12 });
  });
});
