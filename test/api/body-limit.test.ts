import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type Client, type Harness } from './harness';

let h: Harness;
let root: Client;
beforeAll(async () => {
  h = await startApi();
  root = (await h.as('superadmin', null, 'root')).client;
});
afterAll(() => h.close());

describe('request body limits', () => {
  it('takes 1 MiB of JSON in general and refuses more with 413', async () => {
    const r = await root.request('PATCH', '/api/users/1', { displayName: 'x'.repeat(1_100_000) });
    expect(r.status).toBe(413);
    expect(r.body).toMatchObject({ code: 'payload-too-large', message: 'request body is larger than 1048576 bytes' });
  });

  it('takes up to 4 MiB on the extension import, which carries whole files', async () => {
    const big = await root.request('POST', '/api/extensions/import', { csv: 'extension\r\n' + '201\r\n'.repeat(400_000), dryRun: true });
    expect(big.status).not.toBe(413);
    const huge = await root.request('POST', '/api/extensions/import', { csv: 'x'.repeat(4_300_000), dryRun: true });
    expect(huge.status).toBe(413);
    expect(huge.body.message).toBe('request body is larger than 4194304 bytes');
  });
});
