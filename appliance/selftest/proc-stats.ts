// What the kernel knows about the benchmark's processes, read from /proc:
// CPU time per process (proc(5) stat fields 14–17) and, per UDP socket a
// process holds, the datagrams the kernel dropped because the socket's
// receive buffer was full (the `drops` column of /proc/net/udp{,6}).
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** utime + stime in USER_HZ ticks (100/s on Linux); with `children`, also reaped children's. */
export function cpuTicks(pid: number, children = false): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Number(f[11]) + Number(f[12]) + (children ? Number(f[13]) + Number(f[14]) : 0);
}

export interface UdpSocket {
  inode: string;
  localPort: number;
  /** Bytes waiting in the receive queue now. */
  rxQueue: number;
  /** Datagrams dropped since the socket was opened. */
  drops: number;
}

function socketInodes(pid: number): Set<string> {
  const inodes = new Set<string>();
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return inodes; // the process is gone
  }
  for (const fd of fds) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]!);
    } catch {
      /* closed while we looked */
    }
  }
  return inodes;
}

function udpTable(): UdpSocket[] {
  const rows: UdpSocket[] = [];
  for (const file of ['/proc/net/udp', '/proc/net/udp6']) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      // sl local_address rem_address st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode ref pointer drops
      const c = line.trim().split(/\s+/);
      if (c.length < 13) continue;
      rows.push({ inode: c[9]!, localPort: parseInt(c[1]!.split(':')[1]!, 16), rxQueue: parseInt(c[4]!.split(':')[1]!, 16), drops: Number(c[12]) });
    }
  }
  return rows;
}

/** The UDP sockets `pid` holds (rtpengine: its ng socket and every media port). */
export function udpSockets(pid: number): UdpSocket[] {
  const mine = socketInodes(pid);
  return udpTable().filter((s) => mine.has(s.inode));
}

/** Total datagrams dropped at full receive buffers on `pid`'s UDP sockets, optionally only on `port`. */
export function udpDrops(pid: number, port?: number): number {
  return udpSockets(pid)
    .filter((s) => port === undefined || s.localPort === port)
    .reduce((n, s) => n + s.drops, 0);
}

/** Kernel-wide UDP receive-buffer errors (/proc/net/snmp RcvbufErrors), every socket of the machine. */
export function udpRcvbufErrors(): number {
  const lines = readFileSync('/proc/net/snmp', 'utf8').split('\n').filter((l) => l.startsWith('Udp:'));
  const head = lines[0]!.split(/\s+/);
  return Number(lines[1]!.split(/\s+/)[head.indexOf('RcvbufErrors')] ?? 0);
}
