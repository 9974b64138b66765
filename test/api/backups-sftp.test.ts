// The SFTP target of scheduled backups over a real api and SQLite file
// (issue 18): bad input names the field and changes nothing; the private key
// is sealed in the settings row, never returned, never in the audit trail,
// and kept when a later save leaves it out; the pinned host key's fingerprint
// is OpenSSH's own; fetching a host key from a closed port is a clear 502 and
// is the superadmin's alone.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMasterKey } from '../../services/common/keys';
import { SecretBox } from '../../services/common/secret-box';
import { BACKUP_SFTP_KEY } from '../../services/common/ssh-keys';
import { freeTcpPort } from '../helpers/ports';
import { tempDir } from '../helpers/tmp';
import { startApi, type Client, type Harness } from './harness';

let h: Harness;
let root: Client;
let auditor: Client;
const t = tempDir('korobka-api-sftp-');
const keygen = (name: string) => {
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', '', '-f', path.join(t.dir, name)]);
  return { priv: readFileSync(path.join(t.dir, name), 'utf8'), pub: readFileSync(path.join(t.dir, `${name}.pub`), 'utf8').trim() };
};
const fingerprintOf = (name: string) => execFileSync('ssh-keygen', ['-lf', path.join(t.dir, `${name}.pub`)], { encoding: 'utf8' }).split(' ')[1];
const good = { enabled: false, frequency: 'daily', time: '02:30', weekday: 0, keepDaily: 7, keepWeekly: 4 };

beforeAll(async () => {
  h = await startApi();
  root = (await h.as('superadmin', null, 'root')).client;
  auditor = (await h.as('auditor', null, 'aud')).client;
});
afterAll(() => {
  h.close();
  t.cleanup();
});

describe('backup SFTP target API', () => {
  it('refuses bad input naming the field and changes nothing', async () => {
    const client = keygen('client');
    const host = keygen('host');
    const sftp = { host: '127.0.0.1', port: 2222, username: 'backup', dir: '/srv/backups', hostKey: host.pub, privateKey: client.priv };
    const before = await root.request('GET', '/api/backups/schedule');
    expect(before.body.schedule).toMatchObject({ target: 'local', sftp: null });
    const cases: [Record<string, unknown>, string, string][] = [
      [{ ...good, target: 'sftp' }, 'sftp', 'the SFTP server is not set'],
      [{ ...good, target: 'ftp', sftp }, 'target', 'must be local or sftp'],
      [{ ...good, target: 'sftp', sftp: { ...sftp, host: 'a host' } }, 'sftp.host', 'expected a host name or IP address'],
      [{ ...good, target: 'sftp', sftp: { ...sftp, port: 0 } }, 'sftp.port', 'expected 1–65535'],
      [{ ...good, target: 'sftp', sftp: { ...sftp, dir: 'relative' } }, 'sftp.dir', 'must be an absolute directory like /backups/korobka'],
      [{ ...good, target: 'sftp', sftp: { ...sftp, hostKey: 'ssh-ed25519 bm90IGEga2V5' } }, 'sftp.hostKey', 'expected the server\'s host key as "ssh-ed25519 AAAA…" (fetch it)'],
      [{ ...good, target: 'sftp', sftp: { ...sftp, privateKey: host.pub } }, 'sftp.privateKey', 'this is a public key; paste the private key'],
      [{ ...good, target: 'sftp', sftp: { ...sftp, privateKey: 'garbage' } }, 'sftp.privateKey', 'not an SSH private key'],
      [{ ...good, target: 'sftp', sftp: { ...sftp, privateKey: undefined } }, 'sftp.privateKey', 'paste the private key the box logs in with'],
    ];
    for (const [body, field, message] of cases) {
      const r = await root.request('PUT', '/api/backups/schedule', body);
      expect(r.status, field).toBe(400);
      expect(r.body, field).toMatchObject({ code: 'validation-failed', details: { fields: [{ field, message }] } });
    }
    expect((await root.request('GET', '/api/backups/schedule')).body).toEqual(before.body);
    expect(h.store.backups.sftpTarget()).toBeUndefined();
  });

  it('seals the private key, never returns or audits it, keeps it when left out, and shows the pinned fingerprint', async () => {
    const client = keygen('client2');
    const host = keygen('host2');
    const sftp = { host: '127.0.0.1', port: 2222, username: 'backup', dir: '/srv/backups/', hostKey: `${host.pub} comment`, privateKey: client.priv };
    const r = await root.request('PUT', '/api/backups/schedule', { ...good, target: 'sftp', sftp });
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    const pubBody = client.pub.split(' ').slice(0, 2).join(' ');
    expect(r.body.schedule).toMatchObject({
      target: 'sftp',
      sftp: { host: '127.0.0.1', port: 2222, username: 'backup', dir: '/srv/backups', hostKey: host.pub, hostKeyFingerprint: fingerprintOf('host2'), privateKeySet: true, publicKey: `${pubBody} korobka-backup` },
    });
    const keyBody = client.priv.split('\n')[1]!;
    const stored = h.store.backups.sftpTarget()!;
    expect(JSON.stringify(stored)).not.toContain(keyBody);
    const box = new SecretBox(loadMasterKey({ dataDir: path.dirname(h.store.db.name) }).key, BACKUP_SFTP_KEY.purpose);
    expect(box.open(stored.privateKeySealed, BACKUP_SFTP_KEY.aad)).toBe(client.priv);
    for (const c of [root, auditor]) expect(JSON.stringify((await c.request('GET', '/api/backups')).body)).not.toContain(keyBody);
    expect(JSON.stringify(r.body)).not.toContain(keyBody);
    const trail = h.store.audit.list({ action: 'backup.schedule' }).rows[0]!;
    expect(trail.details).toMatchObject({ target: 'sftp', sftp: { host: '127.0.0.1', hostKeyFingerprint: fingerprintOf('host2'), privateKeyChanged: true } });
    expect(JSON.stringify(h.store.audit.list({}).rows)).not.toContain(keyBody);
    // Saved again without the key: the sealed one stays.
    const again = await root.request('PUT', '/api/backups/schedule', { ...good, target: 'sftp', sftp: { ...sftp, privateKey: undefined, port: 2200 } });
    expect(again.body.schedule.sftp).toMatchObject({ port: 2200, privateKeySet: true });
    expect(h.store.backups.sftpTarget()!.privateKeySealed).toBe(stored.privateKeySealed);
    // The auditor looks but does not change it.
    expect((await auditor.request('PUT', '/api/backups/schedule', { ...good, target: 'local' })).status).toBe(403);
  });

  it('fetching a host key: a closed port is a clear 502, audited; the auditor is refused', async () => {
    const port = await freeTcpPort();
    const r = await root.request('POST', '/api/backups/sftp/host-key', { host: '127.0.0.1', port });
    expect(r.status).toBe(502);
    expect(r.body).toMatchObject({ code: 'sftp-unreachable', message: `cannot reach the SSH server 127.0.0.1:${port}: ECONNREFUSED` });
    expect(h.store.audit.list({ action: 'backup.sftp-host-key' }).rows[0]).toMatchObject({ outcome: 'failed', target: `127.0.0.1:${port}` });
    const bad = await root.request('POST', '/api/backups/sftp/host-key', { host: '', port });
    expect(bad.body).toMatchObject({ code: 'validation-failed', details: { fields: [{ field: 'host' }] } });
    expect((await auditor.request('POST', '/api/backups/sftp/host-key', { host: '127.0.0.1', port })).status).toBe(403);
  });
});
