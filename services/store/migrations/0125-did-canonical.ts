// Issue 16 item 5: a DID is one number in every spelling. Until now `dids.number`
// was unique only as spelled, so one tenant could hold +74951234567 and another
// 84951234567 — the same line — and take the other's calls. Every row is
// rewritten to its canonical form (E.164 for Russian numbers: 8…/7… with 10
// digits after them, or a bare 10-digit national number, become +7…), so the
// existing UNIQUE index on `number` becomes the global one over all spellings,
// and triggers refuse a non-canonical spelling written later by anything.
//
// The rule is a frozen copy of services/call-flows/numbers.ts canonicalNumber()
// as of this release: a migration must mean the same thing forever.
//
// Two rows that become one number: the same tenant with the same destination
// is one row kept twice (the older stays); anything else is a real conflict
// that only a person can settle, so the migration refuses, changing nothing,
// and says which rows to look at.
import type Database from 'better-sqlite3';

/** Canonical spelling of a stored DID; unchanged when it is none of the Russian national forms. */
export function canonicalDid(number: string): string {
  if (/^[78]\d{10}$/.test(number)) return `+7${number.slice(1)}`;
  if (/^[3489]\d{9}$/.test(number)) return `+7${number}`;
  if (/^810[1-9]\d{8,14}$/.test(number)) return `+${number.slice(3)}`;
  return number;
}

interface Row {
  id: number;
  tenant_id: number;
  number: string;
  destination_type: string;
  destination: string;
}

export function up(db: Database.Database): void {
  const rows = db.prepare('SELECT id, tenant_id, number, destination_type, destination FROM dids ORDER BY id').all() as Row[];
  const byNumber = new Map<string, Row[]>();
  for (const r of rows) {
    const c = canonicalDid(r.number);
    byNumber.set(c, [...(byNumber.get(c) ?? []), r]);
  }
  const conflicts: string[] = [];
  const duplicates: number[] = [];
  for (const [number, group] of byNumber) {
    if (group.length < 2) continue;
    const first = group[0]!;
    const same = group.every((r) => r.tenant_id === first.tenant_id && r.destination_type === first.destination_type && r.destination === first.destination);
    if (same) duplicates.push(...group.slice(1).map((r) => r.id));
    else conflicts.push(`${number}: ${group.map((r) => `dids.id ${r.id} (tenant ${r.tenant_id}, "${r.number}" → ${r.destination_type} ${r.destination})`).join(' and ')}`);
  }
  if (conflicts.length)
    throw new Error(
      `migration 0125-did-canonical: ${conflicts.length} inbound number(s) are held more than once in different spellings; ` +
        `delete or change all but one of each, then start again (nothing was changed): ${conflicts.join('; ')}`,
    );
  const del = db.prepare('DELETE FROM dids WHERE id = ?');
  for (const id of duplicates) del.run(id);
  // One pass is safe: a row already spelled as another's canonical form is in its group above.
  const set = db.prepare('UPDATE dids SET number = ? WHERE id = ?');
  for (const r of rows) if (!duplicates.includes(r.id) && canonicalDid(r.number) !== r.number) set.run(canonicalDid(r.number), r.id);
  const refuse = `SELECT RAISE(ABORT, 'did-not-canonical: store inbound numbers in E.164 (+7…), not 8…/7…')`;
  const nonCanonical = `(NEW.number GLOB '[78][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]' AND length(NEW.number) = 11)
      OR (NEW.number GLOB '[3489][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]' AND length(NEW.number) = 10)`;
  db.exec(`
    CREATE TRIGGER dids_canonical_insert BEFORE INSERT ON dids WHEN ${nonCanonical} BEGIN ${refuse}; END;
    CREATE TRIGGER dids_canonical_update BEFORE UPDATE OF number ON dids WHEN ${nonCanonical} BEGIN ${refuse}; END;
  `);
}
