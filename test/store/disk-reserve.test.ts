// The disk reserve on a really full disk: a tiny tmpfs (this box runs the
// tests as root, so mount works; the test fails loudly where it cannot)
// holding a real SQLite database. Once the disk is full a write fails with
// SQLITE_FULL; releasing the reserve lets the next write (a session, an
// alarm) through, and the reserve is made again once there is room.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, rmSync, statSync, writeSync } from 'node:fs';
import path from 'node:path';
import { DiskReserve, openStore, type Store } from '../../services/store';
import { tempDir } from '../helpers/tmp';

let t: ReturnType<typeof tempDir>;
let mnt: string;
let store: Store | undefined;

beforeAll(() => {
  t = tempDir('reserve-');
  mnt = path.join(t.dir, 'data');
  mkdirSync(mnt);
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m,mode=0700', 'tmpfs', mnt]);
});
afterAll(() => {
  store?.close();
  if (mnt && existsSync(mnt)) execFileSync('umount', [mnt]);
  t?.cleanup();
});

/** Writes a file until the disk refuses another byte. */
function fill(file: string): void {
  const fd = openSync(file, 'w');
  const chunk = Buffer.alloc(64 * 1024, 1);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOSPC') throw e;
  } finally {
    closeSync(fd);
  }
}

describe('disk reserve (issue 16 item 14)', () => {
  it('at 100 % disk a database write fails; releasing the reserve lets alarms and sessions be written again', async () => {
    store = openStore(path.join(mnt, 'korobka.db'));
    const tenant = store.tenants.create({ name: 'A', sipDomain: 'a.example.ru', isDefault: true }).id;
    const user = store.users.create({ tenantId: tenant, username: 'admin2', passwordHash: 'x', role: 'tenant-admin' });
    const reserve = new DiskReserve(mnt, 2 * 1024 * 1024);
    expect(await reserve.ensure()).toBe(true);
    expect(statSync(reserve.file).size).toBe(2 * 1024 * 1024);
    fill(path.join(mnt, 'runaway.bin'));
    const raise = (code: string) => store!.alarms.raise({ code, severity: 'critical', tenantId: null, source: 'test', message: 'x'.repeat(20_000), details: { pad: 'y'.repeat(50_000) } });
    expect(() => {
      for (let i = 0; i < 50; i++) raise(`before-${i}`);
    }).toThrow(expect.objectContaining({ code: 'SQLITE_FULL' }));
    // Nor would a new reserve be made on a full disk.
    expect(reserve.release()).toBe(true);
    expect(raise('data-disk-full')).toBe(true);
    const now = new Date();
    store.sessions.create('sign-in-at-full-disk', { userId: user.id, csrfToken: 'c', createdAt: now.toISOString(), expiresAt: new Date(now.getTime() + 3600_000).toISOString(), ip: '127.0.0.1' });
    expect(store.sessions.find('sign-in-at-full-disk')).toMatchObject({ userId: user.id });
    expect(await reserve.ensure()).toBe(false);
    rmSync(path.join(mnt, 'runaway.bin'));
    expect(await reserve.ensure()).toBe(true);
    expect(reserve.held).toBe(true);
  });
});
