// Call legs (migration 0043): what call-control needs to take over an
// answered call after a restart. One row per answered call, removed at its end.
// The parties are sealed like the CDR's (issue 15, pd-fields.ts).
import type { Db } from '../db';
import { PdFieldsSlot } from './pd-fields';

export interface CallLegsData {
  cdrId: string;
  tenantId: number;
  /** drachtio dialog ids of the caller's leg (we are its UAS) and the callee's (we are its UAC). */
  aDialog: string;
  bDialog: string;
  mediaId: string;
  tagA: string;
  tagB: string;
  sdpToA: string;
  sdpToB: string;
  caller: string;
  callee: string;
  answeredAt: number;
}

interface Row {
  cdr_id: string;
  owner: string;
  tenant_id: number;
  a_dialog: string;
  b_dialog: string;
  media_id: string;
  tag_a: string;
  tag_b: string;
  sdp_to_a: string;
  sdp_to_b: string;
  caller: string;
  callee: string;
  answered_at: number;
}

const ref = (c: { tenantId: number; cdrId: string }, field: string) => ({ table: 'call_legs', tenantId: c.tenantId, rowId: c.cdrId, field });

const toData = (pd: PdFieldsSlot, r: Row): CallLegsData => ({
  cdrId: r.cdr_id,
  tenantId: r.tenant_id,
  aDialog: r.a_dialog,
  bDialog: r.b_dialog,
  mediaId: r.media_id,
  tagA: r.tag_a,
  tagB: r.tag_b,
  sdpToA: r.sdp_to_a,
  sdpToB: r.sdp_to_b,
  caller: pd.open(r.caller, ref({ tenantId: r.tenant_id, cdrId: r.cdr_id }, 'caller')),
  callee: pd.open(r.callee, ref({ tenantId: r.tenant_id, cdrId: r.cdr_id }, 'callee')),
  answeredAt: r.answered_at,
});

export class CallLegsRepo {
  constructor(
    private readonly db: Db,
    private readonly pd: PdFieldsSlot = new PdFieldsSlot(),
  ) {}

  save(owner: string, c: CallLegsData): void {
    this.db
      .prepare(
        `INSERT OR REPLACE INTO call_legs (cdr_id, owner, tenant_id, a_dialog, b_dialog, media_id, tag_a, tag_b, sdp_to_a, sdp_to_b, caller, callee, answered_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(c.cdrId, owner, c.tenantId, c.aDialog, c.bDialog, c.mediaId, c.tagA, c.tagB, c.sdpToA, c.sdpToB, this.pd.seal(c.caller, ref(c, 'caller')), this.pd.seal(c.callee, ref(c, 'callee')), c.answeredAt);
  }

  remove(cdrId: string): void {
    this.db.prepare('DELETE FROM call_legs WHERE cdr_id = ?').run(cdrId);
  }

  /** Rows another process wrote (a previous boot): the calls to take over. */
  foreign(owner: string): CallLegsData[] {
    return (this.db.prepare('SELECT * FROM call_legs WHERE owner != ? ORDER BY answered_at').all(owner) as Row[]).map((r) => toData(this.pd, r));
  }

  /** Marks the rows as carried by `owner` now (a second restart takes them over again). */
  adopt(owner: string, cdrIds: readonly string[]): void {
    const upd = this.db.prepare('UPDATE call_legs SET owner = ? WHERE cdr_id = ?');
    this.db.transaction(() => {
      for (const id of cdrIds) upd.run(owner, id);
    })();
  }
}
