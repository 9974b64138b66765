// Channels in use per trunk, in memory: every call over a trunk, outbound
// or inbound, holds one lease from the moment its INVITE goes to (or comes
// from) the operator until the call ends. A trunk at its channel_limit is
// skipped by outbound failover and refuses inbound calls, so the operator
// never sees more concurrent calls than the contract allows. A lease is
// freed exactly once, however often its release is called.

/**
 * The limit a trunk is held to: its own, or for an IP trunk without one the
 * box's default (`calls.ipTrunkChannels`), since anyone who can forge the
 * operator's source address could otherwise take every licensed call.
 * 0: no limit. The trunk API shows it as `effectiveChannelLimit`.
 */
export function effectiveChannelLimit(trunk: { kind: string; channelLimit: number }, ipDefault: number): number {
  return trunk.channelLimit > 0 || trunk.kind !== 'ip' ? trunk.channelLimit : ipDefault;
}

export interface ChannelLease {
  readonly trunkId: number;
  release(): void;
}

export class TrunkChannels {
  private readonly inUse = new Map<number, number>();

  /** A lease on one channel, or undefined when the trunk is at its limit (0 means no limit). */
  take(trunk: { id: number; channelLimit: number }): ChannelLease | undefined {
    const used = this.inUse.get(trunk.id) ?? 0;
    if (trunk.channelLimit > 0 && used >= trunk.channelLimit) return undefined;
    this.inUse.set(trunk.id, used + 1);
    let released = false;
    return {
      trunkId: trunk.id,
      release: () => {
        if (released) return;
        released = true;
        const n = (this.inUse.get(trunk.id) ?? 1) - 1;
        if (n > 0) this.inUse.set(trunk.id, n);
        else this.inUse.delete(trunk.id);
      },
    };
  }

  count(trunkId: number): number {
    return this.inUse.get(trunkId) ?? 0;
  }

  /** Channels in use per trunk id, for health and the live view. */
  snapshot(): Record<string, number> {
    return Object.fromEntries([...this.inUse].map(([id, n]) => [String(id), n]));
  }
}
