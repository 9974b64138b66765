// A lossy UDP path between one sipp phone and sip-core, on 127.0.0.1: a
// socket that the phone uses as sip-core's address and sip-core as the
// phone's (the phone's Via and Contact name it), forwarding each datagram to
// the other side except the ones a rule drops. Drops are deterministic (the
// n-th packet of a kind in one direction), so a test knows exactly which
// retransmission must repair the loss, and every packet is recorded.
import { createSocket, type Socket } from 'node:dgram';

export type Direction = 'to-core' | 'to-phone';

/** A request by its method (`INVITE`), a response by status and CSeq method (`200 INVITE`). */
export interface LinkPacket {
  dir: Direction;
  kind: string;
  dropped: boolean;
  at: number;
}

export interface DropRule {
  dir: Direction;
  kind: string;
  /** Which occurrences to drop, 1-based; default the first. */
  nth?: number[];
}

export interface LossyLink {
  /** The port both sides send to. */
  port: number;
  packets: LinkPacket[];
  /** Tells the link where the phone listens (known once sipp has started). */
  setPhone(port: number): void;
  /** Packets of `kind` seen in `dir`; only the delivered ones with `{delivered: true}`. */
  count(dir: Direction, kind: string, opts?: { delivered?: boolean }): number;
  close(): void;
}

export function packetKind(datagram: Buffer): string {
  const text = datagram.subarray(0, 2048).toString('latin1');
  const start = text.slice(0, text.indexOf('\r\n'));
  const status = /^SIP\/2\.0 (\d{3}) /.exec(start);
  if (!status) return start.split(' ')[0] ?? '';
  const cseq = /\r\n(?:CSeq|cseq|CSEQ)\s*:\s*\d+\s+(\S+)/i.exec(text);
  return `${status[1]} ${cseq?.[1] ?? '?'}`;
}

export async function startLossyLink(corePort: number, drops: DropRule[] = []): Promise<LossyLink> {
  const socket: Socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  let phonePort = 0;
  const packets: LinkPacket[] = [];
  const seen = new Map<string, number>();
  socket.on('message', (msg, from) => {
    const dir: Direction = from.port === corePort ? 'to-phone' : 'to-core';
    const kind = packetKind(msg);
    const key = `${dir} ${kind}`;
    const n = (seen.get(key) ?? 0) + 1;
    seen.set(key, n);
    const dropped = drops.some((d) => d.dir === dir && d.kind === kind && (d.nth ?? [1]).includes(n));
    packets.push({ dir, kind, dropped, at: Date.now() });
    if (dropped) return;
    const to = dir === 'to-core' ? corePort : phonePort;
    if (to) socket.send(msg, to, '127.0.0.1');
  });
  return {
    port: socket.address().port,
    packets,
    setPhone: (port) => (phonePort = port),
    count: (dir, kind, opts = {}) => packets.filter((p) => p.dir === dir && p.kind === kind && (!opts.delivered || !p.dropped)).length,
    close: () => socket.close(),
  };
}
