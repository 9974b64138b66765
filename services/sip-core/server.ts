// sip-core assembled: SIP transports and transactions (part A's stack), the
// drachtio admin port, and the controller that joins them.
import type { Config } from '../common/config';
import type { Logger } from '../common/logger';
import { serializeMessage } from './sip/serializer';
import { TransportLayer } from './sip/transport/transport-layer';
import { SourcePolicy } from './sip/transport/source-policy';
import { TransactionLayer } from './sip/transaction-layer';
import type { ListenerInfo } from './sip/types';
import { Controller } from './drachtio/controller';
import { WireServer } from './drachtio/wire-server';
import { AppRegistry } from './drachtio/app-registry';
import { sipTlsSettings } from './sip-tls';

export interface SipCoreOptions {
  config: Readonly<Config>;
  log: Logger;
}

function hostports(list: ListenerInfo[], advertised: boolean): string {
  return list
    .map((l) => {
      const host = advertised ? l.advertisedHost : l.host;
      const port = advertised ? l.advertisedPort : l.port;
      return `${l.transport}/${host.includes(':') ? `[${host}]` : host}:${port}`;
    })
    .join(',');
}

export class SipCore {
  private constructor(
    readonly transport: TransportLayer,
    readonly transactions: TransactionLayer,
    readonly wire: WireServer,
    readonly controller: Controller,
    private readonly log: Logger,
  ) {}

  static async start(opts: SipCoreOptions): Promise<SipCore> {
    const { config, log } = opts;
    // RFC 3261 §17: one set of timers for the transaction layer and for the
    // dialog layer's 2xx retransmission and ACK wait (§13.3.1.4).
    const { t1Ms: t1, t2Ms: t2, t4Ms: t4, testOnlyMinSessionExpiresS } = config.sip.timers;
    const sec = config.sip.security;
    // Flood and lock-out defences (issue 16 items 7 and 8, README "Security").
    const policy = new SourcePolicy({
      trusted: sec.trustedNetworks,
      unauthenticatedPerSource: { perSecond: sec.unauthenticatedPerSourcePerSecond, burst: sec.unauthenticatedPerSourceBurst },
      unauthenticatedGlobal: { perSecond: sec.unauthenticatedPerSecond, burst: sec.unauthenticatedBurst },
      shedMs: sec.shedMs,
    });
    const tls = sipTlsSettings(config);
    const transport = new TransportLayer({
      listen: config.sip.listen,
      ...(tls ? { tls } : {}),
      publicAddress: config.sip.publicAddress || undefined,
      maxMessageBytes: config.sip.maxMessageBytes,
      policy,
      maxTcpConnections: sec.tcp.maxConnections,
      tcpReservedForKnown: sec.tcp.reservedForKnown,
      maxTcpConnectionsPerSource: sec.tcp.maxPerSource,
      maxTcpConnectionsPerSubnet: sec.tcp.maxPerSubnet,
      tcpFirstMessageTimeoutMs: sec.tcp.firstMessageMs,
      tcpIdleTimeoutMs: sec.tcp.idleMs,
      log: log.child({ layer: 'transport' }),
    });
    const transactions = new TransactionLayer(transport, {
      timers: { t1, t2, t4 },
      limits: { maxServer: sec.maxServerTransactions, maxServerPerSource: sec.maxServerTransactionsPerSource, isTrusted: (a) => policy.isTrusted(a) },
      log: log.child({ layer: 'transaction' }),
    });
    const registry = new AppRegistry();
    const controller = new Controller({
      stack: transactions,
      transports: transport,
      registry,
      serialize: serializeMessage,
      log: log.child({ layer: 'drachtio' }),
      t1Ms: t1,
      t2Ms: t2,
      minSessionExpiresS: testOnlyMinSessionExpiresS,
      orphanGraceMs: config.drachtio.orphanGraceSeconds * 1000,
    });
    const wire = new WireServer({
      host: config.drachtio.host,
      port: config.drachtio.port,
      secret: config.drachtio.secret,
      log: log.child({ layer: 'admin' }),
      registry,
      handler: controller,
      hostports: () => ({
        advertised: hostports(transport.listenerInfos(), true),
        local: hostports(transport.listenerInfos(), false),
      }),
    });
    await transport.start();
    try {
      await wire.listen();
    } catch (e) {
      await transport.stop();
      throw e;
    }
    return new SipCore(transport, transactions, wire, controller, log);
  }

  async stop(): Promise<void> {
    this.controller.orphans.stop();
    await this.wire.close();
    this.transactions.stop();
    await this.transport.stop();
    this.log.info('sip-core stopped');
  }

  health(): Record<string, unknown> {
    return {
      ok: true,
      connections: this.wire.registry.size,
      apps: this.wire.registry.authenticatedCount,
      routes: this.wire.registry.routeCounts(),
      admin: this.wire.counters,
      ...this.controller.health(),
      transactions: this.transactions.counters(),
      transport: this.transport.counters(),
      memory: memory(),
    };
  }
}

/** What the process holds: RSS is what the per-dialog target means; heap and external explain it. */
function memory(): Record<string, number> {
  const m = process.memoryUsage();
  return { rssBytes: m.rss, heapUsedBytes: m.heapUsed, heapTotalBytes: m.heapTotal, externalBytes: m.external };
}
