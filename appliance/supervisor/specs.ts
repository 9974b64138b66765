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

export function processSpecs(config: Readonly<Config>, distDir: string): ProcessSpec[] {
  const env = childConfigEnv(config);
  const node = (name: string): ProcessSpec => {
    const entry = path.join(distDir, 'services', name, 'main.js');
    if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build\` first`);
    return { name, command: process.execPath, args: ['--enable-source-maps', entry], env, ipc: true, jsonLogs: true };
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
  return specs;
}
