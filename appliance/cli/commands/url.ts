import os from 'node:os';
import type { Config } from '../../config/schema';
import { commonHelp, configFrom, parse, print, type Command } from '../command';

/** The address admins type: the configured public URL, else this host's first LAN address. */
export function adminUrl(config: Readonly<Config>): string {
  if (config.api.publicUrl) return config.api.publicUrl;
  let host = config.api.host;
  if (host === '0.0.0.0' || host === '::') {
    const addrs = Object.values(os.networkInterfaces()).flatMap((l) => l ?? []);
    host = addrs.find((a) => a.family === 'IPv4' && !a.internal)?.address ?? '127.0.0.1';
  }
  return `https://${host.includes(':') ? `[${host}]` : host}:${config.api.port}/`;
}

export const urlCommand: Command = {
  name: 'url',
  summary: 'print the admin URL',
  help: `Usage: korobka url\n\nPrints api.publicUrl, or https://<this host's address>:<api.port>/.\n\n${commonHelp}`,
  async run(argv) {
    const { values } = parse(argv, {});
    print(adminUrl(configFrom(values)));
    return 0;
  },
};
