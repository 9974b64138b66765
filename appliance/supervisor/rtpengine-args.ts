// Command line for Debian's rtpengine in userspace (no kernel module:
// --table=-1), built from the config so an admin never edits it by hand.
import path from 'node:path';
import type { Config } from '../config/schema';

export function rtpengineArgs(config: Readonly<Config>): string[] {
  const r = config.rtpengine;
  // interface=<bind>!<advertised> makes rtpengine put the public address in SDP.
  const iface = r.advertisedAddress ? `${r.interface}!${r.advertisedAddress}` : r.interface;
  return [
    '--config-file=none',
    '--foreground',
    '--log-stderr',
    '--table=-1',
    `--interface=${iface}`,
    `--listen-ng=${r.ngHost}:${r.ngPort}`,
    // ng over HTTP on the same port number, TCP: `play media` with the audio inline (a voicemail
    // message decrypted in memory) is larger than a UDP datagram (call-control/media/ng-http-client.ts).
    `--listen-http=${r.ngHost}:${r.ngPort}`,
    `--port-min=${r.portMin}`,
    `--port-max=${r.portMax}`,
    `--recording-dir=${path.join(config.dataDir, 'recordings', 'spool')}`,
    '--recording-method=pcap',
    `--dtmf-log-dest=127.0.0.1:${r.dtmfLogPort}`,
    '--delete-delay=0',
    '--log-level=5',
  ];
}
