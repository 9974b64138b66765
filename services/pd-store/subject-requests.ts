// A data subject's requests (152-FZ art. 14, 20, 21) by phone number: show
// everything held (contacts, CDRs, recordings), export it as a ZIP with a
// manifest and the decrypted recordings, and erase: crypto-shred the
// subject's key, destroy the data keys of their recordings, drop their number
// from CDRs (the calls still count) and write the erasure ledger. Legal hold
// on the subject or on one of their recordings refuses erasure, named.
import path from 'node:path';
import { strToU8, zipSync, type Zippable } from 'fflate';
import { AppError } from '../common/errors';
import type { SubjectCdr, SubjectRecording } from '../store';
import type { Vault } from '../recordings';
import type { Contact, ContactBook } from './contacts';
import { appendErasure } from './erasure-ledger';
import { requirePhone } from './normalise';
import type { PdStore, Subject } from './pd-store';

export interface SubjectData {
  subject: Subject | null;
  contacts: Contact[];
  cdrs: SubjectCdr[];
  recordings: Array<Omit<SubjectRecording, 'path'>>;
}

export interface RequestMeta {
  reason: string;
  requester: string;
  by: string;
}

export interface ErasureReport {
  subjectId: string | null;
  contacts: number;
  cdrs: number;
  recordings: number;
}

export const recordingsUnderHold = (ids: string[]) =>
  new AppError(
    409,
    'pd-legal-hold',
    `recordings ${ids.join(', ')} of this subject are under legal hold: erasure refused, nothing was changed`,
    { recordingIds: ids },
  );

export class SubjectRequests {
  constructor(
    private readonly pd: PdStore,
    private readonly book: ContactBook,
    private readonly opts: { dataDir: string; vault: () => Vault; now?: () => Date },
  ) {}

  private rows(tenantId: number, number: string) {
    const e164 = requirePhone('number', number);
    const subject = this.pd.findByNumber(tenantId, e164) ?? null;
    const contacts = subject ? this.pd.store.pdContacts.bySubject(tenantId, subject.id).map((c) => this.book.open(c)) : [];
    return {
      e164,
      subject,
      contacts,
      cdrs: this.pd.store.pdRequests.cdrs(tenantId, e164),
      recordings: this.pd.store.pdRequests.recordings(tenantId, e164),
    };
  }

  /** Everything held about the number's subject, decrypted. */
  find(tenantId: number, number: string): SubjectData {
    const r = this.rows(tenantId, number);
    return { subject: r.subject, contacts: r.contacts, cdrs: r.cdrs, recordings: r.recordings.map(({ path: _path, ...rest }) => rest) };
  }

  /** A ZIP: manifest.json (what, when, by whom, SHA-256 of each file), contacts.json, cdrs.json, recordings/<id>.<ext>. */
  async exportZip(tenantId: number, number: string, meta: RequestMeta): Promise<{ zip: Buffer; subjectId: string | null; files: number }> {
    const r = this.rows(tenantId, number);
    const files: Zippable = {};
    const listed: Array<{ name: string; bytes: number; sha256: string }> = [];
    const { createHash } = await import('node:crypto');
    const add = (name: string, data: Uint8Array) => {
      files[name] = [data, { level: 0 }];
      listed.push({ name, bytes: data.length, sha256: createHash('sha256').update(data).digest('hex') });
    };
    add('contacts.json', strToU8(JSON.stringify(r.contacts, null, 2)));
    add('cdrs.json', strToU8(JSON.stringify(r.cdrs, null, 2)));
    add(
      'recordings.json',
      strToU8(
        JSON.stringify(
          r.recordings.map(({ path: _p, ...rest }) => rest),
          null,
          2,
        ),
      ),
    );
    const vault = r.recordings.length ? this.opts.vault() : undefined;
    for (const rec of r.recordings) {
      const parts: Buffer[] = [];
      for await (const p of vault!.decrypt(path.join(this.opts.dataDir, 'recordings', rec.path))) parts.push(p);
      add(`recordings/${rec.id}.${rec.mediaType === 'audio/ogg' ? 'ogg' : 'wav'}`, Buffer.concat(parts));
    }
    const manifest = {
      format: 'korobka-pd-export/1',
      createdAt: (this.opts.now?.() ?? new Date()).toISOString(),
      tenantId,
      subjectId: r.subject?.id ?? null,
      number: r.e164,
      reason: meta.reason,
      requester: meta.requester,
      exportedBy: meta.by,
      counts: { contacts: r.contacts.length, cdrs: r.cdrs.length, recordings: r.recordings.length },
      files: listed,
    };
    files['manifest.json'] = [strToU8(JSON.stringify(manifest, null, 2)), { level: 0 }];
    return { zip: Buffer.from(zipSync(files)), subjectId: manifest.subjectId, files: listed.length + 1 };
  }

  async erase(tenantId: number, number: string): Promise<ErasureReport> {
    const r = this.rows(tenantId, number);
    if (r.subject?.legalHold) this.pd.erase(tenantId, r.subject.id); // throws pd-legal-hold, naming the reason
    const held = r.recordings.filter((x) => x.legalHold).map((x) => x.id);
    if (held.length) throw recordingsUnderHold(held);
    const vault = r.recordings.length ? this.opts.vault() : undefined;
    for (const rec of r.recordings) await vault!.destroyDataKey(path.join(this.opts.dataDir, 'recordings', rec.path));
    let cdrs = 0;
    const store = this.pd.store;
    const work = () => {
      if (r.subject) store.pdContacts.deleteBySubject(tenantId, r.subject.id);
      cdrs = store.pdRequests.anonymiseCdrs(tenantId, r.e164);
      store.pdRequests.forgetRecordingParties(
        tenantId,
        r.recordings.map((x) => x.id),
      );
    };
    // The ledger first: a crash after it is finished by the next restore or retry, never forgotten.
    appendErasure(this.opts.dataDir, {
      at: (this.opts.now?.() ?? new Date()).toISOString(),
      tenantId,
      subjectId: r.subject?.id ?? null,
      recordingIds: r.recordings.map((x) => x.id),
    });
    if (r.subject && !r.subject.erasedAt) this.pd.erase(tenantId, r.subject.id, work);
    else {
      store.pdSubjects.secureDelete();
      store.transaction(work, 'immediate');
      store.pdSubjects.checkpoint();
    }
    return { subjectId: r.subject?.id ?? null, contacts: r.contacts.length, cdrs, recordings: r.recordings.length };
  }
}
