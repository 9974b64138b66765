// Calls whose application went away, kept for the application's restart.
//
// ARCHITECTURE.md: "The supervisor restarts a dead process; calls in progress
// keep their media because rtpengine keeps relaying." drachtio-server leaves
// an app's dialogs alone when the app disconnects, and so do we for a grace
// period: a confirmed INVITE dialog of a vanished app stays up, and the next
// app that connects with the same tags and routes `invite` adopts it (its
// in-dialog requests and `sip` commands by dialog id then work as before).
// A request that arrives for an orphan meanwhile is parked (its server
// transaction absorbs retransmissions) and handed to the adopter; when the
// grace period ends without one, parked requests are answered here and the
// dialogs are hung up as an app-less call must be.
import type { Logger } from '../../common/logger';
import type { Dialog } from '../dialog/dialog';
import type { AppConnection } from './app-connection';

/** A request waiting for an adopter: resume re-runs its handling, giveUp answers it here. */
interface Parked {
  resume(): void;
  giveUp(): void;
}

interface Orphan {
  expiresAt: number;
  /** The vanished owner's tags: only an app with the same tags adopts (another app's calls are not its business). */
  tags: string;
  parked: Parked[];
}

export interface OrphanDialogsOptions {
  graceMs: number;
  /** Called for each dialog nobody adopted in time: hang it up. */
  expire(dialog: Dialog): void;
  log: Logger;
  now?: () => number;
  sweepMs?: number;
}

const tagKey = (conn: AppConnection) => [...conn.tags].sort().join(',');

export class OrphanDialogs {
  private readonly orphans = new Map<Dialog, Orphan>();
  private sweeper: NodeJS.Timeout | undefined;
  adopted = 0;
  expired = 0;

  constructor(private readonly opts: OrphanDialogsOptions) {}

  get size(): number {
    return this.orphans.size;
  }

  /** Requests waiting for an adopter (health). */
  get parkedRequests(): number {
    let n = 0;
    for (const o of this.orphans.values()) n += o.parked.length;
    return n;
  }

  has(dialog: Dialog): boolean {
    return this.orphans.has(dialog);
  }

  /** Keeps a dialog of a closed connection; false when orphans are not kept (grace 0). */
  hold(dialog: Dialog): boolean {
    if (this.opts.graceMs <= 0) return false;
    this.orphans.set(dialog, { expiresAt: this.now() + this.opts.graceMs, tags: tagKey(dialog.owner), parked: [] });
    this.sweeper ??= setInterval(() => this.sweep(), this.opts.sweepMs ?? 1000).unref();
    return true;
  }

  /** Parks a request for an orphan until adoption or expiry; false when the dialog is not an orphan. */
  park(dialog: Dialog, resume: () => void, giveUp: () => void): boolean {
    const o = this.orphans.get(dialog);
    if (!o) return false;
    o.parked.push({ resume, giveUp });
    return true;
  }

  /** The dialog ended on its own (a BYE answered here): nothing left to adopt or expire. */
  forget(dialog: Dialog): void {
    this.orphans.delete(dialog);
    if (this.orphans.size === 0) this.stopSweeper();
  }

  /** Hands every orphan of an app with `conn`'s tags to `conn`; returns how many. */
  adopt(conn: AppConnection): number {
    const tags = tagKey(conn);
    let n = 0;
    for (const [dialog, o] of [...this.orphans]) {
      if (o.tags !== tags || dialog.state === 'terminated') continue;
      this.orphans.delete(dialog);
      dialog.owner = conn;
      n++;
      for (const p of o.parked) p.resume();
    }
    if (n > 0) {
      this.adopted += n;
      this.opts.log.info('orphan dialogs adopted', { dialogs: n, tags });
    }
    if (this.orphans.size === 0) this.stopSweeper();
    return n;
  }

  /** Ends what nobody adopted in time. */
  sweep(): void {
    const now = this.now();
    for (const [dialog, o] of [...this.orphans]) {
      if (o.expiresAt > now) continue;
      this.orphans.delete(dialog);
      this.expired++;
      for (const p of o.parked) p.giveUp();
      if (dialog.state !== 'terminated') this.opts.expire(dialog);
    }
    if (this.orphans.size === 0) this.stopSweeper();
  }

  stop(): void {
    this.stopSweeper();
  }

  private stopSweeper(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = undefined;
  }

  private now(): number {
    return (this.opts.now ?? Date.now)();
  }
}
