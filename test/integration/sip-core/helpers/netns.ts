// A network namespace a test makes for itself: its own loopback carrying
// extra addresses, its own /etc/hosts (ip-netns(8) bind-mounts
// /etc/netns/<name>/hosts over /etc/hosts for every process it starts), and
// nothing that leaves it. Needs root (CAP_SYS_ADMIN and CAP_NET_ADMIN).
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';

export interface Netns {
  name: string;
  /** Prefix for a command that must run inside the namespace. */
  exec: string[];
  /** Kills what still runs inside (only processes the test started: the namespace is its own), then deletes it. */
  destroy(): void;
}

const RUN_DIR = '/run/netns';
const ETC_DIR = '/etc/netns';

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'], timeout: 10_000 });
}

/** PIDs of the processes running inside `name` (`ip netns pids`). */
export function netnsPids(name: string): number[] {
  const out = execFileSync('ip', ['netns', 'pids', name], { encoding: 'utf8', timeout: 10_000 });
  return out
    .split('\n')
    .map((l) => Number(l.trim()))
    .filter((n) => Number.isInteger(n) && n > 0);
}

function remove(name: string): void {
  try {
    for (const pid of netnsPids(name)) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
  } catch {
    /* namespace already gone */
  }
  try {
    ip('netns', 'del', name);
  } catch {
    /* already gone */
  }
  rmSync(path.join(ETC_DIR, name), { recursive: true, force: true });
}

/** Deletes namespaces named `<prefix>*` older than `maxAgeMs`, left behind by a crashed run. */
export function removeStaleNetns(prefix: string, maxAgeMs = 3_600_000): void {
  let names: string[];
  try {
    names = readdirSync(RUN_DIR).filter((n) => n.startsWith(prefix));
  } catch {
    return; // no namespace at all yet
  }
  for (const n of names) {
    if (Date.now() - statSync(path.join(RUN_DIR, n)).mtimeMs > maxAgeMs) remove(n);
  }
}

/**
 * Creates `<prefix><random>` with `lo` up, every address of `localRoutes`
 * (CIDR) local to it (as 127.0.0.0/8 is), and `hosts` as its /etc/hosts.
 */
export function createNetns(prefix: string, opts: { localRoutes: string[]; hosts: Record<string, string> }): Netns {
  removeStaleNetns(prefix);
  const name = `${prefix}${randomBytes(4).toString('hex')}`;
  try {
    ip('netns', 'add', name);
  } catch (e) {
    const why = e instanceof Error && 'stderr' in e ? String(e.stderr).trim() : String(e);
    throw new Error(`cannot create network namespace ${name} (needs root: CAP_SYS_ADMIN and CAP_NET_ADMIN): ${why}`, { cause: e });
  }
  try {
    const etc = path.join(ETC_DIR, name);
    mkdirSync(etc, { recursive: true });
    const lines = ['127.0.0.1 localhost', '::1 localhost', ...Object.entries(opts.hosts).map(([host, addr]) => `${addr} ${host}`)];
    writeFileSync(path.join(etc, 'hosts'), `${lines.join('\n')}\n`);
    ip('-n', name, 'link', 'set', 'lo', 'up');
    // A `local` route makes every address in the range bindable on lo, so each
    // testbed container gets its own address without an interface per host.
    for (const cidr of opts.localRoutes) ip('-n', name, 'route', 'add', 'local', cidr, 'dev', 'lo');
  } catch (e) {
    remove(name);
    throw e;
  }
  return { name, exec: ['ip', 'netns', 'exec', name], destroy: () => remove(name) };
}
