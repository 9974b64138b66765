// The converter pool with real worker threads: the worker entry is bundled
// with esbuild as scripts/build.mjs does for dist/, and jobs cross the thread
// boundary as the recordings process sends them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { InlineConverter, WorkerPool } from '../../services/recordings/converter-pool';
import type { ConvertJob } from '../../services/recordings/convert-job';
import { callPackets, CALLEE, CALLER } from './call-builder';
import { buildPcap } from './pcap-builder';

let dir: string;
let script: string;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'pool-'));
  // Inside the checkout (test-output/ is git-ignored) so that node_modules resolves.
  const out = path.resolve('test-output', 'converter-pool');
  mkdirSync(out, { recursive: true });
  script = path.join(out, 'convert-worker.mjs');
  await build({ entryPoints: ['services/recordings/convert-worker.ts'], outfile: script, bundle: true, platform: 'node', format: 'esm', target: 'node20', packages: 'external', logLevel: 'warning' });
}, 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function job(name: string, seconds: number, o: Partial<ConvertJob> = {}): ConvertJob {
  const pcap = path.join(dir, `${name}.pcap`);
  writeFileSync(pcap, buildPcap(callPackets(seconds)));
  return {
    pcaps: [pcap],
    allowTruncatedTail: false,
    channels: { left: [CALLER.src], right: [CALLEE.src] },
    sdp: '',
    paused: [],
    format: 'wav',
    encoder: {},
    maxDurationMs: 3600_000,
    audioPath: path.join(dir, `${name}.wav`),
    ...o,
  };
}

describe('converter pool', () => {
  it('converts on worker threads exactly as on this thread, several at once', async () => {
    const pool = new WorkerPool(script, 2);
    try {
      const [a, b] = await Promise.all([pool.run(job('a', 3)), pool.run(job('b', 2))]);
      const inline = await new InlineConverter().run(job('c', 3));
      expect(a).toEqual({ ...inline });
      expect(readFileSync(path.join(dir, 'a.wav'))).toEqual(readFileSync(path.join(dir, 'c.wav')));
      expect(b.durationMs).toBe(2003);
      expect(a.stats.cut).toEqual({ packets: 0, overMaxMs: 0 });
    } finally {
      await pool.close();
    }
  }, 60_000);

  it('a failing capture fails only its own job, with its error code, and the worker goes on', async () => {
    const pool = new WorkerPool(script, 1);
    try {
      const bad = path.join(dir, 'bad.pcap');
      writeFileSync(bad, 'this is not a pcap');
      const failed = pool.run(job('x', 1, { pcaps: [bad] }));
      const good = pool.run(job('y', 1));
      await expect(failed).rejects.toMatchObject({ code: 'pcap-not-pcap', status: 422 });
      expect((await good).durationMs).toBe(1003);
    } finally {
      await pool.close();
    }
  }, 60_000);

  it('stops a job over its time limit, replaces the worker, and runs the next job', async () => {
    const pool = new WorkerPool(script, 1, 50);
    try {
      const slow = pool.run(job('slow', 120)); // 2 minutes of audio take far longer than 50 ms
      await expect(slow).rejects.toMatchObject({ code: 'recording-conversion-timeout' });
      const next = new WorkerPool(script, 1);
      try {
        expect((await next.run(job('after', 1))).durationMs).toBe(1003);
      } finally {
        await next.close();
      }
      // The timed-out pool itself took a fresh worker (this one times out too: 50 ms is too short for any job).
      await expect(pool.run(job('again', 120))).rejects.toMatchObject({ code: 'recording-conversion-timeout' });
    } finally {
      await pool.close();
    }
  }, 60_000);
});
