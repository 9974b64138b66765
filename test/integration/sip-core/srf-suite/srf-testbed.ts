// drachtio-srf's docker testbed rebuilt without Docker: one network namespace
// per upstream test file, with the compose file's addresses local to its
// loopback and its container names in its /etc/hosts, sip-core listening where
// drachtio-sut did (172.29.0.10:5060, admin 9061 as published to the host), a
// sipp UAS per container the file dials, and the unmodified test file run
// inside with shims for `docker` (local sipp), `tape` and `config`.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createNetns, type Netns } from '../helpers/netns';
import { startSipCore, type SipCoreProcess } from '../helpers/sip-core-process';
import { startProcess, testOutputDir, type Started } from '../../../helpers/processes';
import { containersUsedBy, readTestbed, srfTestDir, type TestbedContainer } from './testbed';

const require = createRequire(import.meta.url);
// Shared with the docker shim (CommonJS, run by srf's sipp.js).
const { loadableScenario } = require('./shims/sipp-scenario.cjs') as { loadableScenario(file: string, dir: string): string };
const shims = path.resolve('test/integration/sip-core/srf-suite/shims');

/** Containers that upstream's tests create on the fly (`sippUas(file, name)`), which compose does not list. */
const EXTRA_CONTAINERS: Record<string, string> = { 'sipp-uas-b-teardown': '172.29.0.40' };
/** Address range of the unnamed sipp UAC containers (docker gave them dynamic ones). */
const UAC_NET = '172.29.1.';
/** Admin ports of the compose file's drachtio servers as published to the host, and config/test.json's keys. */
const SERVERS = { 'drachtio-sut': 9061, 'drachtio-uas': 9062 } as const;

export interface SrfRun {
  code: number | null;
  /** TAP assertion lines: `{ok, text}` in order. */
  asserts: Array<{ ok: boolean; text: string }>;
  output: string;
  logFile: string;
}

export interface SrfTestbed {
  netns: Netns;
  cores: Partial<Record<keyof typeof SERVERS, SipCoreProcess>>;
  uas: Started[];
  run(timeoutMs: number): Promise<SrfRun>;
  stop(): Promise<void>;
}

export async function startSrfTestbed(testFile: string, servers: Array<keyof typeof SERVERS> = ['drachtio-sut']): Promise<SrfTestbed> {
  const testbed = readTestbed();
  const hosts = Object.fromEntries([...testbed.map((c) => [c.name, c.address]), ...Object.entries(EXTRA_CONTAINERS)]);
  const netns = createNetns('korobka-srf-', { localRoutes: ['172.29.0.0/16'], hosts });
  const logDir = testOutputDir('sip-core', 'srf-testbed', path.basename(testFile, '.js'));
  const stateDir = mkdtempSync(path.join(tmpdir(), 'korobka-srf-'));
  const cores: SrfTestbed['cores'] = {};
  const uas: Started[] = [];
  const stop = async () => {
    await Promise.all([...uas.map((u) => u.stop()), ...Object.values(cores).map((c) => c.stop())]);
    netns.destroy();
    rmSync(stateDir, { recursive: true, force: true });
  };
  try {
    for (const s of servers) {
      const address = hosts[s];
      if (!address) throw new Error(`no ${s} in the testbed`);
      // drachtio-server hands no dialogs to a later app: each srf test's leftovers are hung up at once, not adopted by the next test's app.
      cores[s] = await startSipCore(`srf-testbed-${path.basename(testFile, '.js')}-${s}`, { drachtio: { orphanGraceSeconds: 0 } }, { wrap: netns.exec, sipHost: address, sipPort: 5060, adminPort: SERVERS[s] });
    }
    for (const c of containersUsedBy(testFile, testbed)) uas.push(startUas(netns, c, logDir, stateDir));
    await waitUdpListening(netns, containersUsedBy(testFile, testbed).map((c) => `${c.address}:5060`));
  } catch (e) {
    await stop();
    throw e;
  }
  const config = Object.fromEntries(
    Object.entries(cores).map(([s, core]) => [s, { host: '127.0.0.1', port: core.adminPort, secret: core.secret, enablePing: true, pingInterval: 5000 }]),
  );
  const env = {
    ...process.env,
    NODE_ENV: 'test',
    NODE_PATH: shims,
    PATH: `${path.join(shims, 'bin')}:${process.env.PATH ?? ''}`,
    SRF_HARNESS_CONFIG: JSON.stringify(config),
    SRF_HARNESS_UAC_NET: UAC_NET,
    SRF_HARNESS_STATE_DIR: stateDir,
    SRF_HARNESS_LOG_DIR: logDir,
  };
  return {
    netns,
    cores,
    uas,
    async run(timeoutMs) {
      const p = startProcess(netns.exec[0]!, [...netns.exec.slice(1), process.execPath, path.join(srfTestDir, testFile)], {
        logFile: path.join(logDir, `${testFile}.log`),
        env,
        timeoutMs,
      });
      const code = await p.exited;
      await p.stop();
      const output = p.output();
      return { code, asserts: tapAsserts(output), output, logFile: p.logFile };
    },
    stop,
  };
}

/** A sipp UAS as the compose file runs it (`sipp -sf /tmp/<scenario>` on the container's 5060), serving calls until stopped. */
function startUas(netns: Netns, c: TestbedContainer, logDir: string, stateDir: string): Started {
  const args = [
    ...netns.exec.slice(1), 'sipp', '-sf', loadableScenario(path.join(srfTestDir, 'scenarios', c.scenario!), stateDir),
    '-i', c.address, '-bind_local', '-p', '5060', '-nostdin',
    '-trace_err', '-error_file', path.join(logDir, `${c.name}-errors.log`),
  ];
  return startProcess(netns.exec[0]!, args, { logFile: path.join(logDir, `${c.name}.log`), timeoutMs: 600_000 });
}

/** Waits until every `addr:port` has a UDP socket bound inside the namespace (sipp takes a moment to start). */
async function waitUdpListening(netns: Netns, wanted: string[], timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const out = execFileSync(netns.exec[0]!, [...netns.exec.slice(1), 'ss', '-Hnlu'], { encoding: 'utf8', timeout: 5000 });
    const missing = wanted.filter((w) => !out.includes(w));
    if (!missing.length) return;
    if (Date.now() > deadline) throw new Error(`sipp UAS not listening on ${missing.join(', ')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export function tapAsserts(output: string): SrfRun['asserts'] {
  return output
    .split('\n')
    .map((l) => /^(ok|not ok) \d+ (.*)$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ ok: m[1] === 'ok', text: m[2]! }));
}
