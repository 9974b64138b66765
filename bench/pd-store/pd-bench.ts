// Lookup by number through the blind index at N contacts (target: p99 < 1 ms)
// against a plain indexed column holding the same numbers in the same
// database and run; the rate of bulk creation and of the CSV import; the
// cost of a call's CDR writes (open at answer, close at hangup) with the
// parties sealed per subject against plain rows, in the same run.
// Run: node bench/pd-store/run.mjs [--contacts 1000000] [--lookups 20000] [--csv-rows 20000] [--cdrs 5000]
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { openStore } from '../../services/store';
import { ContactBook, PdKeys, PdStore, usePdFields, type ContactInput } from '../../services/pd-store';
import { importContacts } from '../../services/api/commands/import-contacts';
import { tempDir } from '../../test/helpers/tmp';

const args = new Map<string, string>();
process.argv.slice(2).forEach((a, i, all) => a.startsWith('--') && args.set(a.slice(2), all[i + 1] ?? ''));
const num = (k: string, d: number) => Number(args.get(k) ?? d);
const N = num('contacts', 1_000_000);
const LOOKUPS = num('lookups', 20_000);
const CSV_ROWS = num('csv-rows', 20_000);
const CDRS = num('cdrs', 5_000);

/** Opens and closes CDRS calls' rows (a caller from 1,000 outside numbers, so most subjects are seen again); ms per call. */
function cdrWrites(dir: string, sealed: boolean): number {
  mkdirSync(dir, { recursive: true });
  const store = openStore(path.join(dir, `cdrs-${sealed ? 'sealed' : 'plain'}.db`));
  if (sealed) usePdFields(store);
  const tenantId = store.tenants.create({ name: 'Bench', sipDomain: `${sealed ? 's' : 'p'}.example.ru` }).id;
  const t0 = performance.now();
  for (let i = 0; i < CDRS; i++) {
    const caller = `+7903${String(i % 1000).padStart(7, '0')}`;
    const at = Date.now();
    const cdr = { callId: `b${i}`, tenantId, direction: 'inbound' as const, caller: { dialled: '8' + caller.slice(2), number: caller }, callee: { dialled: '201', number: '201' }, extension: '201', startedAt: at, answeredAt: at, durationSeconds: 0, billableSeconds: 0, transfers: [], status: 'in-progress' as const, lastSeenAt: at };
    store.cdrs.open(cdr, 'bench');
    store.cdrs.close({ ...cdr, endedAt: at, disposition: 'answered', hangupSide: 'caller', status: 'completed' });
  }
  const perCall = (performance.now() - t0) / CDRS;
  store.close();
  return perCall;
}

const number = (i: number) => `+7916${String(i).padStart(7, '0')}`;
const SURNAMES = ['Иванов', 'Петров', 'Сидоров', 'Кузнецов', 'Смирнов', 'Попов', 'Волков', 'Соколов', 'Лебедев', 'Козлов'];
const input = (i: number): ContactInput => ({ kind: 'person', name: `${SURNAMES[i % 10]} Клиент ${i}`, numbers: [{ number: number(i) }] });

function pct(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}
const ms = (x: number) => `${x.toFixed(3)} ms`;

const t = tempDir('pd-bench-');
try {
  const store = openStore(path.join(t.dir, 'korobka.db'));
  const tenantId = store.tenants.create({ name: 'Bench', sipDomain: 'bench.example.ru' }).id;
  const pd = new PdStore(store, PdKeys.open({ dataDir: t.dir }));
  const book = new ContactBook(pd);
  // The plain column the blind index is compared with (a bench-only table).
  store.db.exec(
    'CREATE TABLE bench_plain (number TEXT NOT NULL, contact_id TEXT NOT NULL) STRICT; CREATE INDEX bench_plain_number ON bench_plain(number);',
  );
  const plainIns = store.db.prepare('INSERT INTO bench_plain (number, contact_id) VALUES (?, ?)');

  const BATCH = 5000;
  const t0 = performance.now();
  for (let i = 0; i < N; i += BATCH) {
    const batch = Array.from({ length: Math.min(BATCH, N - i) }, (_, k) => input(i + k));
    const ids = book.createMany(tenantId, batch);
    store.transaction(() => ids.forEach((c, k) => plainIns.run(number(i + k), c.id)));
    if ((i / BATCH) % 20 === 0) process.stdout.write(`  created ${i + batch.length}/${N}\r`);
  }
  const createS = (performance.now() - t0) / 1000;
  console.log(`created ${N} contacts in ${createS.toFixed(1)} s: ${(N / createS).toFixed(0)} contacts/s (createMany, batches of ${BATCH})`);

  const probes = Array.from({ length: LOOKUPS }, () => Math.floor(Math.random() * N));
  const plainSel = store.db.prepare('SELECT contact_id FROM bench_plain WHERE number = ?');
  const plain: number[] = [];
  const blind: number[] = [];
  const full: number[] = [];
  const bi = pd.blindIndex(tenantId);
  for (const i of probes) {
    let a = performance.now();
    const p = plainSel.get(number(i)) as { contact_id: string } | undefined;
    plain.push(performance.now() - a);
    a = performance.now();
    const s = store.pdContacts.search(tenantId, 'number', [bi.number(number(i))], 5);
    blind.push(performance.now() - a);
    a = performance.now();
    const f = book.search(tenantId, number(i));
    full.push(performance.now() - a);
    if (!p || s[0]?.id !== p.contact_id || f.contacts[0]?.numbers[0]?.number !== number(i))
      throw new Error(`lookup of contact ${i} returned the wrong row`);
  }
  console.log(`lookups by number at ${N} contacts (${LOOKUPS} random, each checked):`);
  console.log(`  plain indexed column     p50 ${ms(pct(plain, 50))}  p99 ${ms(pct(plain, 99))}`);
  console.log(
    `  blind index (HMAC+index) p50 ${ms(pct(blind, 50))}  p99 ${ms(pct(blind, 99))}  (target p99 < 1 ms: ${pct(blind, 99) < 1 ? 'met' : 'NOT met'})`,
  );
  console.log(`  search + decrypt         p50 ${ms(pct(full, 50))}  p99 ${ms(pct(full, 99))}`);

  const csv = [
    'ФИО;Телефон;E-mail',
    ...Array.from({ length: CSV_ROWS }, (_, i) => `${SURNAMES[i % 10]} Импорт ${i};+7903${String(i).padStart(7, '0')};c${i}@example.ru`),
  ].join('\r\n');
  const t1 = performance.now();
  const r = importContacts(book, tenantId, csv);
  const importS = (performance.now() - t1) / 1000;
  console.log(
    `CSV import: ${r.imported} rows (${(csv.length / 1e6).toFixed(1)} MB) in ${importS.toFixed(2)} s: ${(r.imported / importS).toFixed(0)} rows/s, ${r.failed} failed`,
  );
  store.close();

  // Alternated so that the box's load falls on both alike.
  const plainMs: number[] = [];
  const sealedMs: number[] = [];
  for (let round = 0; round < 2; round++) {
    plainMs.push(cdrWrites(t.dir + `/r${round}p`, false));
    sealedMs.push(cdrWrites(t.dir + `/r${round}s`, true));
  }
  const best = (xs: number[]) => Math.min(...xs);
  console.log(`CDR writes per call (open + close, ${CDRS} calls, best of 2): plain ${ms(best(plainMs))}, sealed ${ms(best(sealedMs))} (+${ms(best(sealedMs) - best(plainMs))} per call)`);
} finally {
  t.cleanup();
}
