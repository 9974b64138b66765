// Which processes the appliance runs, built from the config.
import path from 'node:path';
import { existsSync } from 'node:fs';
import type { Config } from '../config/schema';
import { childConfigEnv } from '../config/child';
import { ngPing } from './ng-ping';
import { rtpengineArgs } from './rtpengine-args';

export interface ProcessSpec {
  name: string;
  command: string;
  args: string[];
  env: Record<string, string>;
  /** Node services report health over IPC; others are probed. */
  ipc: boolean;
  probe?: () => Promise<boolean>;
  /** Lines on stdout/stderr are JSON already (our services) or plain text. */
  jsonLogs: boolean;
}

/**
 * sip-core keeps per-call state for the length of every call: a 4 MB young
 * generation (V8's default grows to 16 MB per semi-space under load and stays
 * there) and two malloc arenas (one per thread by default) keep its RSS close
 * to its heap, with no loss at 500 calls/s (bench/sip-core, README).
 */
const NODE_TUNING: Readonly<Record<string, { flags: string[]; env: Record<string, string> }>> = {
  'sip-core': { flags: ['--max-semi-space-size=4'], env: { MALLOC_ARENA_MAX: '2' } },
};

export function processSpecs(config: Readonly<Config>, distDir: string): ProcessSpec[] {
  const env = childConfigEnv(config);
  const node = (name: string): ProcessSpec => {
    const entry = path.join(distDir, 'services', name, 'main.js');
    if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build\` first`);
    const tuning = NODE_TUNING[name];
    return {
      name,
      command: process.execPath,
      args: ['--enable-source-maps', ...(tuning?.flags ?? []), entry],
      env: { ...env, ...tuning?.env },
      ipc: true,
      jsonLogs: true,
    };
  };
  const specs: ProcessSpec[] = [];
  if (config.rtpengine.enabled) {
    specs.push({
      name: 'rtpengine',
      command: config.rtpengine.binary,
      args: rtpengineArgs(config),
      env: {},
      ipc: false,
      jsonLogs: false,
      probe: () => ngPing(config.rtpengine.ngHost, config.rtpengine.ngPort),
    });
  }
  // After rtpengine, whose spool it converts; it never blocks a call.
  if (config.recordings.enabled) specs.push(node('recordings'));
  if (!config.drachtio.external) specs.push(node('sip-core'));
  specs.push(node('call-control'));
  specs.push(node('api'));
  // Last: it sends what the others queued and never holds up a call or a request.
  if (config.mail.enabled) specs.push(node('mail'));
  return specs;
}
