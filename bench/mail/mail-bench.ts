// Outbox throughput to a local SMTP server (npm smtp-server on 127.0.0.1)
// against nodemailer sending the same messages directly over the same pooled
// transport, in one run: what the durable outbox (row written first, state
// changes committed with synchronous=FULL) costs per message.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SMTPServer } from 'smtp-server';
import { silentLogger } from '../../services/common/logger';
import { openStore } from '../../services/store';
import { MailSender, enqueueMail, smtpInputSchema, smtpSettings } from '../../services/mail';
import { createTransport, sendWith } from '../../services/mail/transport';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const N = arg('messages', 1000);
const ROUNDS = arg('rounds', 2);
const CONCURRENCY = 8;
const body = 'Пропущенный вызов на 202 от +74951234567.\n'.repeat(40);

async function main(): Promise<void> {
  let received = 0;
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    logger: false,
    closeTimeout: 200,
    size: 10_000_000,
    onData(stream, _s, cb) {
      stream.on('data', () => undefined);
      stream.on('end', () => {
        received++;
        cb();
      });
    },
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.server.address() as { port: number }).port;
  const input = smtpInputSchema.parse({ host: '127.0.0.1', port, security: 'none', from: 'pbx@bench.example' });
  console.log(`bench/mail: ${N} messages of ${body.length} characters to smtp-server on 127.0.0.1:${port}, ${CONCURRENCY} in flight, ${ROUNDS} round(s)`);

  for (let round = 1; round <= ROUNDS; round++) {
    // Baseline: nodemailer, pooled, straight to the server.
    const dir = mkdtempSync(path.join(tmpdir(), 'korobka-mail-bench-'));
    const store = openStore(path.join(dir, 'korobka.db'));
    try {
      const smtp = smtpSettings(store, { dataDir: dir });
      smtp.set(null, input);
      const conn = smtp.resolve(null)!;
      const t = createTransport(conn, 30_000);
      received = 0;
      let t0 = performance.now();
      let next = 0;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < N) {
            const i = next++;
            await sendWith(t, conn, { to: [`user${i}@bench.example`], subject: `direct ${i}`, text: body });
          }
        }),
      );
      const direct = N / ((performance.now() - t0) / 1000);
      t.close();

      // The outbox: rows written first, then the sender drains them.
      const tenantId = store.tenants.create({ name: 'Bench', sipDomain: 'bench.example' }).id;
      t0 = performance.now();
      for (let i = 0; i < N; i++) enqueueMail(store, { tenantId, to: [`user${i}@bench.example`], subject: `outbox ${i}`, text: body, kind: 'bench' });
      const enqueue = N / ((performance.now() - t0) / 1000);
      received = 0;
      const sender = new MailSender({ store, smtp, log: silentLogger, options: { pollMs: 50, retryBaseMs: 1000, retryMaxMs: 1000, maxAttempts: 3, timeoutMs: 30_000, keepSentDays: 30, concurrency: CONCURRENCY } });
      t0 = performance.now();
      while (store.mail.counts().sent < N) await sender.tick();
      const outbox = N / ((performance.now() - t0) / 1000);
      await sender.stop();
      if (received !== N) throw new Error(`server got ${received} of ${N}`);
      console.log(
        `round ${round}: nodemailer direct ${direct.toFixed(0)} msg/s | outbox ${outbox.toFixed(0)} msg/s (${((outbox / direct) * 100).toFixed(0)} % of direct) | enqueueMail ${enqueue.toFixed(0)} rows/s`,
      );
    } finally {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  await new Promise<void>((r) => server.close(() => r()));
}

await main();
