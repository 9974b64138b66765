// Issue 16 item 15: a clock jump into the future used to raise the licence
// clock's high-water mark to the jumped time for good, so a valid licence
// stayed expired after the clock was put right; the mark was one editable
// row. Over the real appliance licence service, a real SQLite file and a
// licence signed by a vendor key made for the test.
import Database from 'better-sqlite3';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { configSchema } from '../../appliance/config/schema';
import { highWaterPort, HIGH_WATER_KEY } from '../../appliance/license/high-water';
import { currentLicence, installLicence } from '../../appliance/license/licence-service';
import { advanceMark, buildActivationRequest, licenceSummary } from '../../licensing';
import { fingerprintFromFacts } from '../../licensing/fingerprint';
import { issueLicence } from '../../licensing/issue';
import { generateVendorKeyPair, publicKeyToPem } from '../../licensing/keys';
import { openStore, type Store } from '../../services/store';
import { SERVER } from '../licensing/fixtures';
import { tempDir } from '../helpers/tmp';

const DAY = 86_400_000;
const HOUR = 3_600_000;
const vendor = generateVendorKeyPair();
const fingerprint = fingerprintFromFacts(SERVER);
const dirs: { cleanup: () => void }[] = [];
afterAll(() => dirs.forEach((d) => d.cleanup()));

function box(): { ctx: (now: Date) => Parameters<typeof currentLicence>[0]; store: Store; dataDir: string; db: string } {
  const t = tempDir('korobka-licence-clock-');
  dirs.push(t);
  writeFileSync(path.join(t.dir, 'vendor.pub'), publicKeyToPem(vendor.publicKey));
  const config = configSchema.parse({ dataDir: t.dir, license: { developmentKeyFiles: [path.join(t.dir, 'vendor.pub')] } });
  const db = path.join(t.dir, 'korobka.db');
  const store = openStore(db);
  return { ctx: (now) => ({ config, store, now, fingerprint }), store, dataDir: t.dir, db };
}

function licence(expires: Date): string {
  const request = buildActivationRequest({ fingerprint, installationId: 'clock-test', productVersion: '0.1.0', now: new Date() });
  const r = issueLicence({ request, profile: 'M', customer: 'ООО Часы', expires: expires.toISOString().slice(0, 10), licenceId: 'LIC-CLOCK', seed: vendor.seed, now: new Date() });
  if (!r.ok) throw new Error(r.problems.join('; '));
  return r.text;
}

const now = new Date();
let b: ReturnType<typeof box>;
beforeAll(async () => {
  b = box();
  await installLicence(b.ctx(now), licence(new Date(now.getTime() + 365 * DAY)));
});
afterAll(() => b.store.close());

describe('the licence clock', () => {
  it('a clock ten years ahead is judged as such and reported, and the licence is valid again once the clock is right', async () => {
    expect((await currentLicence(b.ctx(now))).state).toBe('valid');
    const jumped = await currentLicence(b.ctx(new Date(now.getTime() + 3650 * DAY)));
    expect(jumped.state).not.toBe('valid');
    expect(jumped.clock?.warning).toBe('clock-ahead');
    expect(licenceSummary(jumped).clock).toMatchObject({ warning: 'clock-ahead' });
    const righted = await currentLicence(b.ctx(now));
    expect(righted.state).toBe('valid');
    expect(righted.clock).toBeUndefined();
    expect(righted.limits.concurrentCalls).toBe(64);
  });

  it('a clock set back a month is reported and the licence is judged at the time already seen', async () => {
    const back = await currentLicence(b.ctx(new Date(now.getTime() - 30 * DAY)));
    expect(back.clock?.warning).toBe('clock-behind');
    expect(back.alarm).toBe('warning');
    expect(back.message).toMatch(/behind a time already seen/);
  });

  it('the mark is kept twice with a MAC: the row edited by hand is reported and the file copy wins', async () => {
    const port = highWaterPort(b.dataDir, b.store);
    const before = port.get()!;
    const sealed = b.store.settings.get<{ mark: { at: string }; mac: string }>(HIGH_WATER_KEY)!;
    // An edit that lowers the mark to revive an expired licence, keeping the old MAC.
    const raw = new Database(b.db);
    raw.prepare('UPDATE settings SET value = ? WHERE key = ?').run(JSON.stringify({ ...sealed, mark: { ...sealed.mark, at: '2020-01-01T00:00:00.000Z' } }), HIGH_WATER_KEY);
    raw.close();
    expect(port.tampered!()).toBe(true);
    expect(port.get()!.at).toBe(before.at);
    const e = await currentLicence(b.ctx(now));
    expect(e.clock?.warning).toBe('mark-tampered');
    // A plain time (what boxes stored before the MAC) is an edit too once the sealed copy exists.
    b.store.settings.set(HIGH_WATER_KEY, '2020-01-01T00:00:00.000Z');
    expect(port.tampered!()).toBe(true);
    expect(port.get()!.at).toBe(before.at);
    // The next judgement writes both copies sealed again.
    port.set(port.get()!);
    expect(port.tampered!()).toBe(false);
  });
});

describe('advanceMark', () => {
  const boot = (uptimeS: number, id = 'boot-1') => ({ id, uptimeS });
  const t0 = new Date('2027-03-01T00:00:00Z');

  it('follows a clock that moves with the time seen to pass', () => {
    let mark = advanceMark(undefined, t0, boot(100)).next!;
    for (let m = 1; m <= 60; m++) {
      const step = advanceMark(mark, new Date(t0.getTime() + m * 60_000), boot(100 + m * 60));
      expect(step.aheadMs).toBe(0);
      mark = step.next ?? mark;
    }
    expect(mark.at).toBe(new Date(t0.getTime() + 3600_000).toISOString());
  });

  it('a year-ahead clock read every minute for an hour moves the mark at most an hour plus the lead of an hour, without compounding', () => {
    let mark = advanceMark(undefined, t0, boot(100)).next!;
    for (let m = 1; m <= 60; m++) mark = advanceMark(mark, new Date(t0.getTime() + 365 * DAY), boot(100 + m * 60)).next ?? mark;
    expect(Date.parse(mark.at) - t0.getTime()).toBe(HOUR + HOUR);
  });

  it('after a reboot it counts from the mark again (the time the box was off is unknown)', () => {
    const mark = advanceMark(undefined, t0, boot(5000)).next!;
    const step = advanceMark(mark, new Date(t0.getTime() + 90 * DAY), boot(30, 'boot-2'));
    expect(step.next!.base).toMatchObject({ at: t0.toISOString(), bootId: 'boot-2', uptimeS: 30 });
    expect(Date.parse(step.next!.at) - t0.getTime()).toBe(HOUR);
    expect(step.aheadMs).toBe(90 * DAY - HOUR);
  });
});
